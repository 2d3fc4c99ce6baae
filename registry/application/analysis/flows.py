"""Where one date's units went by another date: each unit's territory as fractions of the other
date's units, following the lineage edges recorded between the two dates (DESIGN §14).

Forwards, a unit's whole (1.0) moves along its edges in date order. When a unit ends, what it
holds is divided among its successors:

- a ``whole`` edge passes everything; a recorded share passes that share (a ``population``
  share is preferred to an ``area`` share on the same edge pair); a ``remainder`` edge passes
  what the recorded shares leave;
- **fallback** where the shares do not settle it (no share recorded, or shares that do not add
  up to one): what is unaccounted for goes to the successor that keeps the unit's code, or else
  in equal parts to the successors without a share. Every use is noted.

A unit that continues keeps what its recorded shares do not send away; a part that left without
a recorded share is a fallback too (the part stays with the unit, which keeps its code).
Edges to units of another level (a French commune's commune déléguée) are not followed when the
unit has a successor at its own level, so sub-units do not take a share of their commune.

Backwards (an earlier date), a unit's value goes to the units it was made from. A unit made from
one unit lies wholly in it (exact); one made from several, or one that absorbed others, cannot
be divided without the later unit's own shares, which the registry does not record: equal
parts, noted as a fallback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

from registry.domain.model import Edge, Version
from registry.projections.index import ReadIndex

EPSILON = 1e-9
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Fallback:
    """A division the recorded shares did not settle, and the rule used instead."""

    on: date
    unit: Version               # the unit divided, as it stood just before the change
    into: tuple[Version, ...]   # the units it went to (backwards: came from)
    rule: str                   # keeps-code | equal-parts | scaled | stays
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {"on": self.on.isoformat(), "unit": _ref(self.unit),
                "into": [_ref(v) for v in self.into], "rule": self.rule, "detail": self.detail}


@dataclass
class Flow:
    """One unit of the first date as fractions of units on the second date."""

    parts: dict[UUID, float] = field(default_factory=dict)
    fallbacks: list[Fallback] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)  # why some of it reached no unit


def _ref(v: Version) -> dict[str, object]:
    return {"id": str(v.id), "code": v.code, "name": v.name, "level": v.level}


class Flows:
    """The fractions of ``to_date``'s units (at ``level``) that each unit of ``from_date`` became,
    computed once per unit and kept."""

    def __init__(self, idx: ReadIndex, from_date: date, to_date: date, level: str | None,
                 known_at: datetime | None = None) -> None:
        self.idx = idx
        self.from_date, self.to_date = from_date, to_date
        self.level = level
        self.known_at = known_at
        self.back = to_date < from_date
        self.lo, self.hi = sorted((from_date, to_date))
        self._cache: dict[UUID, Flow] = {}
        self.arrivals: set[UUID] | None = None  # the units of to_date at the level, if known

    def touched(self, org: UUID) -> bool:
        """Whether a lineage edge between the two dates starts (backwards: ends) at ``org``."""
        return bool(self._edges(org))

    def of(self, org: UUID) -> Flow:
        flow = self._cache.get(org)
        if flow is None:
            flow = self._cache[org] = self._walk(org)
        return flow

    # -- the walk ------------------------------------------------------------------------

    def _edges(self, org: UUID) -> list[Edge]:
        edges = (self.idx.edges_in(org, self.known_at) if self.back
                 else self.idx.edges_out(org, self.known_at))
        if not edges:
            return edges
        lo, hi = self.lo, self.hi
        return [e for e in edges if lo < e.on <= hi]

    def _walk(self, start: UUID) -> Flow:
        if self.arrivals is not None and start in self.arrivals and not self._edges(start):
            return Flow({start: 1.0})  # most units: still there, untouched
        flow = Flow()
        mass = {start: 1.0}
        clock = self.from_date
        while True:
            pending = {org: es for org in mass if (es := self._edges(org))}
            due = [e.on for es in pending.values() for e in es
                   if (e.on <= clock if self.back else e.on > clock)]
            if not due:
                break
            on = max(due) if self.back else min(due)
            moved: dict[UUID, float] = {}
            for org, amount in mass.items():
                here = [e for e in pending.get(org, ()) if e.on == on]
                share = (self._backwards(org, here, on, flow) if self.back
                         else self._forwards(org, here, on, flow)) if here else {org: 1.0}
                for target, fraction in share.items():
                    moved[target] = moved.get(target, 0.0) + amount * fraction
            mass = {k: v for k, v in moved.items() if v > EPSILON}
            clock = on - DAY if self.back else on
        for org, amount in mass.items():
            if self.arrivals is not None and org in self.arrivals:
                flow.parts[org] = flow.parts.get(org, 0.0) + amount
                continue
            v = self.idx.version(org, self.to_date, self.known_at)
            if v is not None and (self.level is None or v.level == self.level):
                flow.parts[org] = flow.parts.get(org, 0.0) + amount
                continue
            last = self._near(org, self.to_date)
            name = f"{last.name} ({last.code or '—'})" if last else str(org)
            if v is not None:
                flow.lost.append(f"{amount:.4g} went to {name}, at level {v.level} on "
                                 f"{self.to_date}")
            elif last is not None and last.valid_to is not None and not self.back:
                flow.lost.append(f"{amount:.4g} stayed with {name}, which ended on "
                                 f"{last.valid_to} with no successor")
            else:
                flow.lost.append(f"{amount:.4g} went to {name}, which did not exist on "
                                 f"{self.to_date}")
        return flow

    def _near(self, org: UUID, on: date) -> Version | None:
        versions = self.idx.versions(org, self.known_at)
        before = [v for v in versions if v.valid_from <= on]
        return before[-1] if before else (versions[0] if versions else None)

    def _level_at(self, org: UUID, on: date) -> str | None:
        v = self.idx.version(org, on, self.known_at)
        return v.level if v is not None else None

    def _version(self, org: UUID, on: date) -> Version:
        v = self.idx.version(org, on, self.known_at) or self._near(org, on)
        assert v is not None, org
        return v

    # -- forwards ------------------------------------------------------------------------

    def _forwards(self, org: UUID, edges: list[Edge], on: date, flow: Flow) -> dict[UUID, float]:
        before = self._version(org, on - DAY)
        continues = self.idx.version(org, on, self.known_at) is not None
        same = [e for e in edges if self._level_at(e.target, on) == before.level]
        edges = same if same or continues else edges
        if not edges:
            return {org: 1.0}
        shares, remainder, unknown = _shares(edges, continues)
        if continues:
            return self._parting(org, before, on, shares, remainder + unknown, flow)
        return self._ending(before, on, shares, remainder, unknown, flow)

    def _ending(self, before: Version, on: date, shares: dict[UUID, float],
                remainder: list[UUID], unknown: list[UUID], flow: Flow) -> dict[UUID, float]:
        known = sum(shares.values())
        if not remainder and not unknown:
            if abs(known - 1.0) > EPSILON:
                self._note(flow, on, before, list(shares), "scaled",
                           f"the recorded shares add up to {known:.4g}; scaled to 1")
                return {t: s / known for t, s in shares.items()}
            return shares
        if known > 1.0 + EPSILON:
            self._note(flow, on, before, list(shares), "scaled",
                       f"the recorded shares add up to {known:.4g}; scaled to 1, the successors "
                       "without a share get nothing")
            return {t: s / known for t, s in shares.items()}
        left = max(0.0, 1.0 - known)
        if len(remainder) == 1 and not unknown:
            return {**shares, remainder[0]: left}
        pool = remainder + unknown
        if not shares and len(pool) == 1:
            return {pool[0]: 1.0}  # one successor at the level: all of it went there
        keepers = [t for t in pool if self._version(t, on).code == before.code
                   and before.code is not None]
        out = dict(shares)
        if len(keepers) == 1:
            out[keepers[0]] = out.get(keepers[0], 0.0) + left
            self._note(flow, on, before, pool, "keeps-code",
                       f"no share recorded for {len(pool)} successor(s): the "
                       f"{left:.4g} left goes to the one that keeps code {before.code}")
        else:
            for t in pool:
                out[t] = out.get(t, 0.0) + left / len(pool)
            self._note(flow, on, before, pool, "equal-parts",
                       f"no share recorded for {len(pool)} successor(s): the {left:.4g} left "
                       "is divided in equal parts")
        return out

    def _parting(self, org: UUID, before: Version, on: date, shares: dict[UUID, float],
                 unshared: list[UUID], flow: Flow) -> dict[UUID, float]:
        known = sum(shares.values())
        out = dict(shares)
        if known > 1.0 + EPSILON:
            self._note(flow, on, before, list(shares), "scaled",
                       f"the parts that left add up to {known:.4g}; scaled to 1")
            return {t: s / known for t, s in out.items()}
        out[org] = out.get(org, 0.0) + 1.0 - known
        if unshared:
            self._note(flow, on, before, unshared, "stays",
                       "a part left with no share recorded: it stays with the unit, which "
                       "keeps its code")
        return out

    # -- backwards -----------------------------------------------------------------------

    def _backwards(self, org: UUID, edges: list[Edge], on: date, flow: Flow) -> dict[UUID, float]:
        after = self._version(org, on)
        existed = self.idx.version(org, on - DAY, self.known_at) is not None
        same = [e for e in edges if self._level_at(e.source, on - DAY) == after.level]
        edges = same if same or existed else edges
        sources = list(dict.fromkeys(e.source for e in edges if e.source != org))
        if existed:
            sources = [org, *sources]
        if not sources:
            return {org: 1.0}
        if len(sources) == 1:
            return {sources[0]: 1.0}
        self._note(flow, on, after, sources, "equal-parts",
                   f"made from {len(sources)} units; the registry records what each passed on, "
                   "not what part of the new unit each became: equal parts")
        return {s: 1.0 / len(sources) for s in sources}

    def _note(self, flow: Flow, on: date, unit: Version, into: list[UUID], rule: str,
              detail: str) -> None:
        side = on - DAY if self.back else on
        versions = tuple(self._version(t, side) for t in into)
        flow.fallbacks.append(Fallback(on, unit, versions, rule, detail))


def _shares(edges: list[Edge], continues: bool
            ) -> tuple[dict[UUID, float], list[UUID], list[UUID]]:
    """Per target: a recorded share (population first, then area; 1 for whole), or a place
    among the remainder edges, or among the edges without a share."""
    by_target: dict[UUID, list[Edge]] = {}
    for e in edges:
        by_target.setdefault(e.target, []).append(e)
    shares: dict[UUID, float] = {}
    remainder: list[UUID] = []
    unknown: list[UUID] = []
    for target, es in by_target.items():
        kinds = {e.type: e for e in es}
        pick = next((kinds[k] for k in ("population", "area")
                     if k in kinds and kinds[k].share is not None), None)
        if pick is not None and pick.share is not None:
            shares[target] = float(pick.share)
        elif "whole" in kinds and not continues:
            shares[target] = 1.0
        elif "remainder" in kinds:
            remainder.append(target)
        else:
            unknown.append(target)
    return shares, remainder, unknown
