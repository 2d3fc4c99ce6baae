"""The log is evidence: the database refuses edits, and `registry verify` catches what a superuser
does anyway (both backends)."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from registry import bootstrap
from registry.adapters import chain
from registry.adapters.eventstore import Database, EventLog
from registry.cli import main
from registry.importers.fixtures import load
from tests.conftest import POSTGRES_URL

RENAME = {"act": {"kind": "decision", "number": "9/QĐ-TEST", "effective": "2025-09-01",
                  "title": "Đổi tên"},
          "changes": [{"rename": {"unit": "03388", "name": "Phường Đoàn Kết Mới"}}]}


@pytest.fixture
def loaded_url(database_url: str, lai_chau_paths: list[Path]) -> str:
    registry = bootstrap.build(database_url)
    load(registry, lai_chau_paths, "test")
    registry.record(RENAME, "test")
    registry.log.close()
    bootstrap.migrate(database_url)  # the triggers
    return database_url


class Raw:
    """SQL on the event table as its owner (PostgreSQL: the superuser; SQLite: the file)."""

    def __init__(self, url: str) -> None:
        self.db = Database.parse(url)
        log = EventLog(self.db)
        self.table = log.recorder.events_table_name
        log.close()

    @contextmanager
    def connect(self) -> Iterator[Any]:
        if self.db.backend == "sqlite":
            conn: Any = sqlite3.connect(self.db.path or "", isolation_level=None)
        else:
            conn = psycopg.connect(POSTGRES_URL, autocommit=True)
            conn.execute(f"SET search_path TO {self.db.schema}")
        try:
            yield conn
        finally:
            conn.close()

    def execute(self, sql: str, *params: Any) -> None:
        if self.db.backend == "postgresql":
            sql = sql.replace("?", "%s")
        with self.connect() as conn:
            conn.execute(sql, params)

    def rowid(self) -> str:
        return "rowid" if self.db.backend == "sqlite" else "notification_id"

    def bypass_triggers(self) -> None:
        """What only a superuser (or whoever holds the SQLite file) can do."""
        if self.db.backend == "sqlite":
            for name in (f"{self.table}_no_update", f"{self.table}_no_delete"):
                self.execute(f"DROP TRIGGER {name}")
        else:
            self.execute(f"ALTER TABLE {self.table} DISABLE TRIGGER USER")

    def position_of(self, needle: str) -> int:
        with self.connect() as conn:
            rows = conn.execute(f"SELECT {self.rowid()}, state FROM {self.table} "
                                f"ORDER BY {self.rowid()}").fetchall()
        return next(pos for pos, state in rows if needle in bytes(state).decode())

    def forge(self, old: str, new: str) -> None:
        """Rewrite the first stored event holding ``old``, as a superuser could."""
        self.bypass_triggers()
        self.edit_state(self.position_of(old), old, new)

    def edit_state(self, position: int, old: str, new: str) -> None:
        with self.connect() as conn:
            (state,) = conn.execute(f"SELECT state FROM {self.table} WHERE {self.rowid()} = "
                                    f"{position}").fetchone()
        edited = bytes(state).decode().replace(old, new).encode()
        assert edited != bytes(state)
        self.execute(f"UPDATE {self.table} SET state = ? WHERE {self.rowid()} = {position}",
                     edited)


def verify(url: str, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(["verify", "--database", url, "--json", *extra])
    return code, json.loads(capsys.readouterr().out)


def test_a_whole_log_verifies_and_every_act_carries_its_link(loaded_url, capsys):
    code, report = verify(loaded_url, capsys)
    assert code == 0 and report["ok"] and report["acts"] == 3 and report["unhashed_acts"] == 0
    log = EventLog(Database.parse(loaded_url))
    events = [e for _, e in log.read(0, 100_000)]
    log.close()
    hashes = [e.hash for e in events if type(e).__name__ == "ActRecorded"]
    assert len(hashes) == 3 and len(set(hashes)) == 3
    assert hashes[-1] == report["head"]["hash"]


def test_the_database_refuses_update_delete_and_truncate(loaded_url):
    raw = Raw(loaded_url)
    refused = (sqlite3.DatabaseError, psycopg.Error)
    for sql in (f"UPDATE {raw.table} SET topic = topic",
                f"DELETE FROM {raw.table} WHERE {raw.rowid()} = 5",
                f"DELETE FROM {raw.table}"):
        with pytest.raises(refused, match="append-only"):
            raw.execute(sql)
    if raw.db.backend == "postgresql":
        with pytest.raises(psycopg.Error, match="append-only"):
            raw.execute(f"TRUNCATE {raw.table}")


@pytest.mark.parametrize("old, new", [("Phường Đoàn Kết Mới", "Giả Mạo"),  # a unit's name
                                      ("Đổi tên", "Forged")])  # the act's own title
def test_a_forged_event_is_caught_and_its_act_named(loaded_url, capsys, old, new):
    Raw(loaded_url).forge(old, new)
    code, report = verify(loaded_url, capsys)
    assert code == 1
    assert "9/QĐ-TEST" in report["problem"] and "does not match" in report["problem"]


def test_a_deleted_event_is_caught_where_it_was(loaded_url, capsys):
    raw = Raw(loaded_url)
    raw.bypass_triggers()
    raw.execute(f"DELETE FROM {raw.table} WHERE {raw.rowid()} = 10")
    code, report = verify(loaded_url, capsys)
    assert code == 1 and ("10–10" in report["problem"] or "missing" in report["problem"])


def test_a_removed_act_is_caught_by_the_next_acts_link(loaded_url, capsys):
    raw = Raw(loaded_url)
    raw.bypass_triggers()
    first = raw.position_of('"number":"9/QĐ-TEST"')
    # Remove the whole last-but-one act: everything between the 2nd and 3rd ledger entries.
    log = EventLog(Database.parse(loaded_url))
    ledger = [row.position for row in log.rows() if row.topic == chain.ACT_RECORDED]
    log.close()
    assert ledger[-1] == first
    raw.execute(f"DELETE FROM {raw.table} WHERE {raw.rowid()} >= {ledger[1]} "
                f"AND {raw.rowid()} < {ledger[2]}")
    code, report = verify(loaded_url, capsys)
    assert code == 1 and "stream version 3 where 2 was expected" in report["problem"]


PLAN = {"act": {"kind": "plan", "number": "7/KH-TEST", "effective": "2025-08-01",
                "title": "Kế hoạch"},
        "changes": [{"plan_item": {"id": "1", "title": "Nhập phường dự kiến",
                                   "deadline": "2025-12-31",
                                   "change": {"rename": {"unit": "03388", "name": "Dự Kiến"}}}}]}
PLAN_DONE = {"act": {"kind": "decision", "number": "8/QĐ-TEST", "effective": "2025-10-01"},
             "changes": [{"plan_status": {"plan": {"number": "7/KH-TEST"}, "item": "1",
                                          "status": "done", "acts": [{"number": "9/QĐ-TEST"}]}}]}


def test_plan_events_are_chained_like_every_other(loaded_url, capsys):
    """A plan's items and a later status change are events of the plan's stream: the chain
    covers them, and a forged item is caught and its act named."""
    registry = bootstrap.build(loaded_url)
    registry.record(PLAN, "test")
    registry.record(PLAN_DONE, "test")
    registry.log.close()
    code, report = verify(loaded_url, capsys)
    assert code == 0 and report["ok"] and report["acts"] == 5
    log = EventLog(Database.parse(loaded_url))
    topics = [row.topic for row in log.rows()]
    log.close()
    assert topics.count("registry.domain.events:Plan.ItemPlanned") == 1
    assert topics.count("registry.domain.events:Plan.ItemStatusChanged") == 1
    Raw(loaded_url).forge("Nhập phường dự kiến", "Forged")
    code, report = verify(loaded_url, capsys)
    assert code == 1
    assert "7/KH-TEST" in report["problem"] and "does not match" in report["problem"]


def test_a_checkpoint_proves_the_log_extends_it_until_the_past_is_rewritten(
        loaded_url, capsys, tmp_path):
    key, public, signed = tmp_path / "k.pem", tmp_path / "k.pub", tmp_path / "cp.json"
    assert main(["keygen", str(key), str(public)]) == 0
    assert main(["checkpoint", "--database", loaded_url, "--key", str(key),
                 "--output", str(signed)]) == 0
    registry = bootstrap.build(loaded_url)
    registry.record({"act": {"kind": "decision", "effective": "2025-10-01", "number": "10/T"},
                     "changes": [{"rename": {"unit": "03388", "name": "Phường Đoàn Kết"}}]},
                    "test")
    registry.log.close()
    code, report = verify(loaded_url, capsys, "--checkpoint", str(signed),
                          "--public-key", str(public))
    assert code == 0 and report["checkpoint"]["position"] < report["head"]["position"]

    other_key, other_public = tmp_path / "o.pem", tmp_path / "o.pub"
    main(["keygen", str(other_key), str(other_public)])
    assert main(["verify", "--database", loaded_url, "--checkpoint", str(signed),
                 "--public-key", str(other_public)]) == 2  # a signature of another key

    Raw(loaded_url).forge("Phường Đoàn Kết Mới", "Giả Mạo")
    code, report = verify(loaded_url, capsys, "--checkpoint", str(signed),
                          "--public-key", str(public))
    assert code == 1


def test_the_api_may_run_as_a_role_that_only_inserts_and_selects_events(postgres_schema,
                                                                          lai_chau_paths):
    """The README's grants: the recorder works, and the role itself cannot edit the log."""
    bootstrap.migrate(postgres_schema)
    schema = Database.parse(postgres_schema).schema
    role = "api_" + uuid.uuid4().hex[:8]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN")
        conn.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
        conn.execute(f"GRANT SELECT, INSERT ON {schema}.registry_events TO {role}")
        conn.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}")
        read_models = ", ".join(f"{schema}.{t}" for t in (
            "unit_versions", "lineage_edges", "legal_acts", "change_list",
            "projection_positions", "projection_failures", "api_tokens", "plan_items",
            "plan_statuses"))
        conn.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {read_models} TO {role}")
        conn.execute(f"GRANT SELECT ON {schema}.alembic_version TO {role}")
    url = postgres_schema.replace("postgresql://postgres@", f"postgresql://{role}@")
    try:
        registry = bootstrap.build(url)
        recorded = load(registry, lai_chau_paths, "test")
        assert len(recorded) == 2 and all(r.created for r in recorded)
        reader = bootstrap.build_reader(url, registry)
        assert reader.head()["hash"] != chain.GENESIS
        registry.log.close()
        with psycopg.connect(url.split("?")[0], autocommit=True) as conn:
            conn.execute(f"SET search_path TO {schema}")
            for sql in ("UPDATE registry_events SET topic = topic",
                        "DELETE FROM registry_events", "TRUNCATE registry_events"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(sql)
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")


def test_the_migration_knows_the_librarys_event_table_names(database_url):
    import importlib.util
    path = Path(__file__).parents[2] / "migrations" / "versions" / "0004_log_integrity.py"
    spec = importlib.util.spec_from_file_location("log_integrity_migration", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    log = EventLog(Database.parse(database_url))
    try:
        assert migration.EVENT_TABLES[Database.parse(database_url).backend] == \
            log.recorder.events_table_name
    finally:
        log.close()
