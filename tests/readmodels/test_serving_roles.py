"""Serving roles (DESIGN §12): one projector per database, readers that follow it from a background
thread, and a write side that exists only once a process records."""

from __future__ import annotations

import threading
import time
import warnings
from datetime import date

from registry import bootstrap
from registry.adapters.coordination import ProjectorLock
from registry.adapters.eventstore import Database
from registry.api.app import create_app
from registry.cli import main
from registry.settings import Settings
from tests.conftest import LAI_CHAU_UNITS

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette: "use httpx2"; httpx is what we have
    from starlette.testclient import TestClient

PROVINCE = {"act": {"kind": "decision", "effective": "2025-01-04", "number": "1/T"},
            "changes": [{"establish": {"unit": {"name": "Tỉnh Thử", "code": "99", "type": "tỉnh",
                                                "level": "province"}}}]}


def eventually(check, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_only_one_process_at_a_time_holds_the_projector_lock(database_url):
    bootstrap.migrate(database_url)
    first, second = (ProjectorLock(Database.parse(database_url)) for _ in range(2))
    try:
        assert first.acquire() and first.acquire()  # held: asking again keeps it
        assert not second.acquire()
        first.release()
        assert second.acquire()
        assert not first.acquire()
    finally:
        first.release()
        second.release()


def test_a_server_builds_no_write_side_until_it_records(database_url, capsys):
    assert main(["load", *map(str, LAI_CHAU_UNITS), "--database", database_url]) == 0
    capsys.readouterr()
    serving = bootstrap.serving(database_url)
    try:
        assert serving.reader.by_code("12", date(2025, 6, 30)).unit.name == "Tỉnh Lai Châu"
        assert serving.registry.timeline.position == 0 and not serving.registry.timeline.acts
        serving.registry.record(PROVINCE, "test")
        assert serving.registry.timeline.position == serving.registry.log.last_id()
        # read your own writes: the recording thread waits for the index to show the act
        assert serving.reader.by_code("99", date(2025, 1, 4)).unit.name == "Tỉnh Thử"
    finally:
        serving.close()


def test_a_reader_that_does_not_project_follows_what_another_process_projects(database_url):
    bootstrap.migrate(database_url)
    serving = bootstrap.serving(database_url, project=False)
    writer = bootstrap.build(database_url)  # stands for another process: recorder + projector
    try:
        if database_url.startswith("postgresql"):
            assert serving.follower.wakeups.listening  # woken by NOTIFY, not by polling
        writer.record(PROVINCE, "test")
        bootstrap.settle(database_url, writer.log)
        assert eventually(lambda: serving.reader.state()["position"] == writer.log.last_id())
        assert serving.reader.by_code("99", date(2025, 1, 4)).unit.name == "Tỉnh Thử"
        assert serving.reader.state()["failure"] is None
    finally:
        writer.log.close()
        serving.close()


def test_requests_answer_while_a_refresh_holds_the_source(tmp_path, capsys):
    """A refresh that takes long (a big batch) runs in the follower thread; requests read the
    index that is there and never wait for it."""
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    assert main(["load", *map(str, LAI_CHAU_UNITS), "--database", url]) == 0
    capsys.readouterr()
    serving = bootstrap.serving(url)
    app = create_app(Settings(database_url=url), serving.registry, serving.reader,
                     on_close=serving.close)
    source = serving.reader.source
    unit = serving.reader.by_code("12", date(2025, 6, 30)).unit
    answers: list[int] = []
    with TestClient(app) as client, source._lock:  # type: ignore[attr-defined]
        def ask() -> None:
            answers.append(client.get(f"/v1/units/{unit.id}?at=2025-06-30").status_code)
            answers.append(client.get("/v1/search?q=lai").status_code)
            answers.append(client.get("/v1/units?level=province&at=2025-06-30").status_code)

        asking = threading.Thread(target=ask)
        asking.start()
        asking.join(timeout=60)
        assert not asking.is_alive() and answers == [200, 200, 200]


def test_registry_project_once_brings_the_read_models_to_the_log_end(database_url, capsys):
    writer = bootstrap.build(database_url)  # records without projecting
    writer.record(PROVINCE, "test")
    head = writer.log.last_id()
    writer.log.close()
    bootstrap.migrate(database_url)
    assert main(["status", "--database", database_url]) == 0
    assert f"lag           {head}\n" in capsys.readouterr().out
    assert main(["project", "--once", "--database", database_url]) == 0
    assert capsys.readouterr().out == f"read models at position {head}\n"
    assert main(["status", "--database", database_url]) == 0
    assert "lag           0\n" in capsys.readouterr().out
