"""The reader's source of rows: the in-process index loaded from the read-model tables.

The index is loaded once, then refreshed by organisation: when the projection position moves on,
only the organisations whose streams have new events are reloaded. A refresh first catches the
projections up (if this process is the projector), so a reader that also projects never lags it.
Queries never refresh: they read whichever index was complete last, so they cost no database
round trip; a follower thread (``follower.py``) refreshes when woken.
"""

from __future__ import annotations

import gc
import threading
import time
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from registry.domain.model import Holding
from registry.domain.plans import ItemPlanned, StatusChanged
from registry.projections.failure import ProjectionFailed
from registry.projections.index import ReadIndex
from registry.projections.rows import ChangeRow, FigureRow, TargetRow

if TYPE_CHECKING:
    from registry.projections.runner import Projection


class Lock(Protocol):
    """The projector's lock (``registry.adapters.coordination.ProjectorLock``)."""

    def acquire(self) -> bool: ...

    def release(self) -> None: ...


class ModelSource:
    """The current index, swapped whole by ``refresh`` (queries never wait for a refresh).

    With a ``projection``, ``refresh`` first folds the log into the read models, when this process
    holds the projector ``lock``. A batch that cannot be projected leaves the read models (and the
    index) at the last consistent position; ``failure`` says why, for ``/readyz``.
    """

    def __init__(self, store: Any, projection: Projection | None = None,
                 lock: Lock | None = None) -> None:
        self.store = store
        self.projection = projection
        self.lock = lock
        self.failure: dict[str, Any] | None = None
        self.refreshed = 0.0  # time.monotonic() of the last refresh
        self.freeze = False  # a serving process: keep the index out of the cyclic collector
        self._index: ReadIndex | None = None
        self._lock = threading.RLock()
        self._between: tuple[tuple[date, date, int], list[ChangeRow]] | None = None

    def index(self) -> ReadIndex:
        idx = self._index
        return idx if idx is not None else self.refresh()

    def projecting(self) -> bool:
        """Whether this process projects (it holds the lock, or just took it)."""
        return self.projection is not None and (self.lock is None or self.lock.acquire())

    def refresh(self) -> ReadIndex:
        with self._lock:
            stuck: dict[str, Any] | None = None
            if self.projecting():
                assert self.projection is not None
                try:
                    self.projection.catch_up()
                except ProjectionFailed as e:  # answer from the last consistent state
                    stuck = {"position": e.position, "event": e.seq, "what": e.event,
                             "reason": e.reason, "since": e.at}
            old = self._index
            self._index = self._load() if old is None else self._update(old)
            if self.freeze and self._index is not old:
                # The index is millions of long-lived objects without cycles. Left to the cyclic
                # collector, every full collection (heavy requests allocate enough to trigger
                # them) walks it all, holding the interpreter for hundreds of milliseconds.
                gc.freeze()
            self.failure = stuck or self._stored_failure()
            self.refreshed = time.monotonic()
            return self._index

    def _stored_failure(self) -> dict[str, Any] | None:
        found = self.store.failure()
        return found if found is not None and found["position"] == self._index_position() \
            else None

    def _index_position(self) -> int:
        return self._index.position if self._index is not None else 0

    def wait_for(self, position: int, timeout: float) -> bool:
        """Refresh until the index reflects ``position`` (read your own writes), or time out."""
        deadline = time.monotonic() + timeout
        while True:
            if self.refresh().position >= position:
                return True
            if self.failure is not None or time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def _load(self) -> ReadIndex:
        idx = ReadIndex()
        with self.store.reading() as conn:
            idx.position = self.store.position(conn)
            idx.generation = self.store.generation(conn)
            versions, edges, acts = self.store.load_all(conn)
            idx.last_recorded = self.store.last_recorded(conn)
        by_org: dict[UUID, list[Any]] = {}
        for row in versions:
            by_org.setdefault(row.version.id, []).append(row)
        for org, rows in by_org.items():
            idx.put_org(org, rows)
        idx.put_edges(edges)
        for act in acts:
            idx.put_act(act)
        return idx

    def _update(self, old: ReadIndex) -> ReadIndex:
        with self.store.reading() as conn:
            position = self.store.position(conn)
            if self.store.generation(conn) != old.generation:  # rebuilt: load the new state
                return self._load()
            if position == old.position:
                return old
            if position < old.position:  # rebuilt underneath us: start again
                return self._load()
            orgs = self.store.touched_between(conn, old.position, position)
            versions, edges = self.store.org_rows(conn, orgs)
            acts = self.store.acts(conn)
            last = self.store.last_recorded(conn)
        idx = old.copy()
        by_org: dict[UUID, list[Any]] = {o: [] for o in orgs}
        for row in versions:
            by_org[row.version.id].append(row)
        for org, rows in by_org.items():
            idx.put_org(org, rows)
        idx.drop_edges_into(orgs)
        idx.put_edges(edges)
        idx.acts = {a.id: a for a in acts}
        idx.last_recorded = last
        idx.position = position
        return idx

    # the change list, read up to the index's position so answers agree with it

    def facts_of(self, org: UUID) -> list[ChangeRow]:
        return self.store.facts_of(org, self.index().position)  # type: ignore[no-any-return]

    def facts_between(self, first: date, last: date, after: tuple[date, int] | None = None,
                      limit: int | None = None, streams: set[UUID] | None = None
                      ) -> list[ChangeRow]:
        return self.store.facts_between(  # type: ignore[no-any-return]
            first, last, self.index().position, after, limit, streams)

    def log_after(self, after: int, limit: int) -> list[ChangeRow]:
        return self.store.log_after(after, limit, self.index().position)  # type: ignore[no-any-return]

    # staffing and functions, read from their tables (current knowledge)

    def staffing(self, orgs: set[UUID]) -> tuple[list[FigureRow], list[TargetRow]]:
        with self.store.reading() as conn:
            return self.store.staffing(conn, orgs)  # type: ignore[no-any-return]

    def holdings(self, orgs: set[UUID] | None = None, key: str | None = None) -> list[Holding]:
        with self.store.reading() as conn:
            return self.store.holdings(conn, orgs, key)  # type: ignore[no-any-return]

    def plan_rows(self, plan: UUID | None = None
                  ) -> tuple[list[ItemPlanned], list[StatusChanged]]:
        return self.store.plan_rows(self.index().position, plan)  # type: ignore[no-any-return]

    def close(self) -> None:
        if self.lock is not None:
            self.lock.release()
        if self.projection is not None:
            self.projection.close()
        else:
            self.store.close()


class QuestionSource:
    """The source of a one-shot reader (a command): one read transaction and a partial index
    that loads only the rows the question touches (``partial.py``)."""

    def __init__(self, store: Any) -> None:
        from registry.projections.partial import OnConnection, PartialIndex

        self.store = store
        self._reading = store.reading()
        self._conn = conn = self._reading.__enter__()
        position = store.position(conn)
        self._index = PartialIndex(OnConnection(store, conn), position)
        found = store.failure(conn)
        self.failure = found if found is not None and found["position"] == position else None

    def index(self) -> ReadIndex:
        return self._index

    def facts_of(self, org: UUID) -> list[ChangeRow]:
        return self.store.facts_of(org, self._index.position)  # type: ignore[no-any-return]

    def facts_between(self, first: date, last: date, after: tuple[date, int] | None = None,
                      limit: int | None = None, streams: set[UUID] | None = None
                      ) -> list[ChangeRow]:
        return self.store.facts_between(  # type: ignore[no-any-return]
            first, last, self._index.position, after, limit, streams)

    def log_after(self, after: int, limit: int) -> list[ChangeRow]:
        return self.store.log_after(after, limit, self._index.position)  # type: ignore[no-any-return]

    def staffing(self, orgs: set[UUID]) -> tuple[list[FigureRow], list[TargetRow]]:
        return self.store.staffing(self._conn, orgs)  # type: ignore[no-any-return]

    def holdings(self, orgs: set[UUID] | None = None, key: str | None = None) -> list[Holding]:
        return self.store.holdings(self._conn, orgs, key)  # type: ignore[no-any-return]

    def plan_rows(self, plan: UUID | None = None
                  ) -> tuple[list[ItemPlanned], list[StatusChanged]]:
        return self.store.plan_rows(  # type: ignore[no-any-return]
            self._index.position, plan, self._conn)

    def close(self) -> None:
        self._reading.__exit__(None, None, None)
        self.store.close()
