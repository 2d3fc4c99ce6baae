"""The event log, through the eventsourcing library, on SQLite or PostgreSQL.

The library creates and owns its own tables (``registry_events``); alembic manages only the read
models. Writes go through ``EventStore.put``, which stores a list of events in one transaction: the
ledger event and every organisation event of one act commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    StoredEvent,
    Transcoding,
)
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Literal

from registry.adapters import chain
from registry.adapters.database import Database
from registry.domain.errors import Conflict


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class UnpipelinedPostgresRecorder(PostgresApplicationRecorder):
    """The library's recorder without psycopg's pipeline mode for inserts.

    An act is one INSERT of all its events. In pipeline mode, one of ~20,000 events or more hung
    for ever with the server waiting for the rest of the message (reproduced here with 30,000
    registrations: the backend sat in ClientRead). Acts are rare and their size matters more than
    one round trip saved, so: lock, insert, read the ids, commit, one plain transaction.

    The lock that makes id order commit order is a transaction-level advisory lock rather than
    the library's ``LOCK TABLE … IN EXCLUSIVE MODE``: every writer takes it just the same, but it
    needs no UPDATE, DELETE or TRUNCATE privilege on the event table, so the API can run as a role
    that may only INSERT and SELECT there (DESIGN §11).
    """

    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        table = f"{self.datastore.schema}.{self.events_table_name}"
        self.lock_table_statements = [
            SQL("SET LOCAL lock_timeout = '{0}s'").format(self.datastore.lock_timeout),
            SQL("SELECT pg_advisory_xact_lock(hashtext({0}))").format(
                Literal(f"registry-append:{table}")),
        ]

    def insert_events(self, stored_events: Sequence[StoredEvent],
                      **kwargs: Any) -> Sequence[int] | None:
        with self.datastore.get_connection() as conn, conn.transaction(), \
                conn.cursor() as curs:
            self._insert_events(curs, stored_events, **kwargs)
            if not stored_events:
                return None
            self._insert_stored_events(curs, stored_events, **kwargs)
            return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)


class RegistryLog(Application):
    name = "registry"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())


EVENTS_TABLE = "registry_events"


def _events_table_exists(database: Database) -> bool:
    import psycopg

    table = f"{database.schema or 'public'}.{EVENTS_TABLE}"
    try:
        with psycopg.connect(host=database.host, port=database.port, user=database.user,
                             password=database.password or None, dbname=database.dbname,
                             connect_timeout=5) as conn:
            row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone()
    except psycopg.Error:
        return False  # the library's own connection reports the failure, in its words
    return bool(row and row[0])


class EventLog:
    """Appends events atomically and reads them back in log order."""

    def __init__(self, database: Database, create_tables: bool = True) -> None:
        self.database = database
        env = database.eventsourcing_env()
        if not create_tables:  # a hot standby: the tables are replicated, nothing may be created
            env["CREATE_TABLE"] = "no"
        elif database.backend == "postgresql" and _events_table_exists(database):
            # CREATE TABLE IF NOT EXISTS needs CREATE on the schema even when the table exists:
            # a role that may only INSERT and SELECT would fail here.
            env["CREATE_TABLE"] = "false"
        # The library reads os.environ too; pass ours explicitly so nothing leaks in.
        self.app = RegistryLog(env=env)
        self.recorder = self.app.recorder

    def append(self, events: Sequence[DomainEvent]) -> list[int]:
        try:
            recordings = self.app.events.put(events)
        except IntegrityError as e:
            raise Conflict("another act was recorded at the same time; retry") from e
        return [r.notification.id for r in recordings]

    def read(self, after: int, limit: int) -> list[tuple[int, Any]]:
        notifications = self.recorder.select_notifications(
            start=after, limit=limit, inclusive_of_start=False)
        to_event = self.app.mapper.to_domain_event
        return [(n.id, to_event(n)) for n in notifications]

    def last_id(self) -> int:
        return self.recorder.max_notification_id() or 0

    def stream(self, originator: UUID) -> list[Any]:
        return list(self.app.events.get(originator))

    # -- the hash chain (registry/adapters/chain.py) -------------------------------------------

    def chain(self, previous: str, events: Sequence[DomainEvent]) -> str:
        """The hash an act storing ``events`` gets after ``previous`` (its own hash left out)."""
        to_stored = self.app.mapper.to_stored_event
        return chain.link(previous, (
            chain.canonical(s.originator_id, s.originator_version, s.topic, s.state)
            for s in map(to_stored, events)))

    def rows(self, page: int = 5_000) -> Iterator[chain.StoredRow]:
        """Every stored event, in notification order, as stored."""
        after = 0
        while True:
            notifications = self.recorder.select_notifications(
                start=after, limit=page, inclusive_of_start=False)
            for n in notifications:
                yield chain.StoredRow(n.id, n.originator_id, n.originator_version, n.topic,
                                      n.state)
            if len(notifications) < page:
                return
            after = notifications[-1].id

    def verify(self, keep_heads: bool = False) -> chain.Verification:
        """Recompute the act hash chain over the whole log and check its structure."""
        def decode(row: chain.StoredRow) -> Any:
            return self.app.mapper.to_domain_event(
                StoredEvent(row.stream, row.version, row.topic, row.state))

        return chain.verify(self.rows(), decode, contiguous_ids=self.database.backend != "postgresql",
                            keep_heads=keep_heads)

    def chain_head(self) -> str:
        """The hash of the last act, recomputed from the log (for logs begun before the chain)."""
        return self.verify().head_hash

    def close(self) -> None:
        self.app.close()
