"""One set of DataLoaders per request, so that a tree of N units costs a bounded number of reads.

``children`` answers a unit's children from one ``snapshot(at, within=unit)`` read of its whole
subtree, indexed by superior: the children of every unit inside that subtree are then known
without another read, and every unit seen is primed into ``units`` (which answers ``parent``).
Units and subtrees come from the reader's in-process index and are read inline (a hop to the
thread pool would cost more than the lookup); acts, which may touch the database, in the pool.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from registry.domain.errors import NotFound

Row = dict[str, Any]
Key = tuple[UUID, date, datetime | None]
RelatedKey = tuple[UUID, date, datetime | None, str]  # children along a relation
MAX_CHILDREN = 1000  # a page of the reader's; the children of one unit, read page by page


@dataclass
class Subtrees:
    """Children by superior, for every unit whose subtree was read, per (at, known_at)."""

    children: dict[tuple[date, datetime | None], dict[UUID, list[Row]]] = field(
        default_factory=lambda: defaultdict(dict))


class Loaders:
    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.subtrees = Subtrees()

    # Made on first use: most requests need none of them.

    @cached_property
    def units(self) -> DataLoader[Key, Row | None]:
        return DataLoader(load_fn=self._units)

    @cached_property
    def children(self) -> DataLoader[Key, list[Row]]:
        return DataLoader(load_fn=self._children)

    @cached_property
    def related(self) -> DataLoader[RelatedKey, list[Row]]:
        return DataLoader(load_fn=self._related)

    @cached_property
    def acts(self) -> DataLoader[UUID, Row]:
        return DataLoader(load_fn=self._acts)

    async def _acts(self, keys: list[UUID]) -> list[Row]:
        return await run_in_threadpool(lambda: [self.reader.act(k).as_dict() for k in keys])

    async def _units(self, keys: list[Key]) -> list[Row | None]:
        return self._read_units(keys)

    def _read_units(self, keys: list[Key]) -> list[Row | None]:
        out: list[Row | None] = []
        for org, at, known_at in keys:
            try:
                out.append(self.reader.unit(org, at, known_at, superiors=False).as_dict())
            except NotFound:
                out.append(None)
        return out

    async def _related(self, keys: list[RelatedKey]) -> list[list[Row]]:
        out = []
        for org, at, known_at, relation in keys:
            rows: list[Row] = []
            cursor: str | None = None
            while True:
                try:
                    page = self.reader.children(org, at, known_at, limit=MAX_CHILDREN,
                                                cursor=cursor, relation=relation)
                except NotFound:
                    break
                rows += [u.as_dict() for u in page.items]
                cursor = page.next
                if cursor is None:
                    break
            for row in rows:
                self.units.prime((UUID(row["id"]), at, known_at), row)
            out.append(rows)
        return out

    async def _children(self, keys: list[Key]) -> list[list[Row]]:
        missing = [k for k in keys if k[0] not in self.subtrees.children[(k[1], k[2])]]
        if missing:
            for (at, known_at), rows in self._read_subtrees(missing):
                for row in rows:
                    self.units.prime((UUID(row["id"]), at, known_at), row)
        return [self.subtrees.children[(at, known)].get(org, []) for org, at, known in keys]

    def _read_subtrees(self, keys: list[Key]
                       ) -> list[tuple[tuple[date, datetime | None], list[Row]]]:
        read = []
        for org, at, known_at in keys:
            index = self.subtrees.children[(at, known_at)]
            if org in index:  # read with an earlier key of this batch
                continue
            try:
                rows = [u.as_dict() for u in self.reader.snapshot(at, org, known_at)]
            except NotFound:
                rows = []
            found: dict[UUID, list[Row]] = {UUID(r["id"]): [] for r in rows}
            found.setdefault(org, [])
            for row in rows:
                parent = row["parent_id"]
                if parent is not None and UUID(parent) in found and row["id"] != str(org):
                    found[UUID(parent)].append(row)
            index.update(found)
            read.append(((at, known_at), rows))
        return read
