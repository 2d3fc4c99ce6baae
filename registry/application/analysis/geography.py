"""The common geography of two dates: groups of units of each date that cover the same territory.

Two units are in one group when a lineage edge recorded between the two dates links them, or
links units that link them (the connected parts of the lineage, as tongfen builds them between
two censuses). Only edges between units of the level are followed, so a commune's communes
déléguées do not join communes together. A unit on both dates with no edge is a group of its
own. Comparing two years on these groups needs no shares: each group is the same territory.
A group with one side empty was made from (or went into) units of another level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from registry.domain.model import Version
from registry.projections.index import ReadIndex


@dataclass(frozen=True)
class Group:
    from_units: list[Version]
    to_units: list[Version]

    def as_dict(self) -> dict[str, Any]:
        return {"from": [v.code for v in self.from_units], "to": [v.code for v in self.to_units],
                "from_units": [_unit(v) for v in self.from_units],
                "to_units": [_unit(v) for v in self.to_units]}


def _unit(v: Version) -> dict[str, Any]:
    return {"id": str(v.id), "code": v.code, "name": v.name}


def common_geography(idx: ReadIndex, from_date: date, to_date: date, level: str,
                     within: UUID | None = None, known_at: datetime | None = None
                     ) -> list[Group]:
    lo, hi = sorted((from_date, to_date))
    parent: dict[UUID, UUID] = {}

    def find(x: UUID) -> UUID:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    firsts = _at(idx, from_date, level, known_at)
    seconds = _at(idx, to_date, level, known_at)
    # every unit the lineage between the dates can reach from either side
    frontier = list({*firsts, *seconds})
    seen = set(frontier)
    while frontier:
        org = frontier.pop()
        find(org)
        for e in [*idx.edges_out(org, known_at), *idx.edges_in(org, known_at)]:
            if not lo < e.on <= hi or not _same_level(idx, e.source, e.target, e.on, level,
                                                      known_at):
                continue
            parent[find(e.source)] = find(e.target)
            for other in (e.source, e.target):
                if other not in seen:
                    seen.add(other)
                    frontier.append(other)
    scope = None
    if within is not None:
        scope = set(idx.subtree_ids(within, from_date, known_at)) | set(
            idx.subtree_ids(within, to_date, known_at))
    groups: dict[UUID, tuple[list[Version], list[Version]]] = {}
    for side, units in ((0, firsts), (1, seconds)):
        for org, v in units.items():
            groups.setdefault(find(org), ([], []))[side].append(v)
    out = []
    for a, b in groups.values():
        if scope is not None and not any(v.id in scope for v in (*a, *b)):
            continue
        out.append(Group(sorted(a, key=_key), sorted(b, key=_key)))
    out.sort(key=lambda g: _key((g.to_units or g.from_units)[0]))
    return out


def _at(idx: ReadIndex, on: date, level: str, known_at: datetime | None) -> dict[UUID, Version]:
    return {v.id: v for v in idx.existing(on, known_at, level) if v.level == level}


def _same_level(idx: ReadIndex, source: UUID, target: UUID, on: date, level: str,
                known_at: datetime | None) -> bool:
    before = idx.version(source, on - timedelta(days=1), known_at)
    after = idx.version(target, on, known_at)
    return (before is not None and after is not None and before.level == level
            and after.level == level)


def _key(v: Version) -> tuple[str, str, str]:
    return (v.code or "", v.name, str(v.id))
