"""An index that loads only what the question needs: the reader of a one-shot command.

A command asks one question (a unit on a date, a subtree, a name) of a database that may hold the
whole country. Loading every row to answer it took seconds; this index has the same interface as
``ReadIndex`` and fetches an organisation's rows (versions, edges in and out) the first time it
is asked about, and the organisations behind a code, a superior or a name with one indexed query.
Every fetch goes through one read transaction, so the answer is one consistent state.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from registry.domain.model import PARTY, TERRITORY, Edge, Version
from registry.projections.index import ReadIndex
from registry.projections.rows import ActRow, EdgeRow, VersionRow


class Fetch(Protocol):
    """The queries the partial index runs (``ReadModelStore``'s, on one open connection)."""

    def rows_touching(self, orgs: Iterable[UUID]) -> tuple[list[VersionRow], list[EdgeRow]]: ...
    def ids_with_code(self, code: str) -> set[UUID]: ...
    def all_codes(self) -> set[str]: ...
    def ids_under(self, parents: Iterable[UUID],
                  columns: Sequence[str] = ("parent_id",)) -> set[UUID]: ...
    def ids_on(self, on: date, known: datetime | None) -> set[UUID]: ...
    def ids_named(self, needle: str, where: str = "anywhere") -> set[UUID]: ...
    def count_named(self, needle: str) -> int: ...
    def acts_by_id(self, ids: Iterable[UUID]) -> list[ActRow]: ...


class PartialIndex(ReadIndex):
    everything = False

    def __init__(self, fetch: Fetch, position: int) -> None:
        super().__init__()
        self.fetch = fetch
        self.position = position
        self._loaded: set[UUID] = set()
        self._edge_ids: set[str] = set()
        self._codes: set[str] = set()
        self._parents: set[tuple[UUID, str]] = set()  # (superior, column) asked already

    def load(self, orgs: Iterable[UUID]) -> None:
        missing = set(orgs) - self._loaded
        if not missing:
            return
        versions, edges = self.fetch.rows_touching(missing)
        by_org: dict[UUID, list[VersionRow]] = {o: [] for o in missing}
        for row in versions:
            by_org[row.version.id].append(row)
        for org, rows in by_org.items():
            self.put_org(org, rows)
        self._loaded |= missing
        self.put_edges(e for e in edges if e.id not in self._edge_ids)
        self._edge_ids |= {e.id for e in edges}

    def prefetch(self, orgs: Iterable[UUID]) -> None:
        self.load(orgs)

    def _children_of(self, parents: Iterable[UUID], relation: str | None = None) -> None:
        columns = _COLUMNS.get(relation, ("parent_id",))
        for column in columns:
            missing = {p for p in parents if (p, column) not in self._parents}
            if missing:
                self.load(self.fetch.ids_under(missing, (column,)))
                self._parents |= {(p, column) for p in missing}

    # -- the ReadIndex interface, loading first ------------------------------------------

    def versions(self, org: UUID, known: datetime | None) -> list[Version]:
        self.load((org,))
        return super().versions(org, known)

    def version(self, org: UUID, on: date, known: datetime | None = None) -> Version | None:
        self.load((org,))
        return super().version(org, on, known)

    def children(self, org: UUID, on: date, known: datetime | None = None,
                 relation: str | None = None) -> list[Version]:
        self._children_of((org,), relation)
        return super().children(org, on, known, relation)

    def subtree_ids(self, org: UUID, on: date, known: datetime | None = None,
                    relation: str | None = None) -> list[UUID]:
        out = [org]
        seen = {org}
        frontier = [org]
        while frontier:  # one query per level, not per unit
            self._children_of(frontier, relation)
            frontier = [c.id for parent in frontier
                        for c in ReadIndex.children(self, parent, on, known, relation)
                        if c.id not in seen]
            seen.update(frontier)
            out += frontier
        return out

    def holders_ever(self, code: str) -> set[UUID]:
        if code not in self._codes:
            self.load(self.fetch.ids_with_code(code))
            self._codes.add(code)
        return super().holders_ever(code)

    def codes(self) -> Iterable[str]:
        """Every code any unit ever held (one indexed query: near-code suggestions need all)."""
        return self.fetch.all_codes()

    def by_code(self, code: str, on: date, level: str | None = None,
                known: datetime | None = None) -> list[Version]:
        self.holders_ever(code)
        return super().by_code(code, on, level, known)

    def existing(self, on: date, known: datetime | None = None,
                 level: str | None = None) -> Iterator[Version]:
        orgs = self.fetch.ids_on(on, known)
        self.load(orgs)
        for org in orgs:
            v = super().version(org, on, known)
            if v is not None and (level is None or org in self._by_level.get(level, ())):
                yield v

    def edges_in(self, org: UUID, known: datetime | None = None) -> list[Edge]:
        self.load((org,))
        return super().edges_in(org, known)

    def edges_out(self, org: UUID, known: datetime | None = None) -> list[Edge]:
        self.load((org,))
        return super().edges_out(org, known)

    def names(self, needle: str = "", enough: int | None = None
              ) -> Iterable[tuple[str, set[UUID]]]:
        """With ``enough`` (a search of current names on any date, for that many hits), only the
        units that certainly rank first: those bearing the text as a whole word, or at a word's
        start, when there are ``enough`` of them (each has a hit that outranks any other)."""
        found: set[UUID] = set()
        if enough is not None:
            for where in ("word", "start"):
                found = self.fetch.ids_named(needle, where)
                if len(found) >= enough:
                    break
        if enough is None or len(found) < enough:
            found = self.fetch.ids_named(needle)
        self.load(found)
        return [(key, orgs & found) for key, orgs in super().names(needle) if orgs & found]

    def prefetch_acts(self, ids: Iterable[UUID]) -> None:
        missing = set(ids) - self.acts.keys()
        if missing:
            for row in self.fetch.acts_by_id(missing):
                self.put_act(row)

    def count_names(self, needle: str) -> int:
        """Counted by the database: a question about too many names loads none of them."""
        return self.fetch.count_named(needle)

    def act(self, act_id: UUID, known: datetime | None = None) -> ActRow | None:
        if act_id not in self.acts:
            for row in self.fetch.acts_by_id((act_id,)):
                self.put_act(row)
        return super().act(act_id, known)


# The columns naming a superior along each relation (None: the own line).
_COLUMNS = {None: ("parent_id",), PARTY: ("parent_id", "party_id"),
            TERRITORY: ("territory_id",)}


class OnConnection:
    """``Fetch`` bound to one connection of a store (the partial index's read transaction)."""

    def __init__(self, store: Any, conn: Any) -> None:
        self.store, self.conn = store, conn

    def rows_touching(self, orgs: Iterable[UUID]) -> tuple[list[VersionRow], list[EdgeRow]]:
        return self.store.rows_touching(self.conn, orgs)  # type: ignore[no-any-return]

    def ids_with_code(self, code: str) -> set[UUID]:
        return self.store.ids_with_code(self.conn, code)  # type: ignore[no-any-return]

    def all_codes(self) -> set[str]:
        return self.store.all_codes(self.conn)  # type: ignore[no-any-return]

    def ids_under(self, parents: Iterable[UUID],
                  columns: Sequence[str] = ("parent_id",)) -> set[UUID]:
        return self.store.ids_under(self.conn, parents, columns)  # type: ignore[no-any-return]

    def ids_on(self, on: date, known: datetime | None) -> set[UUID]:
        return self.store.ids_on(self.conn, on, known)  # type: ignore[no-any-return]

    def ids_named(self, needle: str, where: str = "anywhere") -> set[UUID]:
        return self.store.ids_named(self.conn, needle, where)  # type: ignore[no-any-return]

    def count_named(self, needle: str) -> int:
        return self.store.count_named(self.conn, needle)  # type: ignore[no-any-return]

    def acts_by_id(self, ids: Iterable[UUID]) -> list[ActRow]:
        return self.store.acts_by_id(self.conn, ids)  # type: ignore[no-any-return]
