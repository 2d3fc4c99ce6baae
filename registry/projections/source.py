"""The reader's source of rows: the in-process index loaded from the read-model tables.

The index is loaded once, then refreshed by organisation: when the projection position moves on,
only the organisations whose streams have new events are reloaded. A refresh first catches the
projections up (if this source owns them), so a reader that also follows the log never lags it.
Between refreshes, queries cost no database round trip; ``max_lag`` bounds how stale it may be.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from registry.projections.index import ReadIndex
from registry.projections.rows import ChangeRow
from registry.projections.runner import Projection


class ModelSource:
    def __init__(self, store: Any, projection: Projection | None = None,
                 max_lag: float = 1.0) -> None:
        self.store = store
        self.projection = projection
        self.max_lag = max_lag
        self._index: ReadIndex | None = None
        self._checked = 0.0
        self._lock = threading.RLock()
        self._between: tuple[tuple[date, date, int], list[ChangeRow]] | None = None

    def index(self) -> ReadIndex:
        idx = self._index
        if idx is None or time.monotonic() - self._checked >= self.max_lag:
            return self.refresh()
        return idx

    def refresh(self) -> ReadIndex:
        with self._lock:
            if self.projection is not None:
                self.projection.catch_up()
            self._index = self._load() if self._index is None else self._update(self._index)
            self._checked = time.monotonic()
            return self._index

    def _load(self) -> ReadIndex:
        idx = ReadIndex()
        with self.store.reading() as conn:
            idx.position = self.store.position(conn)
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

    def facts_between(self, first: date, last: date) -> list[ChangeRow]:
        # The last answer is kept while the position stands: a client paging through a national
        # day of changes (35,000 facts, 1.3 s to read and decode) asks the same range per page.
        key = (first, last, self.index().position)
        kept = self._between
        if kept is not None and kept[0] == key:
            return kept[1]
        rows: list[ChangeRow] = self.store.facts_between(first, last, key[2])
        self._between = (key, rows)
        return rows

    def facts_page(self, first: date, last: date, after: tuple[date, int] | None, limit: int,
                   streams: Sequence[UUID] | None = None) -> list[ChangeRow]:
        return self.store.facts_page(  # type: ignore[no-any-return]
            first, last, self.index().position, after, limit, streams)

    def log_after(self, after: int, limit: int) -> list[ChangeRow]:
        return self.store.log_after(after, limit, self.index().position)  # type: ignore[no-any-return]

    def close(self) -> None:
        if self.projection is not None:
            self.projection.close()
        else:
            self.store.close()
