"""The composition root: builds the registry for a database URL. Tests and the CLI both use it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from registry.adapters.database import Database

if TYPE_CHECKING:
    from registry.adapters.coordination import ProjectorLock, Wakeups
    from registry.adapters.eventstore import EventLog
    from registry.application.reading import Reader
    from registry.application.service import Registry
    from registry.projections.follower import Follower
    from registry.projections.runner import Projection
    from registry.projections.source import ModelSource


def build(database_url: str, clock: Callable[[], datetime] | None = None,
          create_tables: bool = True) -> Registry:
    """The write side. Its in-memory timeline is folded from the log when it first records (or
    when ``catch_up`` is called): a process that only reads never builds it."""
    from registry.adapters.eventstore import EventLog
    from registry.application.service import Registry, utcnow

    return Registry(EventLog(Database.parse(database_url), create_tables), clock or utcnow)


def migrate(database_url: str) -> None:
    """Bring the read-model schema (alembic, ``registry/migrations``) up to the newest revision."""
    from registry.adapters import readmodels

    readmodels.migrate(Database.parse(database_url))


def build_projection(database_url: str, log: EventLog | None = None) -> Projection:
    """The read-model projection (migrated schema, pull loop over the log), not yet caught up."""
    from registry.adapters import readmodels
    from registry.adapters.eventstore import EventLog
    from registry.projections.runner import Projection

    database = Database.parse(database_url)
    store = readmodels.ReadModelStore(database)
    readmodels.migrate(database, store.engine)
    projection = Projection(log or EventLog(database), store, stale=readmodels.StalePosition,
                            transient=readmodels.TRANSIENT)
    projection.owns_log = log is None
    return projection


def build_reader(database_url: str, registry: Registry | None = None,
                 project: bool = True) -> Reader:
    """The read side for a database URL (see registry/application/reading.py).

    Loads the index; with ``project`` (unless the database is a hot standby), it migrates the
    read models and this process folds the log into them whenever it holds the projector lock
    (one projector per database).
    Pass the write side's ``registry`` when the same process also records acts: reads then see
    each act as soon as it is recorded. Otherwise the reader moves on when ``refresh`` is called
    (``serving`` starts a thread that does it when woken).
    """
    from registry.application.reading import Reader

    source = build_source(database_url, registry.log if registry is not None else None, project)
    source.refresh()
    if registry is not None:
        registry.on_change(_quietly(lambda: source.wait_for(registry.log.last_id(), SETTLE)))
    return Reader(source)


def question_reader(database_url: str) -> Reader:
    """A reader for one question (a command): it loads only the rows the answer needs, in one
    read transaction, and never projects."""
    from registry.adapters import readmodels
    from registry.application.reading import Reader
    from registry.projections.source import QuestionSource

    database = Database.parse(database_url)
    store = readmodels.ReadModelStore(database)
    if not store.migrated() and not store.read_only():  # a new database: empty read models
        readmodels.migrate(database, store.engine)
    return Reader(QuestionSource(store))


SETTLE = 10.0  # seconds a recorder waits for the read models to show its act


def build_source(database_url: str, log: EventLog | None = None,
                 project: bool = True) -> ModelSource:
    from registry.adapters import readmodels
    from registry.adapters.coordination import ProjectorLock
    from registry.projections.source import ModelSource

    database = Database.parse(database_url)
    store = readmodels.ReadModelStore(database)
    if project and not store.read_only():  # a hot standby only follows what it replicates
        store.close()
        projection = build_projection(database_url, log)
        return ModelSource(projection.store, projection, ProjectorLock(database))
    return ModelSource(store)


def read_only(database_url: str) -> bool:
    """Whether the database is a hot standby (it replicates; nothing may be written there)."""
    from registry.adapters import readmodels

    store = readmodels.ReadModelStore(Database.parse(database_url))
    try:
        return store.read_only()
    finally:
        store.close()


@dataclass
class Serving:
    """What ``registry serve`` runs: the lazy write side, the reader and its follower thread."""

    registry: Registry
    reader: Reader
    follower: Follower

    def close(self) -> None:
        self.follower.stop()
        self.reader.close()
        self.registry.log.close()


def serving(database_url: str, project: bool = True, poll: float = 0.25) -> Serving:
    """A serving process: reads from an index a background thread refreshes when woken."""
    from registry.adapters.coordination import LOG, READ_MODELS, Wakeups, notify
    from registry.application.reading import Reader
    from registry.projections.follower import Follower

    database = Database.parse(database_url)
    registry = build(database_url, create_tables=not read_only(database_url))
    source = build_source(database_url, registry.log, project)
    source.freeze = True
    source.refresh()
    follower = Follower(source, Wakeups(database, (READ_MODELS, LOG) if project else (READ_MODELS,),
                                        poll))

    def recorded() -> None:
        notify(database, LOG)  # other processes' projector
        source.wait_for(registry.log.last_id(), SETTLE)  # this process reads its own writes

    registry.on_change(_quietly(recorded))
    follower.start()
    return Serving(registry, Reader(source), follower)


@dataclass
class Projector:
    """The projector role on its own (``registry project``): the projection, its lock, wake-ups."""

    projection: Projection
    lock: ProjectorLock
    wakeups: Wakeups

    def close(self) -> None:
        self.wakeups.close()
        self.lock.release()
        self.projection.close()


def projector(database_url: str, poll: float = 1.0) -> Projector:
    from registry.adapters.coordination import LOG, ProjectorLock, Wakeups

    database = Database.parse(database_url)
    return Projector(build_projection(database_url), ProjectorLock(database),
                     Wakeups(database, (LOG,), poll))


def _quietly(catch_up: Callable[[], object]) -> Callable[[], None]:
    """A listener that never fails the act just recorded: the next catch-up retries."""

    def listener() -> None:
        try:
            catch_up()
        except Exception:  # the act is stored; the read models catch up on the next refresh
            logging.getLogger(__name__).exception("read models did not catch up; will retry")

    return listener


def settle(database_url: str, log: EventLog | None = None, timeout: float = 600.0) -> int:
    """Bring the read models up to the log's end (what ``load`` and imports do before exiting).

    Projects here if no other process holds the projector lock; otherwise waits for the process
    that does. Raises ``ProjectionFailed`` if an act cannot be projected; returns the position.
    """
    from registry.adapters.coordination import ProjectorLock
    from registry.projections.failure import ProjectionFailed

    projection = build_projection(database_url, log)
    lock = ProjectorLock(projection.store.database)
    try:
        if lock.acquire():
            projection.catch_up()
            return projection.position
        head = projection.log.last_id()
        deadline = time.monotonic() + timeout
        while (position := projection.store.position()) < head:
            failure = projection.store.failure()
            if failure is not None:
                raise ProjectionFailed(failure["position"], failure["event"], failure["what"],
                                       failure["reason"], failure["since"])
            if time.monotonic() > deadline:
                raise TimeoutError(f"the projector did not reach position {head} in {timeout:.0f} s"
                                   f" (read models at {position})")
            time.sleep(0.1)
        return position
    finally:
        lock.release()
        projection.close()


def status(database_url: str) -> dict[str, object]:
    """The log's head, the read models' position, how far behind they are and why, if stuck."""
    from registry.adapters import readmodels
    from registry.adapters.eventstore import EventLog

    database = Database.parse(database_url)
    store = readmodels.ReadModelStore(database)
    log = EventLog(database)
    try:
        head, position = log.last_id(), store.position()
        return {"head": head, "position": position, "lag": max(head - position, 0),
                "failure": store.failure()}
    finally:
        log.close()
        store.close()
