"""The composition root: builds the registry for a database URL. Tests and the CLI both use it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from registry.adapters.eventstore import Database, EventLog
from registry.application.service import Registry, utcnow


def build(database_url: str, clock: Callable[[], datetime] = utcnow) -> Registry:
    log = EventLog(Database.parse(database_url))
    registry = Registry(log, clock)
    registry.catch_up()
    return registry


def build_reader(database_url: str, registry: Registry | None = None) -> "Reader":
    """The read side for a database URL (see registry/application/reading.py).

    Pass the write side's ``registry`` when the same process also records acts, so that reads
    see each act as soon as it is recorded.
    """
    from registry.application.reading import Reader
    from registry.projections.replay import TimelineSource

    return Reader(TimelineSource(registry if registry is not None else build(database_url)))
