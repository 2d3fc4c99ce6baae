"""``registry backup`` of a registry that is still recording, then ``registry restore`` into a
fresh database: every answer is the same as before, on SQLite and PostgreSQL.

After the restore, ``registry verify`` recomputes the hash chain and the head is the one pinned
before the backup (the event log is also compared notification by notification).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest

from registry import bootstrap
from registry.adapters.eventstore import Database, EventLog
from registry.cli import main
from tests.conftest import LAI_CHAU_UNITS, POSTGRES_URL

RENAME: dict[str, Any] = {
    "act": {"kind": "decision", "issuer": "Ủy ban nhân dân tỉnh Lai Châu",
            "effective": "2026-01-01", "title": "a test renaming"},
    "changes": [{"rename": {"unit": {"code": "03388", "level": "commune"},
                            "name": "Phường Đoàn Kết Mới"}}],
}
DATES = (date(2025, 1, 4), date(2025, 6, 30), date(2025, 7, 1), date(2026, 1, 1))


def answers(url: str) -> dict[str, Any]:
    """What the registry answers: snapshots, histories, diffs, acts, the feed, and the log."""
    reader = bootstrap.build_reader(url)
    log = EventLog(Database.parse(url))
    try:
        units = [u.id for u in reader.snapshot(date(2025, 6, 30))[:5]]
        units.append(reader.by_code("03388", date(2026, 1, 1), "commune").unit.id)
        return {
            "snapshots": {d: [u.as_dict() for u in reader.snapshot(d)] for d in DATES},
            "histories": [reader.history(u).as_dict() for u in units],
            "diff": reader.diff(date(2025, 6, 30), date(2025, 7, 1)).as_dict(),
            "acts": reader.acts(limit=1000).as_dict(),
            "feed": whole_feed(reader),
            "log": [(n, type(e).__name__, e.originator_id, e.originator_version, e.timestamp)
                    for n, e in log.read(0, 100_000)],
        }
    finally:
        reader.close()
        log.close()


def events_in(path: Path) -> int:
    copied = sqlite3.connect(path)
    try:
        return int(copied.execute("SELECT count(*) FROM stored_events").fetchone()[0])
    except sqlite3.OperationalError:  # not even the table: it too is still in the -wal file
        return 0
    finally:
        copied.close()


def whole_feed(reader: Any) -> list[dict[str, Any]]:
    items, after = [], 0
    while True:
        page = reader.feed(after, 1000).as_dict()
        items += page["items"]
        if not page["items"]:
            return items
        after = page["next"]


@contextmanager
def fresh_target(source_url: str, tmp_path: Path) -> Iterator[str]:
    if source_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = "registry_restore_" + uuid.uuid4().hex[:10]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        schema = Database.parse(source_url).schema
        yield f"postgresql://postgres@127.0.0.1:5432/{name}?schema={schema}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


def test_a_restored_backup_of_a_running_registry_answers_exactly_as_it_did(
        database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", *map(str, LAI_CHAU_UNITS), "--database", database_url]) == 0
    running = bootstrap.build(database_url)  # still open, as a server would be
    try:
        running.record(RENAME, "test")  # the last act: on SQLite, still in the -wal file
        bootstrap.settle(database_url, running.log)
        before = answers(database_url)
        if database_url.startswith("sqlite"):  # what copying the file alone would have lost
            path = Path(database_url.removeprefix("sqlite:///"))
            shutil.copy(path, tmp_path / "copied.db")
            assert events_in(tmp_path / "copied.db") < len(before["log"])
        backup = tmp_path / "registry.backup"
        assert main(["backup", str(backup), "--database", database_url]) == 0
        assert main(["backup", str(backup), "--database", database_url]) == 2  # never overwrites
    finally:
        running.log.close()
    capsys.readouterr()

    with fresh_target(database_url, tmp_path) as target:
        assert main(["restore", str(backup), "--database", target]) == 0
        assert "the event log ends at position" in capsys.readouterr().err
        after = answers(target)
        assert after == before
        assert main(["verify", "--database", target, "--json"]) == 0
        verified = json.loads(capsys.readouterr().out)
        assert verified["head"]["hash"] == after["acts"]["items"][-1]["hash"]
        assert after["acts"]["items"][-1]["title"] == "a test renaming"
        assert main(["restore", str(backup), "--database", target]) == 2  # not into a registry
        refused = capsys.readouterr().err
        assert "not empty" in refused or "exists" in refused

        recorder = bootstrap.build(target)  # and it goes on recording where it stopped
        try:
            result = recorder.record({**RENAME, "act": {**RENAME["act"],
                                                        "effective": "2026-02-01"},
                                      "changes": [{"rename": {
                                          "unit": {"code": "03388", "level": "commune"},
                                          "name": "Phường Đoàn Kết"}}]}, "test")
            assert result.created and recorder.log.last_id() > before["log"][-1][0]
        finally:
            recorder.log.close()


def test_a_backup_is_restored_only_into_its_own_kind_of_database(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = f"sqlite:///{tmp_path / 'a.db'}"
    assert main(["load", str(LAI_CHAU_UNITS[0]), "--database", source]) == 0
    assert main(["backup", str(tmp_path / "a.backup"), "--database", source]) == 0
    capsys.readouterr()
    assert main(["restore", str(tmp_path / "a.backup"), "--database",
                 f"{POSTGRES_URL}?schema=nowhere"]) == 2
    assert "SQLite backup" in capsys.readouterr().err
    (tmp_path / "not-a-backup").write_text("hello")
    assert main(["restore", str(tmp_path / "not-a-backup"), "--database",
                 f"sqlite:///{tmp_path / 'b.db'}"]) == 2
    assert not (tmp_path / "b.db").exists()
