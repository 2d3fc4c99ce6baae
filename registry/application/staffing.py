"""Staffing reports and function holders, answered from the read models.

The staffing report compares a subtree's figures on two dates, lineage-aware: an organisation
formed between the dates from predecessors gets as its baseline the sum of their figures on the
first date (whole edges fully; an edge with a share, that share of the figure; an edge without a
share is split equally among the source's successors on that day, and the line says it is an
estimate). An organisation of the first date whose figure passed to no organisation of the second
(it ended without a successor, or left the subtree) keeps a line of its own, so the first date's
total counts it. Figures are never invented: a missing one is null, and listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from registry.application.views import StaffingReport, UnitView
from registry.domain.errors import InvalidInput, NotFound
from registry.domain.model import MEASURES, Edge
from registry.projections.index import ReadIndex
from registry.projections.rows import FigureRow, TargetRow

MAX_DEPTH = 64


@dataclass(frozen=True)
class Origin:
    """An organisation existing on the first date whose figure counts, times ``factor``."""

    org: UUID
    factor: float
    estimate: bool
    via: tuple[str, ...]  # how the share was found, for the notes ("no share: split among 2")


def _factor(idx: ReadIndex, e: Edge) -> tuple[float, str | None]:
    if e.type == "whole":
        return 1.0, None
    if e.share is not None:
        return e.share, None
    siblings = [o for o in idx.edges_out(e.source) if o.on == e.on]
    given = sum(o.share for o in siblings if o.share is not None and o.type != "whole")
    shareless = [o for o in siblings if o.share is None and o.type != "whole"] or [e]
    factor = max(0.0, 1.0 - given) / len(shareless)
    return factor, (f"no share recorded for the {e.type} edge from {e.source} on {e.on}: "
                    f"split equally among {len(shareless)} successor(s) (an estimate)")


def origins(idx: ReadIndex, org: UUID, first: date, upto: date, factor: float = 1.0,
            estimate: bool = False, via: tuple[str, ...] = (), depth: int = 0) -> list[Origin]:
    """Where ``org``'s baseline on ``first`` comes from: itself if it existed then, and the
    predecessors that passed into it after ``first`` up to ``upto`` (followed back). A source that
    continues after the edge keeps its own line, unless ``org`` began with that edge."""
    out: list[Origin] = []
    if depth > MAX_DEPTH:
        return out
    if idx.version(org, first) is not None:
        out.append(Origin(org, factor, estimate, via))
    for e in idx.edges_in(org):
        if not first < e.on <= upto:
            continue
        continues = idx.version(e.source, e.on) is not None
        began_here = idx.version(org, e.on - timedelta(days=1)) is None
        if continues and not began_here:
            continue
        f, why = _factor(idx, e)
        out += origins(idx, e.source, first, e.on - timedelta(days=1), factor * f,
                       estimate or why is not None, via + ((why,) if why else ()), depth + 1)
    return out


def _figure_on(figures: list[FigureRow], on: date) -> FigureRow | None:
    found = None
    for f in figures:  # oldest first
        if f.on <= on:
            found = f
    return found


def staffing_report(idx: ReadIndex, fetch: Callable[[set[UUID]],
                    tuple[list[FigureRow], list[TargetRow]]], act_of: Callable[[UUID], Any],
                    id: UUID, first: date, last: date, measure: str,
                    category: str | None) -> StaffingReport:
    if measure not in MEASURES:
        raise InvalidInput(f"must be one of {', '.join(MEASURES)}", "measure")
    if last < first:  # either order, as a diff: the report runs from the earlier date
        first, last = last, first
    root = idx.version(id, last)
    if root is None:
        raise NotFound(f"organisation {id} does not exist on {last.isoformat()}")
    now = idx.subtree_ids(id, last)
    lines_of = {o: origins(idx, o, first, last) for o in now}
    roots = origins(idx, id, first, last)
    weight: dict[UUID, tuple[float, bool]] = {}
    for r in roots:  # the subtree on the first date: under the root or its predecessors
        for o in idx.subtree_ids(r.org, first):
            f, est = weight.get(o, (0.0, False))
            weight[o] = (min(1.0, f + r.factor), est or r.estimate)
    attributed = {x.org for xs in lines_of.values() for x in xs}
    involved = set(now) | set(weight) | attributed
    figures, _ = fetch(involved)
    ancestors = [id] + [v.id for v in idx.ancestors(id, last)]
    _, targets = fetch(set(ancestors))
    series: dict[UUID, list[FigureRow]] = {}
    for f in figures:
        if f.measure == measure and f.category == category:
            series.setdefault(f.org, []).append(f)

    missing: list[dict[str, Any]] = []
    notes: list[str] = []

    def figure(org: UUID, on: date, needed: bool) -> FigureRow | None:
        """The figure in force on ``on``; a reported organisation (one with any figure of this
        measure) without one then, or one that is ``needed``, is listed as missing."""
        found = _figure_on(series.get(org, []), on)
        if found is None and (org in series or needed):
            v = idx.version(org, on)
            missing.append({"id": str(org), "name": v.name if v else None,
                            "on": on.isoformat()})
        return found

    def cite(f: FigureRow | None) -> dict[str, Any] | None:
        if f is None:
            return None
        return {"value": f.value, "since": f.on.isoformat(), "act": act_of(f.act),
                "clause": f.clause}

    lines: list[dict[str, Any]] = []
    unreported: list[dict[str, Any]] = []
    total_to: float | None = 0.0
    for org in now:
        v = idx.version(org, last)
        assert v is not None
        parts, estimate = [], False
        baseline: float | None = 0.0
        reported = org in series or any(o.org in series for o in lines_of[org])
        if not reported:  # no figure of this measure, nor any predecessor's: not counted
            unreported.append({"id": str(org), "name": v.name})
            continue
        for o in lines_of[org]:
            f = figure(o.org, first, False)
            if f is None:
                baseline = None if o.org in series else baseline
            elif baseline is not None:
                baseline += f.value * o.factor
            estimate = estimate or o.estimate
            notes.extend(w for w in o.via if w not in notes)
            ov = idx.version(o.org, first)
            parts.append({"id": str(o.org), "name": ov.name if ov else None, "factor": o.factor,
                          "estimate": o.estimate, "figure": cite(f)})
        to_fig = figure(org, last, True)
        if to_fig is None:
            total_to = None
        elif total_to is not None:
            total_to += to_fig.value
        lines.append(_line(UnitView.of(v), "continues" if idx.version(org, first) else "new",
                           parts, baseline if parts else None, estimate, to_fig, cite(to_fig)))
    for org in sorted(set(weight) - attributed, key=str):
        v = idx.version(org, first)
        assert v is not None
        if org not in series:
            unreported.append({"id": str(org), "name": v.name})
            continue
        f = figure(org, first, True)
        status = "left" if idx.version(org, last) is not None else "ended"
        part = {"id": str(org), "name": v.name, "factor": 1.0, "estimate": False,
                "figure": cite(f)}
        lines.append(_line(UnitView.of(v), status, [part], f.value if f else None, False,
                           None, None))

    total_from: float | None = 0.0
    estimate_from = False
    for org, (factor, est) in weight.items():
        if org not in series:
            continue
        f = _figure_on(series[org], first)
        if f is None:
            total_from = None
        elif total_from is not None:
            total_from += f.value * factor
        estimate_from = estimate_from or est
    if not any(org in series for org in weight):
        total_from = None  # nothing reported on the first date: no total, not a zero
    if not lines:
        total_to = None
    totals = _change(total_from, total_to)
    totals["estimate"] = estimate_from
    totals["complete"] = total_from is not None and total_to is not None
    totals["root"] = id
    if not roots:
        notes.append(f"{root.name} has no organisation on {first} in its lineage: no baseline")
    counted = sum(ln["from"] for ln in lines if ln["from"] is not None)
    if total_from is not None and abs(counted - total_from) > 1e-6:
        notes.append(f"the lines' baselines sum to {_number(counted)}, not {_number(total_from)}:"
                     " a figure passed to more than one line (a part detached from a unit that"
                     " continued) or from outside the subtree")
    seen = set()
    unique_missing = []
    for m in missing:
        key = (m["id"], m["on"])
        if key not in seen:
            seen.add(key)
            unique_missing.append(m)
    lines.sort(key=lambda ln: (ln["status"] in ("ended", "left"), ln["unit"]["name"],
                               ln["unit"]["id"]))
    checked = [_target(idx, t, totals, first, last, act_of) for t in targets
               if t.measure == measure and t.category == category]
    del totals["root"]
    return StaffingReport(UnitView.of(root), first, last, measure, category, lines, totals,
                          checked, unique_missing, unreported, notes)


def _line(unit: UnitView, status: str, parts: list[dict[str, Any]], baseline: float | None,
          estimate: bool, to_fig: FigureRow | None, cited: dict[str, Any] | None
          ) -> dict[str, Any]:
    change = _change(baseline, to_fig.value if to_fig is not None else
                     (0 if status == "ended" else None))
    return {"unit": unit.as_dict(), "status": status, "from": _number(baseline),
            "to": change["to"], "to_figure": cited,
            "baseline": parts, "estimate": estimate,
            "change": change["change"], "change_percent": change["change_percent"]}


def _number(x: float | None) -> float | int | None:
    if x is None:
        return None
    return int(x) if float(x).is_integer() else round(x, 2)


def _change(a: float | None, b: float | None) -> dict[str, Any]:
    change = b - a if a is not None and b is not None else None
    percent = round(change / a * 100, 2) if change is not None and a else None
    return {"from": _number(a), "to": _number(b), "change": _number(change),
            "change_percent": percent}


def _target(idx: ReadIndex, t: TargetRow, totals: dict[str, Any], first: date, last: date,
            act_of: Callable[[UUID], Any]) -> dict[str, Any]:
    v = idx.version(t.org, last) or idx.version(t.org, t.on)
    out: dict[str, Any] = {
        "unit": {"id": str(t.org), "name": v.name if v else None},
        "measure": t.measure, "category": t.category, "change_percent": t.change_percent,
        "baseline": t.baseline.isoformat() if t.baseline else None,
        "deadline": t.deadline.isoformat() if t.deadline else None,
        "description": t.description, "effective": t.on.isoformat(), "act": act_of(t.act),
        "clause": t.clause, "notes": []}
    if v is not None and idx.version(t.org, last) is not None and totals.get("root") != t.org:
        out["notes"].append(f"set on {v.name} for its whole subtree")
    actual = totals["change_percent"]
    if t.change_percent is None:
        out["status"] = "not_measurable"
        out["notes"].append("the target states no percentage")
    elif actual is None:
        out["status"] = "not_measurable"
        out["notes"].append("the figures on one of the dates are incomplete or zero")
    else:
        met = actual <= t.change_percent if t.change_percent < 0 else actual >= t.change_percent
        out["status"] = "met" if met else "not_met"
    if t.baseline is not None and t.baseline != first:
        out["notes"].append(f"the target's baseline is {t.baseline}; this report starts {first}")
    if t.deadline is not None and t.deadline < last:
        out["notes"].append(f"the target's deadline {t.deadline} is before {last}")
    return out
