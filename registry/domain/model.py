"""The temporal model: facts about organisations, and the versions they fold into.

A *fact* is one recorded event about one organisation: it began, was renamed, moved under another
superior, ended, received territory from a predecessor, or had an earlier fact superseded. Every
fact carries its effective date (valid time), the act behind it, and when it was recorded
(transaction time). An organisation's state on a date is the fold of its non-superseded facts with
effective dates up to that date, in effective-date order (recording order breaks ties), so facts may
arrive in any order.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from registry.domain.errors import Violation
from registry.domain.text import name_key

# The attributes that have a value on every day of an organisation's life.
ATTRIBUTES = ("name", "code", "kind", "type", "level", "parent", "territory", "party")

# Fact kinds, and which attributes each may set.
BEGAN = "began"
RENAMED = "renamed"
RECODED = "recoded"
RECLASSIFIED = "reclassified"
REASSIGNED = "reassigned"
SERVES = "serves"
AFFILIATED = "affiliated"
DESCRIBED = "described"  # illustrative: the unit is an example, not taken from a source
ENDED = "ended"
DERIVED = "derived"
SUPERSEDED = "superseded"
# Quantities and functions: facts that set no attribute of the version (``SETS[kind] == ()``), so
# the version fold ignores them, but each must fall inside the organisation's lifetime.
STAFFED = "staffed"                  # a staffing figure: measure, category, value
STAFFING_TARGET = "staffing_target"  # a target for the subtree it is set on
FUNCTION_GAINED = "function_gained"  # function, source (the organisation it came from, or None)
FUNCTION_LOST = "function_lost"      # function, target (the organisation it went to, or None)

SETS: dict[str, tuple[str, ...]] = {
    BEGAN: ATTRIBUTES,
    RENAMED: ("name",),
    RECODED: ("code",),
    RECLASSIFIED: ("kind", "type", "level"),
    REASSIGNED: ("parent",),
    SERVES: ("territory",),
    AFFILIATED: ("party",),
    DESCRIBED: ("illustrative",),
    ENDED: (),
    DERIVED: (),
    SUPERSEDED: (),
    STAFFED: (),
    STAFFING_TARGET: (),
    FUNCTION_GAINED: (),
    FUNCTION_LOST: (),
}

# Staffing measures: the quota assigned (biên chế được giao) and the staff in post.
MEASURES = ("quota", "in_post")

# Typed relations (docs/adr/0007-typed-relations.md). A unit's ``parent`` is its superior in its
# OWN line: a party organisation's parent is a party organisation, a department's is the People's
# Committee. ``party`` is the party organisation a unit outside the party belongs to (a
# department in the Đảng bộ Ủy ban nhân dân tỉnh); ``territory`` the administrative unit it serves.
ADMINISTRATIVE = "administrative"
PARTY = "party"
TERRITORY = "territory"
RELATIONS = (ADMINISTRATIVE, PARTY, TERRITORY)
PARTY_ORGANISATION = "party_organisation"


def superior(version: Version, relation: str | None) -> UUID | None:
    """The superior of ``version`` along ``relation`` (None: its own line, the ``parent``)."""
    if relation is None:
        return version.parent
    if relation == ADMINISTRATIVE:
        return version.parent if version.kind != PARTY_ORGANISATION else None
    if relation == PARTY:
        return version.parent if version.kind == PARTY_ORGANISATION else version.party
    if relation == TERRITORY:
        return version.territory
    raise ValueError(f"unknown relation {relation!r}")


# Lineage edge types: the whole predecessor, part of its area, part of its population, or what
# remained of it after other parts left.
EDGE_TYPES = ("whole", "area", "population", "remainder")


@dataclass(frozen=True, slots=True)
class Fact:
    org: UUID
    version: int
    kind: str
    on: date
    values: Mapping[str, Any]
    act: UUID
    clause: str | None
    actor: str
    recorded_at: datetime
    seq: int

    def sets(self) -> dict[str, Any]:
        return {a: self.values[a] for a in SETS[self.kind] if a in self.values}


@dataclass(frozen=True, slots=True)
class Version:
    """An organisation as it stood over [valid_from, valid_to)."""

    id: UUID
    name: str
    code: str | None
    kind: str
    type: str
    level: str | None
    parent: UUID | None
    territory: UUID | None
    valid_from: date
    valid_to: date | None
    party: UUID | None = None  # the party organisation it belongs to (fact kind ``affiliated``)
    # True for a unit recorded as an example (real-shaped, not taken from a source): fact kind
    # ``described``, said in the unit's own record wherever it is answered.
    illustrative: bool = False
    # Set by the projection (never by the fold): the day it began (or ended) comes only from
    # acts whose effective date is a stand-in (``effective_stand_in``): its true day is unknown.
    from_stand_in: bool = False
    to_stand_in: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "type": self.type,
            "level": self.level,
            "parent_id": str(self.parent) if self.parent else None,
            "territory_id": str(self.territory) if self.territory else None,
            "party_id": str(self.party) if self.party else None,
            "illustrative": self.illustrative,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "valid_from_stand_in": self.from_stand_in,
            "valid_to_stand_in": self.to_stand_in,
        }


@dataclass(frozen=True, slots=True)
class Edge:
    """A lineage edge: ``source`` (existing the day before ``on``) passed to ``target`` on ``on``."""

    source: UUID
    target: UUID
    on: date
    type: str
    share: float | None
    change: str
    act: UUID
    clause: str | None


@dataclass(frozen=True, slots=True)
class Holding:
    """An organisation held ``function`` over [start, end): gained from ``source`` (None: assigned),
    lost to ``target`` (None: removed, or it ended while holding it)."""

    org: UUID
    function: str
    key: str  # the function's name_key: "who held X" compares keys
    start: date
    end: date | None
    source: UUID | None
    target: UUID | None
    act: UUID
    clause: str | None
    end_act: UUID | None


@dataclass(frozen=True, slots=True)
class Segment:
    start: date
    end: date | None  # exclusive; None while it lasts
    value: Any


def overlaps(a: Segment, b: Segment) -> date | None:
    """The first day two half-open segments share, or None."""
    start = max(a.start, b.start)
    ends = [e for e in (a.end, b.end) if e is not None]
    end = min(ends) if ends else None
    return start if end is None or start < end else None


@dataclass
class OrgRecord:
    """Everything recorded about one organisation, and what it folds into."""

    id: UUID
    facts: list[Fact] = field(default_factory=list)
    began: date | None = None
    ended: date | None = None
    registered: bool = False
    edges_in: list[Edge] = field(default_factory=list)
    versions: list[Version] = field(default_factory=list)
    problems: list[Violation] = field(default_factory=list)
    holdings: list[Holding] = field(default_factory=list)

    @property
    def last_version(self) -> int:
        return self.facts[-1].version if self.facts else 0

    def active_facts(self) -> list[Fact]:
        void = {f.values["target"] for f in self.facts if f.kind == SUPERSEDED}
        live = [f for f in self.facts if f.kind != SUPERSEDED and f.version not in void]
        live.sort(key=lambda f: (f.on, f.kind != BEGAN, f.kind == ENDED, f.seq))
        return live

    def derive(self) -> None:
        """Fold the facts into lifetime, attribute segments, versions and lineage edges."""
        self.problems = []
        facts = self.active_facts()
        begins = [f for f in facts if f.kind == BEGAN]
        ends = [f for f in facts if f.kind == ENDED]
        self.began = begins[0].on if begins else None
        self.ended = ends[0].on if ends else None
        self.registered = bool(begins) and begins[0].values.get("how") == "registration"
        self.edges_in = []
        self.versions = []
        self.holdings = []
        org = str(self.id)
        # A registration after the beginning is not a second beginning: it asserts the state on
        # its date (a backfill extended the unit's history before the baseline).
        again = [f for f in begins[1:] if f.values.get("how") != "registration"]
        if again:
            self.problems.append(Violation(
                "BeganTwice", f"organisation {org} would begin twice",
                (org,), again[0].on))
        if len(ends) > 1:
            self.problems.append(Violation(
                "AlreadyEnded", f"organisation {org} ended on {ends[0].on} and cannot end again",
                (org,), ends[1].on))
        if not begins:
            if facts:
                self.problems.append(Violation(
                    "OutsideLifetime", f"organisation {org} has changes but never began",
                    (org,), facts[0].on))
            return
        if self.ended is not None and self.ended <= self.began:
            self.problems.append(Violation(
                "OutsideLifetime",
                f"organisation {org} would end on {self.ended} before or when it began ({self.began})",
                (org,), self.ended))
        for f in facts:
            if f.kind in (BEGAN, ENDED):
                continue
            if f.kind == FUNCTION_LOST and f.on == self.ended:
                continue  # a function passed on the day its holder ends (clipped there anyway)
            if f.on < self.began or (self.ended is not None and f.on >= self.ended):
                self.problems.append(Violation(
                    "OutsideLifetime",
                    f"a '{f.kind}' change to organisation {org} on {f.on} falls outside its "
                    f"lifetime [{self.began}, {self.ended or '…'})",
                    (org,), f.on))
        if self.problems:
            return
        self._fold(facts)
        self._hold(facts)

    def _hold(self, facts: list[Fact]) -> None:
        """Function holdings: a gain opens one, a loss closes it; gaining a function held, or
        losing one not held, is refused. A holding still open when the organisation ends is
        clipped to its lifetime (it just stops holding it)."""
        open_: dict[str, tuple[Fact, str]] = {}
        org = str(self.id)
        for f in facts:
            if f.kind not in (FUNCTION_GAINED, FUNCTION_LOST):
                continue
            function = f.values["function"]
            key = name_key(function)
            held = open_.get(key)
            if f.kind == FUNCTION_GAINED:
                if held is not None:
                    self.problems.append(Violation(
                        "FunctionAlreadyHeld",
                        f"organisation {org} already holds the function '{held[1]}' on {f.on} "
                        f"(since {held[0].on})", (org,), f.on, {"function": function}))
                    continue
                open_[key] = (f, function)
            else:
                if held is None or held[0].on >= f.on:
                    self.problems.append(Violation(
                        "FunctionNotHeld",
                        f"organisation {org} does not hold the function '{function}' on "
                        f"{f.on - timedelta(days=1)}, so it cannot lose it on {f.on}",
                        (org,), f.on, {"function": function}))
                    continue
                gained = held[0]
                del open_[key]
                self.holdings.append(Holding(
                    self.id, held[1], key, gained.on, f.on, gained.values.get("source"),
                    f.values.get("target"), gained.act, gained.clause, f.act))
        for key, (gained, function) in open_.items():
            self.holdings.append(Holding(
                self.id, function, key, gained.on, self.ended, gained.values.get("source"), None,
                gained.act, gained.clause, None))
        self.holdings.sort(key=lambda h: (h.start, h.key))

    def holds(self, key: str, on: date) -> Holding | None:
        """The holding of the function with name_key ``key`` on ``on``, if any."""
        for h in self.holdings:
            if h.key == key and h.start <= on and (h.end is None or on < h.end):
                return h
        return None

    def _fold(self, facts: list[Fact]) -> None:
        state: dict[str, Any] = {}
        starts: list[date] = []
        states: list[dict[str, Any]] = []
        for f in facts:
            if f.kind == DERIVED:
                v = f.values
                self.edges_in.append(Edge(
                    v["source"], self.id, f.on, v["edge"], v.get("share"), v["change"],
                    f.act, f.clause))
                continue
            changed = f.sets()
            if not changed and f.kind != BEGAN:
                continue
            state = {**state, **changed}
            if starts and starts[-1] == f.on:
                states[-1] = state
            else:
                starts.append(f.on)
                states.append(state)
        for i, (start, st) in enumerate(zip(starts, states, strict=True)):
            end = starts[i + 1] if i + 1 < len(starts) else self.ended
            if self.versions and _same(self.versions[-1], st):
                prev = self.versions[-1]
                self.versions[-1] = _version(self.id, st, prev.valid_from, end)
            else:
                self.versions.append(_version(self.id, st, start, end))

    def exists_on(self, on: date) -> bool:
        return (self.began is not None and self.began <= on
                and (self.ended is None or on < self.ended))

    def version_on(self, on: date) -> Version | None:
        if not self.exists_on(on):
            return None
        i = bisect.bisect_right(self.versions, on, key=lambda v: v.valid_from) - 1
        return self.versions[i] if i >= 0 else None

    def value_on(self, attr: str, on: date) -> Any:
        version = self.version_on(on)
        return getattr(version, attr) if version else None


def _same(v: Version, state: dict[str, Any]) -> bool:
    return (all(getattr(v, a) == state.get(a) for a in ATTRIBUTES)
            and v.illustrative == bool(state.get("illustrative")))


def _version(org: UUID, st: dict[str, Any], start: date, end: date | None) -> Version:
    return Version(org, st["name"], st.get("code"), st["kind"], st["type"], st.get("level"),
                   st.get("parent"), st.get("territory"), start, end, st.get("party"),
                   bool(st.get("illustrative")))


def combined(record: OrgRecord, *attrs: str) -> list[Segment]:
    """Segments over which the tuple of ``attrs`` is constant (from the record's versions)."""
    out: list[Segment] = []
    for v in record.versions:
        value = tuple(getattr(v, a) for a in attrs)
        if out and out[-1].value == value and out[-1].end == v.valid_from:
            out[-1] = Segment(out[-1].start, v.valid_to, value)
        else:
            out.append(Segment(v.valid_from, v.valid_to, value))
    return out
