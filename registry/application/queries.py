"""Questions asked of the timeline: a unit on a date, its tree, its history, a code's holders.

These read the in-memory timeline (the write side's validated state), so they are exact for any
date and any "known at" moment.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from registry.domain.errors import NotFound
from registry.domain.model import SUPERSEDED, Edge, Version
from registry.domain.timeline import Timeline


def unit_at(tl: Timeline, org: UUID, on: date) -> Version:
    v = tl.version(org, on)
    if v is None:
        raise NotFound(f"organisation {org} does not exist on {on}")
    return v


def by_code(tl: Timeline, code: str, on: date, level: str | None = None) -> Version:
    found = tl.by_code(code, on, level)
    if not found:
        where = f" at level {level}" if level else ""
        raise NotFound(f"no organisation holds code {code}{where} on {on}")
    if len(found) > 1:
        levels = ", ".join(sorted(v.level or "?" for v in found))
        raise NotFound(f"code {code} is held at several levels on {on} ({levels}); give --level")
    return found[0]


def describe(tl: Timeline, v: Version, on: date) -> dict[str, Any]:
    """A version as JSON, with its superior's code and name on that date."""
    out = v.as_dict()
    parent = tl.version(v.parent, on) if v.parent else None
    out["parent_code"] = parent.code if parent else None
    out["parent_name"] = parent.name if parent else None
    return out


def tree(tl: Timeline, root: Version, on: date, depth: int | None = None) -> dict[str, Any]:
    node = _node(root)
    if depth is None or depth > 0:
        node["children"] = [tree(tl, c, on, None if depth is None else depth - 1)
                            for c in tl.children(root.id, on)]
    else:
        node["children"] = []
    return node


def _node(v: Version) -> dict[str, Any]:
    return {"id": str(v.id), "code": v.code, "name": v.name, "kind": v.kind, "type": v.type,
            "level": v.level, "valid_from": v.valid_from.isoformat(),
            "valid_to": v.valid_to.isoformat() if v.valid_to else None}


def holders(tl: Timeline, code: str, level: str | None = None) -> list[UUID]:
    """Every organisation that ever held ``code`` (at ``level``), oldest first."""
    levels = [level] if level else sorted({lv for (lv, c) in tl._by_code if c == code}, key=str)
    orgs = {org for lv in levels for org in tl.holders_ever(lv, code)}
    if not orgs:
        raise NotFound(f"no organisation ever held code {code}")
    return sorted(orgs, key=lambda o: (tl.records[o].began or date.min, str(o)))


def history(tl: Timeline, org: UUID) -> dict[str, Any]:
    """Every version of an organisation, the events behind them, and its lineage."""
    record = tl.record(org)
    if record is None or record.began is None:
        raise NotFound(f"organisation {org} is not recorded")
    events = []
    void = {f.values["target"] for f in record.facts if f.kind == SUPERSEDED}
    for f in sorted(record.facts, key=lambda f: (f.on, f.seq)):
        act = tl.acts.get(f.act)
        events.append({
            "version": f.version, "kind": f.kind, "on": f.on.isoformat(),
            "values": {k: (str(v) if isinstance(v, UUID) else v) for k, v in f.values.items()},
            "act": _act_ref(act, f.act), "clause": f.clause, "actor": f.actor,
            "recorded_at": f.recorded_at.isoformat(), "superseded": f.version in void,
        })
    return {
        "id": str(org),
        "began": record.began.isoformat(),
        "ended": record.ended.isoformat() if record.ended else None,
        "history_before_unknown": record.registered,
        "versions": [describe(tl, v, v.valid_from) for v in record.versions],
        "events": events,
        "predecessors": [_edge(tl, e.source, e) for e in tl.edges_in(org)],
        "successors": [_edge(tl, e.target, e) for e in tl.edges_out(org)],
    }


def _edge(tl: Timeline, other: UUID, e: Edge) -> dict[str, Any]:
    """The other end of an edge as it stood at the change (the day before, for a predecessor)."""
    record = tl.records[other]
    v = (record.version_on(e.on) or record.version_on(e.on - timedelta(days=1))
         or record.versions[-1])
    return {"id": str(other), "code": v.code, "name": v.name, "on": e.on.isoformat(),
            "edge": e.type, "share": e.share, "change": e.change, "clause": e.clause,
            "act": _act_ref(tl.acts.get(e.act), e.act)}


def _act_ref(act: Any, act_id: UUID) -> dict[str, Any]:
    if act is None:
        return {"id": str(act_id)}
    return {"id": str(act.id), "number": act.number, "kind": act.kind,
            "effective": act.effective.isoformat(), "verified": act.verified,
            "withdrawn": act.withdrawn_by is not None}

