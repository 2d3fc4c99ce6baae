"""The in-process index the queries read: every version and edge row, indexed over all time.

Built from the read-model tables (never from the event log) and refreshed by organisation when the
projections move on. Current knowledge (``known=None``) has its own sorted lists so that an as-of
lookup is one dictionary access and one bisection; a "known at" lookup filters one
organisation's rows by their transaction-time interval first.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any
from uuid import UUID

from registry.domain.model import PARTY, TERRITORY, Edge, Version, superior
from registry.domain.text import fold
from registry.projections.rows import ActRow, EdgeRow, VersionRow


class ReadIndex:
    everything = True  # every row of the read models is here (not so for a partial index)

    def __init__(self) -> None:
        self.rows: dict[UUID, list[VersionRow]] = {}
        self.current: dict[UUID, list[Version]] = {}
        self._starts: dict[UUID, list[date]] = {}
        self._children: dict[UUID, set[UUID]] = defaultdict(set)
        self._members: dict[UUID, set[UUID]] = defaultdict(set)  # by party superior
        self._served: dict[UUID, set[UUID]] = defaultdict(set)  # by territory
        self._by_code: dict[str, set[UUID]] = defaultdict(set)
        self._names: dict[str, set[UUID]] = defaultdict(set)
        self._by_level: dict[str | None, set[UUID]] = defaultdict(set)
        self._edges_in: dict[UUID, list[EdgeRow]] = defaultdict(list)
        self._edges_out: dict[UUID, list[EdgeRow]] = defaultdict(list)
        self._keys: dict[UUID, list[tuple[str, Any]]] = {}
        self.acts: dict[UUID, ActRow] = {}
        self.position = 0
        self.generation = 0  # rebuilds of the read models it was loaded from
        self.last_recorded: datetime | None = None

    # -- loading -------------------------------------------------------------------------

    def put_org(self, org: UUID, rows: Iterable[VersionRow]) -> None:
        """Replace everything known about one organisation's versions."""
        for name, key in self._keys.pop(org, []):
            index = getattr(self, name)
            members = index.get(key)
            if members is not None:
                members.discard(org)
                if not members:
                    del index[key]
        ordered = sorted(rows, key=lambda r: (r.version.valid_from, r.recorded_from))
        if not ordered:
            self.rows.pop(org, None)
            self.current.pop(org, None)
            self._starts.pop(org, None)
            return
        self.rows[org] = ordered
        live = [r.version for r in ordered if r.recorded_to is None]
        self.current[org] = live
        self._starts[org] = [v.valid_from for v in live]
        keys: list[tuple[str, Any]] = []
        for r in ordered:
            v = r.version
            if v.parent is not None:
                keys.append(("_children", v.parent))
            if v.party is not None:
                keys.append(("_members", v.party))
            if v.territory is not None:
                keys.append(("_served", v.territory))
            if v.code is not None:
                keys.append(("_by_code", v.code))
            keys.append(("_names", r.search_key or fold(v.name)))
            keys.append(("_by_level", v.level))
        for name, key in keys:
            getattr(self, name)[key].add(org)
        self._keys[org] = keys

    def copy(self) -> ReadIndex:
        """A copy to update while queries keep reading this one (copy on write)."""
        new = ReadIndex()
        new.rows, new.current, new._starts = dict(self.rows), dict(self.current), dict(self._starts)
        for name in ("_children", "_members", "_served", "_by_code", "_names", "_by_level"):
            setattr(new, name, defaultdict(set, {k: set(v) for k, v in getattr(self, name).items()}))
        for name in ("_edges_in", "_edges_out"):
            setattr(new, name, defaultdict(list, {k: list(v) for k, v in getattr(self, name).items()}))
        new._keys = dict(self._keys)
        new.acts = dict(self.acts)
        new.position, new.last_recorded = self.position, self.last_recorded
        new.generation = self.generation
        return new

    def put_edges(self, edges: Iterable[EdgeRow]) -> None:
        for row in edges:
            self._edges_in[row.edge.target].append(row)
            self._edges_out[row.edge.source].append(row)

    def drop_edges_into(self, orgs: set[UUID]) -> None:
        """Forget every edge into ``orgs`` (an edge belongs to its target's stream)."""
        for org in orgs:
            for row in self._edges_in.pop(org, []):
                out = self._edges_out.get(row.edge.source)
                if out is not None:
                    out[:] = [r for r in out if r.id != row.id]
                    if not out:
                        del self._edges_out[row.edge.source]

    def put_act(self, act: ActRow) -> None:
        self.acts[act.id] = act

    # -- reading -------------------------------------------------------------------------

    def prefetch(self, orgs: Iterable[UUID]) -> None:
        """A hint that these organisations are about to be read (everything is here already)."""

    def prefetch_acts(self, ids: Iterable[UUID]) -> None:
        """A hint that these acts are about to be read (every act is here already)."""

    def versions(self, org: UUID, known: datetime | None) -> list[Version]:
        if known is None:
            return self.current.get(org, [])
        return [r.version for r in self.rows.get(org, ()) if r.known(known)]

    def version(self, org: UUID, on: date, known: datetime | None = None) -> Version | None:
        if known is None:
            starts = self._starts.get(org)
            if not starts:
                return None
            i = bisect.bisect_right(starts, on) - 1
            if i < 0:
                return None
            v = self.current[org][i]
            return v if v.valid_to is None or on < v.valid_to else None
        for v in self.versions(org, known):
            if v.valid_from <= on and (v.valid_to is None or on < v.valid_to):
                return v
        return None

    def exists_ever(self, org: UUID, known: datetime | None = None) -> bool:
        return bool(self.versions(org, known))

    def _pool(self, org: UUID, relation: str | None) -> set[UUID] | tuple[()]:
        """Every organisation ever under ``org`` along ``relation`` (and perhaps others)."""
        if relation == PARTY:
            return self._children.get(org, set()) | self._members.get(org, set())
        if relation == TERRITORY:
            return self._served.get(org, ())
        return self._children.get(org, ())

    def children(self, org: UUID, on: date, known: datetime | None = None,
                 relation: str | None = None) -> list[Version]:
        """The units directly under ``org`` on ``on`` along ``relation`` (None: their own
        line, the ``parent``)."""
        out = []
        for child in self._pool(org, relation):
            v = self.version(child, on, known)
            if v is not None and superior(v, relation) == org:
                out.append(v)
        out.sort(key=lambda v: (v.code or "", v.name, str(v.id)))
        return out

    def ancestors(self, org: UUID, on: date, known: datetime | None = None,
                  relation: str | None = None) -> list[Version]:
        out: list[Version] = []
        seen = {org}
        v = self.version(org, on, known)
        up = superior(v, relation) if v is not None else None
        while up is not None and up not in seen:
            seen.add(up)
            v = self.version(up, on, known)
            if v is None:
                break
            out.append(v)
            up = superior(v, relation)
        return out

    def codes(self) -> Iterable[str]:
        """Every code any unit ever held."""
        return self._by_code.keys()

    def holders_ever(self, code: str) -> set[UUID]:
        return self._by_code.get(code, set())

    def by_code(self, code: str, on: date, level: str | None = None,
                known: datetime | None = None) -> list[Version]:
        out = []
        for org in self._by_code.get(code, ()):
            v = self.version(org, on, known)
            if v is not None and v.code == code and (level is None or v.level == level):
                out.append(v)
        return sorted(out, key=lambda v: (v.level or "", str(v.id)))

    def existing(self, on: date, known: datetime | None = None,
                 level: str | None = None) -> Iterator[Version]:
        """Every organisation on a date; with ``level``, only those ever at that level."""
        for org in self.rows if level is None else self._by_level.get(level, ()):
            v = self.version(org, on, known)
            if v is not None:
                yield v

    def subtree_ids(self, org: UUID, on: date, known: datetime | None = None,
                    relation: str | None = None) -> list[UUID]:
        out = [org]
        seen = {org}
        i = 0
        while i < len(out):
            for c in self.children(out[i], on, known, relation):
                if c.id not in seen:  # the relations together may hold a cycle: never loop
                    seen.add(c.id)
                    out.append(c.id)
            i += 1
        return out

    def edges_in(self, org: UUID, known: datetime | None = None) -> list[Edge]:
        return _edges(self._edges_in.get(org, ()), known, lambda e: str(e.source))

    def edges_out(self, org: UUID, known: datetime | None = None) -> list[Edge]:
        return _edges(self._edges_out.get(org, ()), known, lambda e: str(e.target))

    def names(self, needle: str = "", enough: int | None = None
              ) -> Iterable[tuple[str, set[UUID]]]:
        """Every search key containing ``needle``, with the organisations that bore it (a partial
        index may leave out those that cannot be among the first ``enough`` hits)."""
        return [(key, orgs) for key, orgs in self._names.items() if needle in key]

    def count_names(self, needle: str) -> int:
        """How many search keys contain ``needle`` (``names(needle)`` counted)."""
        return sum(1 for key in self._names if needle in key)

    def act(self, act_id: UUID, known: datetime | None = None) -> ActRow | None:
        act = self.acts.get(act_id)
        return act if act is not None and act.known(known) else None


def _edges(rows: Iterable[EdgeRow], known: datetime | None, other) -> list[Edge]:  # type: ignore[no-untyped-def]
    return sorted((r.edge for r in rows if r.known(known)),
                  key=lambda e: (e.on, other(e), e.clause or ""))
