"""Upgrading to ``0007_relations`` keeps the versions projected before it (no affiliation: a NULL
``party_id``), and the read models then project affiliations (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from registry import bootstrap
from registry.adapters.engine import engine_for
from registry.adapters.eventstore import Database
from registry.adapters.readmodels import migrate
from tests.relations_data import AFTER, BASELINE, MOVE


def test_an_upgraded_database_projects_party_relations(database_url: str) -> None:
    database = Database.parse(database_url)
    engine = engine_for(database)
    try:
        migrate(database, engine, revision="0006_search_keys")
        old = sa.table("unit_versions", *(sa.column(c) for c in (
            "org_id", "valid_from", "recorded_from", "name", "kind", "type")))
        with engine.begin() as conn:
            conn.execute(old.insert().values(
                org_id="00000000-0000-0000-0000-000000000001", valid_from=date(2020, 1, 1),
                recorded_from="2020-01-01 00:00:00", name="Old", kind="k", type="t"))
        migrate(database, engine)
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT name, party_id FROM unit_versions")).all()
        assert [tuple(r) for r in rows] == [("Old", None)]
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM unit_versions"))
    finally:
        engine.dispose()
    registry = bootstrap.build(database_url)
    registry.record(BASELINE, "test")
    registry.record(MOVE, "test")
    reader = bootstrap.build_reader(database_url, registry)
    try:
        unit = reader.by_code("SNV9", date.fromisoformat(AFTER)).unit
        assert unit.party_id == reader.by_code("DCQ9", date.fromisoformat(AFTER)).unit.id
    finally:
        reader.close()
        registry.log.close()
