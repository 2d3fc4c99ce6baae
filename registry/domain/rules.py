"""The invariants of DESIGN §4, checked over the whole timeline for the organisations an act touched.

An act can only break an invariant through an organisation whose facts it changed, or through one
that depends on such an organisation (a child whose superior changed lifetime, a successor whose
predecessor did). So the checks start from the touched set and reach exactly those neighbours, using
all-time indexes: the cost follows the act's size, not the registry's.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from registry.domain.errors import Violation
from registry.domain.model import (
    PARTY,
    PARTY_ORGANISATION,
    OrgRecord,
    Segment,
    combined,
    overlaps,
    superior,
)
from registry.domain.text import name_key

if TYPE_CHECKING:
    from registry.domain.timeline import Timeline

MAX_DEPTH = 64


def check(tl: Timeline, touched: set[UUID]) -> list[Violation]:
    found: list[Violation] = []
    for org in sorted(touched, key=str):
        record = tl.records.get(org)
        if record is not None:
            found.extend(record.problems)
    if found:
        return found
    dependants = set(touched)
    members = set(touched)
    for org in touched:
        dependants |= tl.children_ever(org)
        members |= tl.members_ever(org)
    for org in sorted(dependants, key=str):
        found.extend(_superior_exists(tl, org))
    for org in sorted(members, key=str):
        found.extend(_party_exists(tl, org))
    for org in sorted(touched, key=str):
        if org not in tl.records:
            continue
        found.extend(_code_unique(tl, org))
        found.extend(_sibling_name_unique(tl, org))
        found.extend(_no_cycle(tl, org))
        if _in_party_line(tl.records[org]):
            found.extend(_no_cycle(tl, org, PARTY))
        found.extend(_lineage_endpoints_exist(tl, org))
    return _dedupe(found)


def _name(tl: Timeline, org: UUID, on: date | None = None) -> str:
    record = tl.records.get(org)
    if record is None or not record.versions:
        return str(org)
    v = record.version_on(on) if on else None
    v = v or record.versions[-1]
    code = f" ({v.code})" if v.code else ""
    return f"{v.name}{code}"


def _superior_exists(tl: Timeline, org: UUID) -> list[Violation]:
    record = tl.records.get(org)
    if record is None:
        return []
    out = []
    for seg in combined(record, "parent"):
        (parent,) = seg.value
        if parent is None:
            continue
        sup = tl.records.get(parent)
        if parent == org:
            out.append(Violation(
                "HierarchyCycle", f"{_name(tl, org)} cannot be its own superior",
                (str(org),), seg.start))
            continue
        missing = _first_day_missing(sup.began if sup else None, sup.ended if sup else None, seg)
        if missing is not None:
            out.append(Violation(
                "ParentNotActive",
                f"the superior of {_name(tl, org, missing)}, {_name(tl, parent, missing)}, "
                f"does not exist on {missing}",
                (str(org), str(parent)), missing))
    return out


def _party_exists(tl: Timeline, org: UUID) -> list[Violation]:
    """Relation ``party``: whenever a unit belongs to a party organisation, that organisation
    exists and is a party organisation (``kind: party_organisation``)."""
    record = tl.records.get(org)
    if record is None:
        return []
    out = []
    for seg in combined(record, "party"):
        (party,) = seg.value
        if party is None:
            continue
        if party == org:
            out.append(Violation(
                "HierarchyCycle", f"{_name(tl, org)} cannot be its own party superior",
                (str(org),), seg.start))
            continue
        sup = tl.records.get(party)
        missing = _first_day_missing(sup.began if sup else None, sup.ended if sup else None, seg)
        if missing is not None:
            out.append(Violation(
                "PartyNotActive",
                f"the party superior (relation party) of {_name(tl, org, missing)}, "
                f"{_name(tl, party, missing)}, does not exist on {missing}",
                (str(org), str(party)), missing, {"relation": PARTY}))
            continue
        assert sup is not None
        for kind_seg in combined(sup, "kind"):
            day = overlaps(seg, kind_seg)
            if day is not None and kind_seg.value[0] != PARTY_ORGANISATION:
                out.append(Violation(
                    "NotAPartyOrganisation",
                    f"{_name(tl, org, day)} cannot belong (relation party) to "
                    f"{_name(tl, party, day)} on {day}: it is a {kind_seg.value[0]}, not a "
                    f"{PARTY_ORGANISATION}",
                    (str(org), str(party)), day, {"relation": PARTY}))
                break
    return out


def _in_party_line(record: OrgRecord) -> bool:
    return any(v.party is not None or v.kind == PARTY_ORGANISATION for v in record.versions)


def _first_day_missing(began: date | None, ended: date | None, seg: Segment) -> date | None:
    """The first day of ``seg`` on which an organisation living [began, ended) does not exist."""
    if began is None or seg.start < began:
        return seg.start
    if ended is not None and (seg.end is None or seg.end > ended):
        return max(ended, seg.start)
    return None


def _code_unique(tl: Timeline, org: UUID) -> list[Violation]:
    out = []
    mine = [s for s in combined(tl.records[org], "level", "code") if s.value[1] is not None]
    for seg in mine:
        level, code = seg.value
        for other in tl.holders_ever(level, code):
            if other == org:
                continue
            for theirs in combined(tl.records[other], "level", "code"):
                if theirs.value != seg.value:
                    continue
                day = overlaps(seg, theirs)
                if day is not None:
                    out.append(Violation(
                        "CodeTaken",
                        f"code {code} ({level}) is held by {_name(tl, other, day)} on {day}; "
                        f"{_name(tl, org, day)} cannot hold it too",
                        tuple(sorted((str(org), str(other)))), day, {"code": code, "level": level}))
    return out


def _sibling_name_unique(tl: Timeline, org: UUID) -> list[Violation]:
    """Siblings of one type may not share a name, unless both carry official codes.

    The name is the only handle on an uncoded organisation (a Sở, a Phòng). Coded units are told
    apart by their codes, and history has same-named ones: Aisne had two communes called Braye
    until 1956.
    """
    out = []
    record = tl.records[org]
    for seg in combined(record, "parent", "type", "name", "code"):
        parent, type_, name, code = seg.value
        key = name_key(name)
        for other in tl.named_ever(parent, type_, name):
            if other == org:
                continue
            for theirs in combined(tl.records[other], "parent", "type", "name", "code"):
                p, t, n, c = theirs.value
                if p != parent or t != type_ or name_key(n) != key:
                    continue
                if code is not None and c is not None:
                    continue
                day = overlaps(seg, theirs)
                if day is not None:
                    out.append(Violation(
                        "SiblingNameTaken",
                        f"two {type_} named '{name}' under the same superior "
                        f"({_name(tl, parent, day) if parent else 'none'}) on {day}",
                        tuple(sorted((str(org), str(other)))), day))
    return out


def _no_cycle(tl: Timeline, org: UUID, relation: str | None = None) -> list[Violation]:
    """No chain of superiors along ``relation`` (None: the own line) comes back to ``org``."""
    # A chain changes only where one of its members changes superior: check on each such day.
    attrs = ("parent",) if relation is None else ("parent", "party", "kind")
    days: set[date] = set()
    frontier, seen = [org], {org}
    while frontier:
        current = frontier.pop()
        for seg in combined(tl.records[current], *attrs):
            days.add(seg.start)
            for up in seg.value[:2]:
                if isinstance(up, UUID) and up not in seen and up in tl.records:
                    seen.add(up)
                    frontier.append(up)
    what = "superiors" if relation is None else f"superiors (relation {relation})"
    for day in sorted(days):
        chain = [org]
        v = tl.version(org, day)
        up = superior(v, relation) if v is not None else None
        while up is not None and len(chain) <= MAX_DEPTH:
            if up in chain:
                names = " → ".join(_name(tl, o, day) for o in chain + [up])
                return [Violation("HierarchyCycle", f"{what} form a cycle on {day}: {names}",
                                  tuple(str(o) for o in chain), day)]
            chain.append(up)
            v = tl.version(up, day)
            up = superior(v, relation) if v is not None else None
    return []


def _lineage_endpoints_exist(tl: Timeline, org: UUID) -> list[Violation]:
    out = []
    edges = list(tl.edges_in(org)) + tl.edges_out(org)
    for e in edges:
        source = tl.records.get(e.source)
        day_before = e.on - timedelta(days=1)
        if source is None or not source.exists_on(day_before):
            out.append(Violation(
                "SourceNotActive",
                f"{_name(tl, e.source)} does not exist on {day_before}, so it cannot pass on "
                f"to {_name(tl, e.target, e.on)} on {e.on}",
                (str(e.source), str(e.target)), e.on))
    return out


def _dedupe(found: list[Violation]) -> list[Violation]:
    seen, out = set(), []
    for v in found:
        key = (v.rule, v.organisations, v.on)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out
