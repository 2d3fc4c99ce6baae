"""A table whose rows are units of one date, carried to the units of another date (DESIGN §14).

Sums are divided and added along the flows (``flows.py``), means are weighted by the weight
column times the fraction that flowed, categories follow a rule:

- ``majority``: the category of most of the unit's territory (the fractions of the old units in
  it; an old unit split in half counts half);
- ``largest``: the category of the old unit that brought the most weight (``--weight``);
- ``absorbing``: the category of the old unit the new one continues (the same organisation, or
  else the one whose code it keeps); where there is none, majority, and the unit is listed.

The output has one row per unit of the second date at the level (``code, name``, then the value
columns); a unit no row reached has empty values. The report lists rows whose code did not exist
on the first date (or only at another level), the rows whose division used a fallback, what
reached no unit, and each sum column's total before and after.
"""

from __future__ import annotations

import gc
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from registry.application.analysis.flows import EPSILON, Flows
from registry.application.analysis.report import Report, number
from registry.domain.errors import InvalidInput
from registry.domain.model import Version
from registry.projections.index import ReadIndex

RULES = ("majority", "largest", "absorbing")
MISSING = {"", "na", "nan", "null", "none", "n/a"}


@dataclass(frozen=True)
class Spec:
    code_column: str
    from_date: date
    to_date: date
    level: str | None = None
    sums: tuple[str, ...] = ()
    means: tuple[str, ...] = ()
    weight: str | None = None
    categories: tuple[str, ...] = ()
    rule: str = "majority"
    known_at: datetime | None = None

    def check(self, header: Sequence[str]) -> None:
        if self.rule not in RULES:
            raise InvalidInput(f"one of {', '.join(RULES)}", "rule")
        if self.rule == "largest" and self.categories and self.weight is None:
            raise InvalidInput("the 'largest' rule needs a weight column", "weight")
        if not (self.sums or self.means or self.categories):
            raise InvalidInput("name at least one column to carry (sum, mean or category)",
                               "sum")
        values = [*self.sums, *self.means, *self.categories]
        named = [("code_column", self.code_column), *[("sum", c) for c in self.sums],
                 *[("mean", c) for c in self.means], *[("category", c) for c in self.categories],
                 *([("weight", self.weight)] if self.weight else [])]
        for option, name in named:
            if name not in header:
                raise InvalidInput(f"no column '{name}' (the columns are: "
                                   f"{', '.join(header)[:300]})", option)
        repeated = [c for c, n in Counter(values).items() if n > 1]
        if repeated:
            raise InvalidInput(f"column '{repeated[0]}' is named twice", "columns")
        if {"code", "name"} & set(values):
            raise InvalidInput("a value column may not be called 'code' or 'name' (the output "
                               "starts with the unit's code and name)", "columns")


@dataclass
class Harmonized:
    columns: list[str]
    rows: list[list[Any]]        # code, name, then floats / strings / None
    report: dict[str, Any]

    def text_rows(self) -> Iterable[list[str]]:
        for row in self.rows:
            yield [number(v) if isinstance(v, float) else ("" if v is None else v) for v in row]


def parse_number(value: Any, column: str, row: int) -> float | None:
    if value.__class__ is str:  # the common case first: a CSV cell
        try:
            f = float(value)
        except ValueError:
            pass
        else:
            return f if math.isfinite(f) else None
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        f = float(value)
        return None if math.isnan(f) else f
    text = str(value).strip()
    if text.lower() in MISSING:
        return None
    try:
        f = float(text)
    except ValueError:
        raise InvalidInput(f"row {row}: '{text[:40]}' in column '{column}' is not a number",
                           column) from None
    if math.isnan(f) or math.isinf(f):
        return None
    return f


def _category(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


@dataclass
class _Accumulator:
    sums: dict[str, list[float | None]]
    num: dict[str, list[float]]
    den: dict[str, list[float]]
    votes: dict[str, list[dict[str, float]]]
    largest: dict[str, list[tuple[float, str] | None]]
    same: dict[str, list[str | None]]
    reached: list[bool] = field(default_factory=list)


def infer_level(idx: ReadIndex, codes: Iterable[str], on: date,
                known_at: datetime | None) -> str:
    counts: Counter[str] = Counter()
    for code in set(codes):
        for v in idx.by_code(code, on, None, known_at):
            if v.level is not None:
                counts[v.level] += 1
    if not counts:
        raise InvalidInput(f"none of the codes exists on {on}", "code_column")
    ranked = counts.most_common(2)
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        raise InvalidInput(f"the codes are as often at level {ranked[0][0]} as at "
                           f"{ranked[1][0]} on {on}: give the level", "level")
    return ranked[0][0]


def harmonize(idx: ReadIndex, header: Sequence[str], rows: Iterable[Sequence[Any]],
              spec: Spec) -> Harmonized:
    spec.check(header)
    with _no_gc():  # millions of short-lived objects, no cycles: the collector only costs here
        return _harmonize(idx, header, rows, spec)


@contextmanager
def _no_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _harmonize(idx: ReadIndex, header: Sequence[str], rows: Iterable[Sequence[Any]],
               spec: Spec) -> Harmonized:
    col = {name: i for i, name in enumerate(header)}
    data = rows if isinstance(rows, list) else list(rows)
    ci = col[spec.code_column]
    codes = [str(r[ci]).strip() if ci < len(r) and r[ci] is not None else "" for r in data]
    level = spec.level or infer_level(idx, (c for c in codes if c), spec.from_date, spec.known_at)
    flows = Flows(idx, spec.from_date, spec.to_date, level, spec.known_at)

    holders, arriving = _units_on(idx, level, spec.from_date, spec.to_date, spec.known_at)
    targets = sorted(arriving, key=lambda v: (v.code or "", v.name))
    slot = {v.id: i for i, v in enumerate(targets)}
    flows.arrivals = set(slot)
    n = len(targets)
    acc = _Accumulator(
        sums={c: [None] * n for c in spec.sums},
        num={c: [0.0] * n for c in spec.means}, den={c: [0.0] * n for c in spec.means},
        votes={c: [{} for _ in range(n)] for c in spec.categories},
        largest={c: [None] * n for c in spec.categories},
        same={c: [None] * n for c in spec.categories}, reached=[False] * n)

    report = Report(spec, level, len(data))
    report.units = n
    report.holders = holders
    resolved: dict[str, UUID] = {}
    parts_of: dict[str, tuple[list[tuple[int, float, bool]], bool]] = {}
    seen: Counter[str] = Counter(codes)
    sum_idx = [(c, col[c]) for c in spec.sums]
    sum_arrays = [acc.sums[c] for c in spec.sums]
    before = [0.0] * len(spec.sums)
    mean_idx = [(c, col[c]) for c in spec.means]
    cat_idx = [(c, col[c]) for c in spec.categories]
    wi = col[spec.weight] if spec.weight else None
    reached = acc.reached
    for number_, (row, code) in enumerate(zip(data, codes, strict=True), start=1):
        width = len(row)
        values = [parse_number(row[i] if i < width else None, c, number_) for c, i in sum_idx]
        for j, v in enumerate(values):
            if v is not None:
                before[j] += v
        known = parts_of.get(code)  # keyed by code: a str caches its hash, a UUID does not
        if known is None:
            org = holders.get(code) or report.resolve(idx, code, number_)
            if org is None:
                continue
            here = slot.get(org)
            if here is not None and not flows.touched(org):
                known = ([(here, 1.0, True)], False)  # most units: there on both dates
            else:
                flow = flows.of(org)
                known = ([(slot[t], f, t == org) for t, f in flow.parts.items() if t in slot],
                         bool(flow.fallbacks or flow.lost))
                report.flow(org, flow)
            parts_of[code] = known
            resolved[code] = org
        org = resolved[code]
        parts, noted = known
        if noted:
            report.used(org, code, number_)
        for target, fraction, _ in parts:
            reached[target] = True
            for j, v in enumerate(values):
                if v is not None:
                    array = sum_arrays[j]
                    now = array[target]
                    array[target] = v * fraction if now is None else now + v * fraction
        if mean_idx or cat_idx:
            _others(acc, row, code, number_, parts, targets, spec, mean_idx, cat_idx, wi)
    report.before = dict(zip(spec.sums, before, strict=True))
    report.duplicates = sorted(c for c, k in seen.items() if k > 1 and c)
    out_rows = []
    for i, v in enumerate(targets):
        row: list[Any] = [v.code or "", v.name]
        row += [acc.sums[c][i] for c in spec.sums]
        row += [acc.num[c][i] / acc.den[c][i] if acc.den[c][i] > EPSILON else None
                for c in spec.means]
        row += [_decide(spec.rule, acc, c, i, v, report) for c in spec.categories]
        if not acc.reached[i]:
            report.no_data.append(v.code or str(v.id))
        out_rows.append(row)
    for c in spec.sums:
        report.after[c] = sum(x for x in acc.sums[c] if x is not None)
    columns = ["code", "name", *spec.sums, *spec.means, *spec.categories]
    return Harmonized(columns, out_rows, report.as_dict())


def _others(acc: _Accumulator, row: Sequence[Any], code: str, number_: int,
            parts: list[tuple[int, float, bool]], targets: list[Version], spec: Spec,
            mean_idx: list[tuple[str, int]], cat_idx: list[tuple[str, int]],
            wi: int | None) -> None:
    """Means and categories of one row (sums are added in the main loop)."""
    weight = parse_number(_cell(row, wi), spec.weight or "", number_) if wi is not None \
        else 1.0
    means = {c: parse_number(_cell(row, i), c, number_) for c, i in mean_idx}
    cats = {c: _category(_cell(row, i)) for c, i in cat_idx}
    for target, fraction, itself in parts:
        for c, m in means.items():
            if m is not None and weight is not None:
                acc.num[c][target] += m * weight * fraction
                acc.den[c][target] += weight * fraction
        for c, k in cats.items():
            if k is None:
                continue
            votes = acc.votes[c][target]
            votes[k] = votes.get(k, 0.0) + fraction
            if weight is not None:
                brought = weight * fraction
                best = acc.largest[c][target]
                if best is None or brought > best[0]:
                    acc.largest[c][target] = (brought, k)
            if itself or (targets[target].code == code and acc.same[c][target] is None):
                acc.same[c][target] = k


def _units_on(idx: ReadIndex, level: str, first: date, second: date,
              known_at: datetime | None) -> tuple[dict[str, UUID], list[Version]]:
    """In one pass over every unit: the codes of ``first``'s units at the level, and ``second``'s
    units at the level."""
    holders: dict[str, UUID] = {}
    arriving: list[Version] = []
    every = (idx.current.items() if known_at is None
             else ((org, idx.versions(org, known_at)) for org in idx.rows))
    for org, versions in every:
        for v in versions:
            if v.level != level:
                continue
            start, end = v.valid_from, v.valid_to
            if start <= first and (end is None or first < end) and v.code is not None:
                holders[v.code] = org
            if start <= second and (end is None or second < end):
                arriving.append(v)
    return holders, arriving


def _cell(row: Sequence[Any], i: int | None) -> Any:
    if i is None or i >= len(row):
        return None
    return row[i]


def _decide(rule: str, acc: _Accumulator, column: str, i: int, unit: Version,
            report: Report) -> str | None:
    votes = acc.votes[column][i]
    if not votes:
        return None
    if rule == "largest":
        best = acc.largest[column][i]
        return best[1] if best is not None else None
    if rule == "absorbing":
        kept = acc.same[column][i]
        if kept is not None:
            return kept
        report.no_absorbing.append({"code": unit.code, "name": unit.name, "column": column})
    return max(sorted(votes), key=lambda k: votes[k])
