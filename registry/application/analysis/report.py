"""What a harmonisation reports: rows not used and why, fallbacks, losses, and totals; as a JSON
ready dict (``--report FILE``, the HTTP answer) and as lines for people (stderr)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from registry.projections.index import ReadIndex

if TYPE_CHECKING:
    from registry.application.analysis.harmonize import Spec

SHOWN = 20  # report lines per kind on stderr; the JSON report has them all


def number(value: float | None) -> str:
    if value is None:
        return ""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    r = float(f"{value:.12g}")  # 12 significant digits: no 0.30000000000000004
    if r == int(r) and abs(r) < 1e15:
        return str(int(r))
    return repr(r)


class Report:
    def __init__(self, spec: Spec, level: str, rows: int) -> None:
        self.spec = spec
        self.level = level
        self.rows = rows
        self.units = 0
        self.before: dict[str, float] = {c: 0.0 for c in spec.sums}
        self.after: dict[str, float] = {}
        self.unknown: list[dict[str, Any]] = []
        self.other_level: list[dict[str, Any]] = []
        self.fallbacks: list[dict[str, Any]] = []
        self.lost: list[dict[str, Any]] = []
        self.no_data: list[str] = []
        self.no_absorbing: list[dict[str, Any]] = []
        self.duplicates: list[str] = []
        self.holders: dict[str, UUID] | None = None
        self._flows: dict[UUID, Any] = {}

    def resolve(self, idx: ReadIndex, code: str, row: int) -> UUID | None:
        on, known = self.spec.from_date, self.spec.known_at
        if not code:
            self.unknown.append({"row": row, "code": code, "reason": "no code"})
            return None
        if self.holders is not None and code in self.holders:
            return self.holders[code]
        found = idx.by_code(code, on, self.level, known)
        if found:
            return found[0].id
        elsewhere = idx.by_code(code, on, None, known)
        if elsewhere:
            levels = sorted({v.level or "—" for v in elsewhere})
            self.other_level.append({"row": row, "code": code, "levels": levels,
                                     "reason": f"exists on {on} at level {', '.join(levels)}, "
                                               f"not {self.level}"})
            return None
        spans = []
        for holder in sorted(idx.holders_ever(code)):
            for v in idx.versions(holder, known):
                if v.code == code and v.level == self.level:
                    spans.append((v.valid_from, v.valid_to))
        reason = f"no unit held code {code} at level {self.level} on {on}"
        if spans:
            first, last = min(s[0] for s in spans), max((s[1] for s in spans if s[1]),
                                                         default=None)
            reason += f" (it was held from {first}" + (f" until {last})" if last else ")")
        self.unknown.append({"row": row, "code": code, "reason": reason})
        return None

    def flow(self, org: UUID, flow: Any) -> None:
        self._flows[org] = flow

    def used(self, org: UUID, code: str, row: int) -> None:
        flow = self._flows[org]
        if flow.fallbacks:
            self.fallbacks.append({"row": row, "code": code,
                                   "fallbacks": [f.as_dict() for f in flow.fallbacks]})
        if flow.lost:
            self.lost.append({"row": row, "code": code, "why": list(flow.lost)})

    def as_dict(self) -> dict[str, Any]:
        s = self.spec
        totals = {c: {"before": _clean(self.before[c]), "after": _clean(self.after.get(c, 0.0)),
                      "equal": _equal(self.before[c], self.after.get(c, 0.0))}
                  for c in s.sums}
        return {
            "from": s.from_date.isoformat(), "to": s.to_date.isoformat(), "level": self.level,
            "direction": "backwards" if s.to_date < s.from_date else "forwards",
            "rows": self.rows, "units": self.units, "totals": totals,
            "unknown_codes": self.unknown, "other_level": self.other_level,
            "fallbacks": self.fallbacks, "lost": self.lost, "no_data": self.no_data,
            "no_absorbing_unit": self.no_absorbing, "duplicate_codes": self.duplicates,
        }


def _clean(x: float) -> float:
    return round(x, 9)


def _equal(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def summary(report: dict[str, Any]) -> list[str]:
    """The report as lines for people (stderr)."""
    lines = [(f"harmonize {report['from']} → {report['to']} ({report['level']}, "
             f"{report['direction']}): {report['rows']} rows in, {report['units']} units out")]
    for c, t in report["totals"].items():
        verdict = "equal" if t["equal"] else "NOT equal"
        lines.append(f"  total {c}: {number(t['before'])} before, {number(t['after'])} after "
                     f"({verdict})")
    kinds = (("unknown_codes", "code not on the first date", lambda x: x["reason"]),
             ("other_level", "code at another level", lambda x: x["reason"]),
             ("fallbacks", "divided by a fallback",
              lambda x: "; ".join(f"{f['rule']} into {', '.join(_codes(f['into']))}: "
                                  f"{f['detail']}" for f in x["fallbacks"])),
             ("lost", "reached no unit", lambda x: "; ".join(x["why"])))
    for key, label, say in kinds:
        items = report[key]
        lines.append(f"  {label}: {len(items)} row(s)")
        for x in items[:SHOWN]:
            lines.append(f"    row {x['row']} ({x['code'] or 'empty'}): {say(x)}")
        if len(items) > SHOWN:
            lines.append(f"    … and {len(items) - SHOWN} more (--report FILE lists them all)")
    if report["no_data"]:
        shown = ", ".join(report["no_data"][:SHOWN])
        more = f", … {len(report['no_data']) - SHOWN} more" if len(report["no_data"]) > SHOWN \
            else ""
        lines.append(f"  units no row reached (empty values): {len(report['no_data'])}: "
                     f"{shown}{more}")
    if report["no_absorbing_unit"]:
        lines.append(f"  units with no absorbing predecessor (majority used): "
                     f"{len(report['no_absorbing_unit'])}")
    if report["duplicate_codes"]:
        lines.append(f"  codes on several rows (their values add up): "
                     f"{len(report['duplicate_codes'])}")
    return lines


def _codes(units: list[dict[str, Any]]) -> list[str]:
    return [str(u["code"] or u["name"]) for u in units]
