"""Which date is this list from: the dates on which every code (and name) of a list held together.

Each row's dates are the union of the spans during which some unit held its code (at the level,
if one is given) — and, with names, bore a name equal to the row's up to case and tone-mark
placement (``name_key``). The list's dates are the intersection of its rows' dates. When that
is empty, the dates that fit the most rows are given instead, with the reason each other row
does not fit them.

Codes are reused: in 2025 a new commune often took the code of one it was made from, so a list
of codes alone may fit both sides of a reorganisation. The ranges are therefore cut where a
code of the list passes to another unit, and each range says how many units of the list's
levels, under the same top-level units, existed at its start but are not in the list
(``missing``): a complete list of one date lacks none on that date. The ranges are also cut where
that number changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from registry.domain.text import name_key
from registry.projections.index import ReadIndex

Span = tuple[date, date | None]  # [from, to), to None while it lasts


@dataclass(frozen=True)
class Dated:
    ranges: list[Span]
    missing: list[int]            # per range: units of the list's levels and areas not in it
    fits: int                     # rows that hold on every date of the ranges
    rows: int
    misfits: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"ranges": [{"from": a.isoformat(), "to": b.isoformat() if b else None,
                            "missing": m} for (a, b), m in zip(self.ranges, self.missing,
                                                                strict=True)],
                "rows": self.rows, "fitting_rows": self.fits, "misfits": self.misfits}


def which_date(idx: ReadIndex, codes: Sequence[str], names: Sequence[str | None] | None = None,
               level: str | None = None, known_at: datetime | None = None) -> Dated:
    rows = []
    for i, code in enumerate(codes):
        name = names[i] if names is not None else None
        rows.append((code.strip(), (name or "").strip() or None))
    cache: dict[tuple[str, str | None], tuple[list[Span], list[date]]] = {}
    spans = []
    cuts: set[date] = set()
    for code, name in rows:
        key = (code, name)
        if key not in cache:
            cache[key] = _held(idx, code, name, level, known_at)
        spans.append(cache[key][0])
        cuts.update(cache[key][1])
    best, fits = _best(spans)
    best, missing = _completeness(idx, {c for c, _ in rows}, level, best, cuts, known_at)
    misfits = []
    if best:
        start = best[0][0]
        for i, ((code, name), own) in enumerate(zip(rows, spans, strict=True), start=1):
            if not _covers(own, best):
                misfits.append({"row": i, "code": code, "name": name,
                                "why": _why(idx, code, name, level, known_at, start)})
    return Dated(best, missing, fits, len(rows), misfits)


def _spans(idx: ReadIndex, code: str, name: str | None, level: str | None,
           known_at: datetime | None) -> list[Span]:
    return _held(idx, code, name, level, known_at)[0]


def _held(idx: ReadIndex, code: str, name: str | None, level: str | None,
          known_at: datetime | None) -> tuple[list[Span], list[date]]:
    """The row's dates, and the dates where its code passed from one unit to another."""
    key = name_key(name) if name is not None else None
    out: list[Span] = []
    per_holder: list[list[Span]] = []
    for holder in idx.holders_ever(code):
        own: list[Span] = []
        for v in idx.versions(holder, known_at):
            if v.code != code or (level is not None and v.level != level):
                continue
            if key is not None and name_key(v.name) != key:
                continue
            own.append((v.valid_from, v.valid_to))
        if own:
            per_holder.append(_merge(own))
            out += own
    cuts = [a for own in per_holder for a, _ in own] if len(per_holder) > 1 else []
    return _merge(out), cuts


def _completeness(idx: ReadIndex, listed: set[str], level: str | None, ranges: list[Span],
                  cuts: set[date], known_at: datetime | None) -> tuple[list[Span], list[int]]:
    """The ranges cut where a code of the list passes to another unit, and where a unit of the
    list's levels and areas that the list lacks begins or ends; with, for each piece, how many
    such units it lacks. Neighbouring pieces that lack as many are joined again, except at a
    change of holder."""
    if not ranges:
        return [], []
    levels, roots = _scope(idx, listed, level, ranges[0][0], known_at)
    absent: list[Span] = []
    for org in list(idx.rows):
        for v in idx.versions(org, known_at):
            if v.level not in levels or v.code in listed:
                continue
            top = idx.ancestors(org, v.valid_from, known_at)
            if (top[-1].id if top else org) in roots:
                absent.append((v.valid_from, v.valid_to))
    edges = {d for a, b in absent for d in (a, b) if d is not None}
    out: list[Span] = []
    missing: list[int] = []
    for a, b in ranges:
        inner = sorted(c for c in cuts | edges if a < c and (b is None or c < b))
        for start, end in zip([a, *inner], [*inner, b], strict=True):
            count = sum(1 for x, y in absent if x <= start and (y is None or start < y))
            if out and missing[-1] == count and out[-1][1] == start and start not in cuts:
                out[-1] = (out[-1][0], end)
            else:
                out.append((start, end))
                missing.append(count)
    return out, missing


def _scope(idx: ReadIndex, listed: set[str], level: str | None, on: date,
           known_at: datetime | None) -> tuple[set[str | None], set[UUID]]:
    """The levels of the list's units on ``on``, and their top-level units."""
    levels: set[str | None] = set()
    roots: set[UUID] = set()
    for code in listed:
        for v in idx.by_code(code, on, level, known_at):
            levels.add(v.level)
            top = idx.ancestors(v.id, on, known_at)
            roots.add(top[-1].id if top else v.id)
    return levels, roots


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for a, b in sorted(spans, key=lambda s: s[0]):
        if out and (out[-1][1] is None or out[-1][1] >= a):
            prev_a, prev_b = out[-1]
            end = None if prev_b is None or b is None else max(prev_b, b)
            out[-1] = (prev_a, end)
        else:
            out.append((a, b))
    return out


def _best(spans: list[list[Span]]) -> tuple[list[Span], int]:
    """The maximal date ranges covered by the most rows, and how many rows that is."""
    delta: dict[date, int] = {}
    for own in spans:
        for a, b in own:
            delta[a] = delta.get(a, 0) + 1
            if b is not None:
                delta[b] = delta.get(b, 0) - 1
    if not delta:
        return [], 0
    points = sorted(delta)
    count, level = 0, []
    for p in points:
        count += delta[p]
        level.append(count)
    top = max(level)
    if top == 0:
        return [], 0
    out: list[Span] = []
    for i, p in enumerate(points):
        if level[i] != top:
            continue
        end = points[i + 1] if i + 1 < len(points) else None
        if out and out[-1][1] == p:
            out[-1] = (out[-1][0], end)
        else:
            out.append((p, end))
    return out, top


def _covers(own: list[Span], ranges: list[Span]) -> bool:
    return all(any(a <= ra and (b is None or (rb is not None and rb <= b)) for a, b in own)
               for ra, rb in ranges)


def _why(idx: ReadIndex, code: str, name: str | None, level: str | None,
         known_at: datetime | None, on: date) -> str:
    at = f" at level {level}" if level else ""
    held = _spans(idx, code, None, level, known_at)
    if not held:
        return f"no unit ever held code {code}{at}"
    inside = [s for s in held if s[0] <= on and (s[1] is None or on < s[1])]
    if not inside:
        ended = [s for s in held if s[1] is not None and s[1] <= on]
        began = [s for s in held if s[0] > on]
        if ended and (not began or on - _end(ended[-1]) <= began[0][0] - on):
            end = _end(ended[-1])
            return (f"code {code}{at} ended on {end} (last held on "
                    f"{end - timedelta(days=1)})")
        return f"code {code}{at} began on {began[0][0]}"
    names = sorted({v.name for holder in idx.holders_ever(code)
                    for v in [idx.version(holder, on, known_at)]
                    if v is not None and v.code == code and (level is None or v.level == level)})
    return f"name differs: on {on} code {code} is {' / '.join(names)}, not {name}"


def _end(span: Span) -> date:
    assert span[1] is not None
    return span[1]
