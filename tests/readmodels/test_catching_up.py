"""The read models follow what is recorded: by the command line, and by another process."""

from __future__ import annotations

from datetime import date

from registry import bootstrap
from registry.adapters.eventstore import Database, EventLog
from registry.adapters.readmodels import ReadModelStore
from registry.cli import main
from tests.conftest import LAI_CHAU_UNITS


def test_registry_load_leaves_the_read_models_caught_up(database_url, capsys):
    assert main(["load", *map(str, LAI_CHAU_UNITS), "--database", database_url]) == 0
    capsys.readouterr()
    database = Database.parse(database_url)
    store, log = ReadModelStore(database), EventLog(database)
    try:
        assert store.position() == log.last_id() > 0
    finally:
        store.close()
        log.close()


def test_a_reader_sees_acts_another_process_records_once_it_refreshes(database_url, clock):
    reader = bootstrap.build_reader(database_url)
    writer = bootstrap.build(database_url, clock)  # stands for another process
    try:
        assert reader.snapshot(date(2025, 1, 4)) == []
        writer.record({"act": {"kind": "decision", "effective": "2025-01-04", "number": "1/T"},
                       "changes": [{"establish": {"unit": {
                           "name": "Tỉnh Thử", "code": "99", "type": "tỉnh",
                           "level": "province"}}}]}, "test")
        assert reader.snapshot(date(2025, 1, 4)) == []  # not yet: it refreshes when told to
        reader.refresh()
        assert [u.name for u in reader.snapshot(date(2025, 1, 4))] == ["Tỉnh Thử"]
        assert reader.feed(0).items[-1].type == "began"
    finally:
        reader.close()
        writer.log.close()
