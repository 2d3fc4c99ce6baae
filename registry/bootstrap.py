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
