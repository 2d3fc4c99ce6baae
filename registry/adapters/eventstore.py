"""The event log, through the eventsourcing library, on SQLite or PostgreSQL.

The library creates and owns its own tables (``registry_events``); alembic manages only the read
models. Writes go through ``EventStore.put``, which stores a list of events in one transaction: the
ledger event and every organisation event of one act commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    one round trip saved, so: lock the table, insert, read the ids, commit, one plain transaction.
    """

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


class EventLog:
    """Appends events atomically and reads them back in log order."""

    def __init__(self, database: Database, create_tables: bool = True) -> None:
        self.database = database
        env = database.eventsourcing_env()
        if not create_tables:  # a hot standby: the tables are replicated, nothing may be created
            env["CREATE_TABLE"] = "no"
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

    def close(self) -> None:
        self.app.close()
