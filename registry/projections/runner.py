"""The pull loop that keeps the read models caught up with the event log, or rebuilds them.

The library's subscription runner does not work on SQLite, so this reads the ordered log page by
page (``EventLog.read(after, limit)``) on every backend. Each batch ends on an act boundary (events
recorded at the same moment stay together) and is written in one transaction with the new
position, so a crash between batches loses nothing and doubles nothing; a crash inside a batch
leaves it unwritten. A rebuild reads the log the same way and folds it with the same ``Folder``,
but into one set of row operations for the whole log, written at the end (``rebuild``).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from itertools import takewhile
from typing import Any, Protocol
from uuid import UUID

from registry.domain.events import Organisation
from registry.projections.failure import ProjectionFailed
from registry.projections.folding import Folder, Ops
from registry.projections.rows import ChangeRow, EdgeRow, VersionRow

PAGE = 5_000  # events per transaction (extended to the end of an act)

log = logging.getLogger(__name__)


class Log(Protocol):
    def read(self, after: int, limit: int) -> list[tuple[int, Any]]: ...


class Store(Protocol):
    def position(self) -> int: ...

    def apply(self, ops: Ops, expected: int, position: int,
              before_commit: Callable[[], None] | None = None) -> None: ...

    def clear(self) -> None: ...

    def one_transaction(self) -> AbstractContextManager[None]: ...

    def org_state(self, orgs: set[UUID]
                  ) -> tuple[list[ChangeRow], list[VersionRow], list[EdgeRow]]: ...

    def record_failure(self, failure: ProjectionFailed) -> None: ...


class StaleProjection(Exception):
    pass


def describe(event: Any) -> str:
    """An event as the failure report names it: its class and stream (and the act, if any)."""
    act = getattr(event, "act_id", None)
    return (f"{type(event).__qualname__} of {event.originator_id} v{event.originator_version}"
            + (f", act {act}" if act is not None else ""))


class Projection:
    def __init__(self, log: Log, store: Store, page: int = PAGE,
                 stale: type[Exception] = StaleProjection,
                 transient: tuple[type[Exception], ...] = ()) -> None:
        self.log = log
        self.store = store
        self.page = page
        self.stale = stale
        # Errors that say nothing about the events (the database went away): raised as they are,
        # never reported as a stuck event.
        self.transient = transient
        self.failure: ProjectionFailed | None = None
        self._rebuilding = False
        self.folder = Folder()
        self.position = -1  # unknown until read from the store
        self.batches = 0
        self.owns_log = False  # close the log with the projection (it opened it)
        self._carry: list[tuple[int, Any]] = []  # read, not yet folded: the start of an act
        self._carry_after = -1
        # Called inside each batch's transaction, after its rows are written (tests inject
        # crashes here).
        self.before_commit: Callable[[int], None] | None = None

    def _forget(self) -> None:
        self.folder = Folder()
        self.position = -1
        self._carry, self._carry_after = [], -1

    def catch_up(self) -> int:
        """Fold every event after the stored position into the read models; the count folded."""
        # The folder keeps every organisation's facts alive; the cyclic collector would scan
        # them all again and again (rebuilds slowed down with size). Nothing here makes cycles.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._catch_up()
        finally:
            if collecting:
                gc.enable()

    def _catch_up(self) -> int:
        folded = 0
        careful = False  # after a failed batch: one act per transaction, to find the culprit
        while True:
            stored = self.store.position()
            if stored != self.position:
                self._forget()
                self.position = stored
                self.folder.complete = stored == 0
                if stored:
                    self.folder.stand_in = self.store.stand_in_acts()
            events = self._first_act(stored) if careful else self._batch(stored)
            if not events:
                self.failure = None
                return folded
            try:
                self._project(stored, events)
            except self.stale:
                self._forget()
                continue
            except self.transient:
                self._forget()
                raise
            except Exception as e:
                self._forget()
                if not careful and not self._rebuilding:  # a rebuild rolls back whole
                    careful = True
                    continue
                raise self._stuck(stored, events[0], e) from e
            except BaseException:
                self._forget()
                raise
            self.position = events[-1][0]
            folded += len(events)

    def _project(self, stored: int, events: list[tuple[int, Any]]) -> None:
        orgs = {e.originator_id for _, e in events if isinstance(e, Organisation.Event)}
        missing = self.folder.missing(orgs)
        if missing:
            self.folder.prime(missing, *self.store.org_state(missing))
        ops = self.folder.fold(events)
        self.batches += 1
        hook = self.before_commit
        n = self.batches
        self.store.apply(ops, stored, events[-1][0],
                         (lambda hook=hook, n=n: hook(n)) if hook is not None else None)

    def _stuck(self, position: int, first: tuple[int, Any], error: Exception) -> ProjectionFailed:
        """Report (once per distinct failure) and remember why the projection cannot go on."""
        failure = ProjectionFailed(position, first[0], describe(first[1]),
                                   f"{type(error).__name__}: {error}".splitlines()[0])
        if not failure.same_as(self.failure):
            log.error("%s", failure, exc_info=error)
            try:
                self.store.record_failure(failure)
            except Exception:  # the report is a courtesy; the failure itself is raised
                log.exception("could not store the projection failure")
        self.failure = failure
        return failure

    def _first_act(self, after: int) -> list[tuple[int, Any]]:
        """Only the next act's events (the leading events of one moment)."""
        self._carry, self._carry_after = [], -1
        events: list[tuple[int, Any]] = []
        more = self.log.read(after, self.page)
        while more:
            first = (events or more)[0][1].timestamp
            same = list(takewhile(lambda item, first=first: item[1].timestamp == first, more))
            events += same
            if len(same) < len(more) or len(more) < self.page:
                break
            more = self.log.read(events[-1][0], self.page)
        return events

    def _batch(self, after: int) -> list[tuple[int, Any]]:
        """The next events, ending on an act boundary (all events of one moment together)."""
        carried = self._carry if self._carry_after == after else []
        self._carry, self._carry_after = [], -1
        more = self.log.read(carried[-1][0] if carried else after, self.page)
        events = carried + more
        if len(more) < self.page:  # the end of the log: every act in it is complete
            return events
        last = events[-1][1].timestamp
        cut = len(events)
        while cut > 0 and events[cut - 1][1].timestamp == last:
            cut -= 1
        if cut > 0:
            self._carry, self._carry_after = events[cut:], events[cut - 1][0]
            return events[:cut]
        while True:  # one act larger than a page: read on to its end
            more = self.log.read(events[-1][0], self.page)
            same = [e for e in more if e[1].timestamp == last]
            events += same
            if len(same) < len(more):
                self._carry, self._carry_after = more[len(same):], events[-1][0]
                return events
            if len(more) < self.page:
                return events

    def close(self) -> None:
        close = getattr(self.store, "close", None)
        if close is not None:
            close()
        if self.owns_log:
            self.log.close()  # type: ignore[attr-defined]

    def rebuild(self) -> int:
        """Empty the read models and fold the whole log again, in one transaction: readers keep
        the previous state until the new one is complete.

        The same fold as catch-up, but into one ``Ops`` for the whole log: every row is known
        with its final transaction-time span before anything is written, so nothing is compared
        with or updated in the tables, and each table is loaded in one bulk insert (COPY on
        PostgreSQL) together with the position."""
        self._rebuilding = True
        collecting = gc.isenabled()
        gc.disable()  # see catch_up
        try:
            with self.store.one_transaction():
                self.store.clear()
                self._forget()
                return self._fold_all()
        finally:
            self._rebuilding = False
            if collecting:
                gc.enable()

    def _fold_all(self) -> int:
        self.position = 0
        self.folder.complete = True
        ops = Ops()
        folded = 0
        while events := self._batch(self.position):
            try:
                self.folder.fold(events, ops)
            except Exception as e:
                self._forget()
                raise self._stuck(self.position, events[0], e) from e
            self.position = events[-1][0]
            folded += len(events)
        if folded:
            self.batches += 1
            hook, n = self.before_commit, self.batches
            self.store.apply(ops, 0, self.position,
                             (lambda: hook(n)) if hook is not None else None)
        return folded
