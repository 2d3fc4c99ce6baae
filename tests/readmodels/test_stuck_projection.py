"""An act the read models cannot hold never takes reads down, and every way in says so.

The poison is a real event in the log: a second ``ActRecorded`` for an act already recorded,
appended straight to the event store (bypassing the recorder, as a bug or a hand edit would).
``legal_acts`` cannot hold the act twice, so its batch cannot be written, on either backend.
"""

from __future__ import annotations

import logging
import warnings
from datetime import UTC, datetime

from registry import bootstrap
from registry.adapters.eventstore import Database, EventLog
from registry.adapters.readmodels import ReadModelStore
from registry.api.app import create_app
from registry.cli import main
from registry.domain.events import LEDGER_ID
from registry.importers.fixtures import load
from registry.settings import Settings
from tests.conftest import LAI_CHAU_UNITS

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette: "use httpx2"; httpx is what we have
    from starlette.testclient import TestClient

BASELINE, RESOLUTION = LAI_CHAU_UNITS


def append_poison(url: str) -> int:
    """A copy of the first recorded act, as the ledger's next event; its log position."""
    log = EventLog(Database.parse(url))
    try:
        ledger = log.stream(LEDGER_ID)
        first = ledger[0]
        copy = type(first)(**{**vars(first), "originator_version": ledger[-1].originator_version + 1,
                              "timestamp": datetime.now(UTC)})
        (seq,) = log.append([copy])
        return seq
    finally:
        log.close()


def positions(url: str) -> tuple[int, int]:
    database = Database.parse(url)
    store, log = ReadModelStore(database), EventLog(database)
    try:
        return store.position(), log.last_id()
    finally:
        store.close()
        log.close()


def test_a_batch_that_cannot_be_written_stops_the_read_models_before_it_and_reads_go_on(
        database_url, clock, capsys, caplog):
    registry = bootstrap.build(database_url, clock)  # records, never projects: an import killed
    load(registry, [BASELINE], "test")
    baseline_end = registry.log.last_id()
    registry.log.close()
    poison = append_poison(database_url)

    # `registry load` records the next act, then cannot bring the read models up: exit 1. The
    # baseline (in the same batch as the poison) is projected; the poison and what follows wait.
    assert main(["load", str(RESOLUTION), "--database", database_url]) == 1
    out, err = capsys.readouterr()
    assert "1 recorded" in out
    assert err.startswith("registry: the acts are recorded, but the read models are stuck")
    assert f"event {poison}" in err and err.count("\n") == 1
    position, head = positions(database_url)
    assert position == baseline_end and head > poison

    assert main(["status", "--database", database_url]) == 1
    out, _ = capsys.readouterr()
    assert f"log head      {head}\n" in out and f"read models   {baseline_end}\n" in out
    assert f"lag           {head - baseline_end}\n" in out
    assert f"stuck         at event {poison} (Ledger.ActRecorded" in out

    caplog.clear()
    serving = bootstrap.serving(database_url)
    app = create_app(Settings(database_url=database_url), serving.registry, serving.reader,
                     on_close=serving.close)
    with caplog.at_level(logging.ERROR), TestClient(app) as client:
        for _ in range(3):  # the follower retries; it says so once
            serving.reader.source.refresh()  # type: ignore[attr-defined]
        # The old Đoàn Kết, which the unprojected resolution ends on 2025-07-01, still answers.
        unit = client.get("/v1/codes/03389", params={"at": "2025-07-01"})
        assert unit.status_code == 200 and unit.json()["name"] == "Phường Đoàn Kết"
        ready = client.get("/readyz")
        assert ready.status_code == 503
        problem = ready.json()
        assert problem["position"] == baseline_end and problem["event"] == poison
        assert problem["head"] == head and problem["lag"] == head - baseline_end
        assert "Integrity" in problem["reason"]
    stuck = [r for r in caplog.records if "stuck" in r.getMessage()]
    assert len(stuck) == 1 and f"event {poison}" in stuck[0].getMessage()


def test_rerunning_an_import_whose_projection_was_cut_off_catches_the_read_models_up(
        database_url, clock, capsys):
    registry = bootstrap.build(database_url, clock)  # killed after recording, before projecting
    load(registry, LAI_CHAU_UNITS, "test")
    registry.log.close()
    bootstrap.migrate(database_url)
    position, head = positions(database_url)
    assert position < head

    assert main(["load", *map(str, LAI_CHAU_UNITS), "--database", database_url]) == 0
    assert "2 acts: 0 recorded, 2 already there" in capsys.readouterr().out
    assert positions(database_url) == (head, head)
