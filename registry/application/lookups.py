"""Lookups that integrators need on top of the Reader's questions: a unit named by its id or its
code, the export rows (the same columns for ``registry export`` and the REST CSV), and what to
say when no unit holds a code on a date."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from registry.domain.errors import CodeNotHeld, InvalidInput, NotFound

if TYPE_CHECKING:
    from registry.application.reading import Reader, UnitView
    from registry.domain.model import Version
    from registry.projections.index import ReadIndex

EXPORT_COLUMNS = ("type", "code", "name", "parent_code", "kind", "level", "valid_from",
                  "valid_to", "id", "parent_id")


def unit_ref(reader: Reader, ref: str, dates: tuple[date, ...], known_at: datetime | None,
             field: str = "within", level: str | None = None) -> UUID:
    """The id of the unit ``ref`` names: an id as it is, else as ``locate`` finds it."""
    try:
        return UUID(ref)
    except ValueError:
        pass
    return locate(reader, ref, dates, known_at, field, level).id


def locate(reader: Reader, ref: str, dates: tuple[date, ...], known_at: datetime | None,
           field: str = "unit", level: str | None = None) -> UnitView:
    """The unit ``ref`` names on the first of ``dates`` on which it names one: its id, a code it
    holds, or its exact name (ignoring case and diacritics) when exactly one unit bears it. A
    code wins over a name; a name borne by several units is refused, listing them."""
    try:
        org = UUID(ref)
    except ValueError:
        org = None
    last: NotFound | None = None
    for on in dates:
        try:
            if org is not None:
                return reader.unit(org, on, known_at)
            return reader.by_code(ref, on, level, known_at).unit
        except NotFound as e:
            last = e
        except InvalidInput as e:
            raise InvalidInput(f"{e.detail}; give the unit's id instead", field) from None
    if org is not None:
        assert last is not None
        raise last
    for on in dates:
        found = reader.named(ref, on, level, known_at)
        if len(found) == 1:
            return reader.unit(found[0].id, on, known_at)
        if len(found) > 1:
            raise InvalidInput(ambiguous(ref, found, on), field)
    assert last is not None
    if not any(c.isalpha() for c in ref):
        raise last  # a code: say what became of it
    try:
        reader.holders(ref, level, known_at)
    except NotFound:
        pass
    else:
        raise last
    when = " or ".join(sorted({d.isoformat() for d in dates}))
    raise NotFound(f"no unit holds the code or bears the name '{ref}' on {when}")


def organisations(reader: Reader, ref: str, level: str | None, known_at: datetime | None,
                  field: str = "unit") -> list[UUID]:
    """Every organisation ``ref`` names over all time: an id; every holder of a code, oldest
    first; or the one unit that ever bore a name (a name several units bore is refused)."""
    try:
        return [UUID(ref)]
    except ValueError:
        pass
    try:
        return reader.holders(ref, level, known_at)
    except NotFound as e:
        found = reader.named(ref, None, level, known_at)
        if len(found) == 1:
            return [found[0].id]
        if len(found) > 1:
            raise InvalidInput(ambiguous(ref, found, None), field) from None
        raise NotFound(f"{e}, and no unit ever bore the name '{ref}'") from None


def ambiguous(ref: str, found: list[UnitView], on: date | None) -> str:
    listed = "; ".join(f"{u.name} ({u.code or u.type}, id {u.id})" for u in found[:10])
    more = f" and {len(found) - 10} more" if len(found) > 10 else ""
    when = f" on {on}" if on else ""
    return (f"'{ref}' names {len(found)} units{when}: {listed}{more}; give the id or the code")


def export_rows(reader: Reader, units: list[UnitView], on: date,
                known_at: datetime | None) -> list[dict[str, Any]]:
    """Each unit as a dict with its superior's code (``parent_code``) beside its own fields."""
    codes = {u.id: u.code for u in units}
    rows = []
    for u in units:
        parent_code = codes.get(u.parent_id) if u.parent_id else None
        if u.parent_id and u.parent_id not in codes:
            parent_code = reader.unit(u.parent_id, on, known_at, superiors=False).code
        rows.append({**u.as_dict(), "parent_code": parent_code})
    return rows


# -- a code no unit holds on a date ------------------------------------------------------

VERBS = {"absorb": "absorbed into", "merge": "merged into", "split": "split into",
         "detach": "gave part to", "transfer": "gave territory to"}
MAX_CANDIDATES = 5


def code_not_held(idx: ReadIndex, code: str, at: date, level: str | None,
                  known_at: datetime | None) -> CodeNotHeld:
    """Why no unit holds ``code`` on ``at``: what became of its last holder before that date,
    who holds it later, or, for a code no unit ever held, the codes it may have meant."""
    where = f" at level {level}" if level else ""
    spans = []
    for org in idx.holders_ever(code):
        versions = idx.versions(org, known_at)
        for i, v in enumerate(versions):
            if v.code == code and (level is None or v.level == level):
                spans.append((v, versions[i + 1] if i + 1 < len(versions) else None))
    before = [(v, after) for v, after in spans if v.valid_to is not None and v.valid_to <= at]
    if before:
        v, after = max(before, key=lambda p: (p[0].valid_to, str(p[0].id)))
        fate, successors = _fate(idx, v, after, known_at)
        return CodeNotHeld(f"{code} {v.name} {fate}; no unit holds {code}{where} on "
                           f"{at.isoformat()}", [], successors)
    later = sorted((v for v, _ in spans if v.valid_from > at), key=lambda v: v.valid_from)
    if later:
        v = later[0]
        return CodeNotHeld(f"no unit holds {code}{where} on {at.isoformat()}: {v.name} holds it "
                           f"from {v.valid_from.isoformat()}", [], [])
    near = near_codes(idx, code)
    hint = f" (did you mean {', '.join(near)}?)" if near else ""
    return CodeNotHeld(f"no unit holds code {code}{where} on {at.isoformat()}, nor ever did"
                       f"{hint}", near, [])


def _fate(idx: ReadIndex, v: Version, after: Version | None,
          known_at: datetime | None) -> tuple[str, list[dict[str, object]]]:
    assert v.valid_to is not None
    on = v.valid_to
    if after is not None and after.valid_from == on:  # the unit lives on under another code
        return (f"took code {after.code or '(none)'} on {on.isoformat()} ({after.name})",
                [_brief(after, None, None)])
    parts, successors = [], []
    for e in idx.edges_out(v.id, known_at):
        if e.on != on:
            continue
        target = idx.version(e.target, on, known_at)
        if target is None:
            continue
        act = idx.act(e.act, known_at) if e.act is not None else None
        number = act.number if act is not None else None
        verb = VERBS.get(e.change, f"{e.change} →")
        parts.append(f"{verb} {target.code or ''} {target.name}".replace("  ", " ")
                     + (f" ({number})" if number else ""))
        successors.append(_brief(target, e.type, e.share))
    ended = f"ended {on.isoformat()}"
    if parts:
        return f"{ended}, {'; '.join(parts)}", successors
    parent = idx.version(v.parent, on, known_at) if v.parent is not None else None
    if parent is not None:  # a level abolished: its units moved up into the superior
        return (f"{ended} without a successor (its area lies in {parent.code or ''} "
                f"{parent.name})".replace("( ", "("), [_brief(parent, None, None)])
    return ended, successors


def _brief(v: Version, edge: str | None, share: float | None) -> dict[str, object]:
    return {"id": str(v.id), "code": v.code, "name": v.name, "level": v.level, "edge": edge,
            "share": share}


def near_codes(idx: ReadIndex, code: str) -> list[str]:
    """Codes some unit held that differ from ``code`` by leading zeros or by one character."""
    stripped = code.lstrip("0")
    padded = {other for other in idx.codes() if other != code and other.lstrip("0") == stripped}
    near = [other for other in idx.codes() if abs(len(other) - len(code)) <= 1
            and other not in padded and other != code and _one_edit(code, other)]
    return (sorted(padded, key=lambda c: (len(c), c))
            + sorted(near, key=lambda c: (abs(len(c) - len(code)), c)))[:MAX_CANDIDATES]


def _one_edit(a: str, b: str) -> bool:
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


# -- many codes at once ------------------------------------------------------------------

BULK_COLUMNS = ("code", "status", "target_id", "target_code", "target_name", "target_level",
                "edge", "share", "via_code", "detail")
MAX_BULK = 100_000


def bulk_crosswalk(reader: Reader, codes: list[str], level: str | None, from_date: date,
                   to_date: date, known_at: datetime | None) -> list[dict[str, Any]]:
    """One row per old code and unit covering it on ``to_date`` (``status`` ``ok``), or one row
    saying why there is none (``not-found``, ``ambiguous``). ``edge`` composes the lineage path:
    ``same`` (the same unit), ``whole`` (every step whole), else the first partial step's type,
    with ``share`` the product of the steps' shares where each is known; a unit that ended
    without a successor is covered through the units under it (``via_code``), each ``area``."""
    if len(codes) > MAX_BULK:
        raise InvalidInput(f"at most {MAX_BULK:,} codes at once (got {len(codes):,})", "codes")
    rows: list[dict[str, Any]] = []
    done: dict[str, list[dict[str, Any]]] = {}
    for code in codes:
        if code not in done:
            done[code] = _walk_one(reader, code, level, from_date, to_date, known_at)
        rows += done[code]
    return rows


def _walk_one(reader: Reader, code: str, level: str | None, from_date: date, to_date: date,
              known_at: datetime | None) -> list[dict[str, Any]]:
    blank = dict.fromkeys(BULK_COLUMNS)
    try:
        items = reader.crosswalk(code, level, from_date, to_date, known_at)
    except NotFound as e:
        return [{**blank, "code": code, "status": "not-found", "detail": str(e)}]
    except InvalidInput as e:
        return [{**blank, "code": code, "status": "ambiguous", "detail": e.detail}]
    if not items:
        return [{**blank, "code": code, "status": "not-found",
                 "detail": f"nothing on {to_date.isoformat()} covers it"}]
    out = []
    for i in items:
        # through a unit under it: that unit's area is part of the source's
        edge, share = _composed(i.path) if i.via is None else ("area", None)
        out.append({"code": code, "status": "ok", "target_id": str(i.target.id),
                    "target_code": i.target.code, "target_name": i.target.name,
                    "target_level": i.target.level, "edge": edge, "share": share,
                    "via_code": i.via.code if i.via is not None else None, "detail": None})
    return out


def _composed(path: list[Any]) -> tuple[str, float | None]:
    if not path:
        return "same", None
    partial = [s for s in path if s.edge != "whole"]
    if not partial:
        return "whole", None
    share: float | None = 1.0
    for s in partial:
        share = None if share is None or s.share is None else share * s.share
    return partial[0].edge, share
