"""The composition root: builds the registry for a database URL. Tests and the CLI both use it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from registry.adapters.eventstore import Database, EventLog
from registry.application.service import Registry, utcnow

if TYPE_CHECKING:
    from registry.application.reading import Reader
    from registry.projections.runner import Projection


def build(database_url: str, clock: Callable[[], datetime] = utcnow) -> Registry:
    log = EventLog(Database.parse(database_url))
    registry = Registry(log, clock)
    registry.catch_up()
    return registry


def migrate(database_url: str) -> None:
    """Bring the read-model schema (alembic, ``migrations/``) up to the newest revision."""
    from registry.adapters import readmodels

    readmodels.migrate(Database.parse(database_url))


def build_projection(database_url: str, log: EventLog | None = None) -> Projection:
    """The read-model projection (migrated schema, pull loop over the log), not yet caught up."""
    from registry.adapters import readmodels
    from registry.projections.runner import Projection

    database = Database.parse(database_url)
    store = readmodels.ReadModelStore(database)
    readmodels.migrate(database, store.engine)
    projection = Projection(log or EventLog(database), store, stale=readmodels.StalePosition)
    projection.owns_log = log is None
    return projection


def build_reader(database_url: str, registry: Registry | None = None,
                 max_lag: float = 1.0) -> Reader:
    """The read side for a database URL (see registry/application/reading.py).

    Migrates the read models, catches them up and loads the index. Pass the write side's
    ``registry`` when the same process also records acts: reads then see each act as soon as it is
    recorded. Otherwise the reader follows the log by itself at most ``max_lag`` seconds behind.
    """
    from registry.application.reading import Reader
    from registry.projections.source import ModelSource

    projection = build_projection(database_url, registry.log if registry is not None else None)
    source = ModelSource(projection.store, projection, max_lag)
    source.refresh()
    if registry is not None:
        registry.on_change(_quietly(source.refresh))
    return Reader(source)


def _quietly(catch_up: Callable[[], object]) -> Callable[[], None]:
    """A listener that never fails the act just recorded: the next catch-up retries."""

    def listener() -> None:
        try:
            catch_up()
        except Exception:  # the act is stored; the read models catch up on the next refresh
            logging.getLogger(__name__).exception("read models did not catch up; will retry")

    return listener


def follow(registry: Registry, database_url: str) -> None:
    """Keep the read models caught up with every act this registry records (the CLI's `load`)."""
    projection: list[Projection] = []

    def catch_up() -> None:
        if not projection:
            projection.append(build_projection(database_url, registry.log))
        projection[0].catch_up()

    registry.on_change(_quietly(catch_up))
