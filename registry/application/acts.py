"""Act documents: the readable format administrators write (YAML or JSON), parsed strictly.

Unknown fields, malformed dates, unquoted numeric codes and oversized input are refused with the
path of the offending field. Every string is normalised to NFC. See ``fixtures/README.md`` for the
format with examples.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from registry.application.documents import MAX_DEPTH
from registry.domain import changes as ch
from registry.domain.errors import InvalidInput
from registry.domain.model import EDGE_TYPES, MEASURES
from registry.domain.plans import STATUSES
from registry.domain.text import nfc, unstorable

MAX_CHANGES = 20_000
MAX_UNITS = 50_000
MAX_TEXT = 2_000
# Every date an act gives must leave room for the day before and the day after (references are
# resolved on the day before a change; intervals end on the day after).
FIRST_DATE = date(1000, 1, 1)
LAST_DATE = date(9998, 12, 31)
ACT_KINDS = ("law", "resolution", "decree", "decision", "conclusion", "plan", "letter",
             "baseline", "correction", "other")
ACT_FIELDS = {"number", "kind", "issuer", "signed", "effective", "effective_stand_in", "title",
              "url", "verified", "note"}
REF_FIELDS = {"id", "code", "level", "key", "name", "parent", "type", "at"}
UNIT_FIELDS = {"key", "name", "code", "type", "kind", "level", "parent", "territory", "same_as",
               "party", "illustrative"}


@dataclass(frozen=True)
class ParsedAct:
    number: str | None
    kind: str
    issuer: str | None
    signed: date | None
    effective: date
    title: str | None
    url: str | None
    verified: bool
    note: str | None
    changes: list[ch.Change]
    document: dict[str, Any]
    digest: str


def is_act_document(data: Any) -> bool:
    return isinstance(data, dict) and "act" in data and "changes" in data


def parse_act(data: Any) -> ParsedAct:
    if not isinstance(data, dict):
        raise InvalidInput("an act document is a mapping with 'act' and 'changes'")
    _only(data, {"act", "changes"}, "")
    head = data.get("act")
    if not isinstance(head, dict):
        raise InvalidInput("required: a mapping describing the legal act", "act")
    _only(head, ACT_FIELDS, "act")
    kind = _text(head.get("kind"), "act.kind", required=True)
    if kind not in ACT_KINDS:
        raise InvalidInput(f"must be one of {', '.join(ACT_KINDS)}", "act.kind")
    effective = _date(head.get("effective"), "act.effective", required=True)
    signed = _date(head.get("signed"), "act.signed")
    verified = head.get("verified", True)
    if not isinstance(verified, bool):
        raise InvalidInput("must be true or false", "act.verified")
    stand_in = head.get("effective_stand_in", False)
    if not isinstance(stand_in, bool):
        raise InvalidInput("must be true or false", "act.effective_stand_in")
    if stand_in and verified:
        raise InvalidInput("an act whose effective date is a stand-in is not verified: set "
                           "verified: false", "act.effective_stand_in")
    raw_changes = data.get("changes")
    if not isinstance(raw_changes, list) or not raw_changes:
        raise InvalidInput("required: a non-empty list of changes", "changes")
    if len(raw_changes) > MAX_CHANGES:
        raise InvalidInput(f"at most {MAX_CHANGES} changes in one act", "changes")
    changes = [_change(c, f"changes[{i}]") for i, c in enumerate(raw_changes)]
    _plan_rules(kind, changes)
    document = _canonical(data, "", 0)
    digest = hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False)
                            .encode()).hexdigest()
    return ParsedAct(
        number=_text(head.get("number"), "act.number"), kind=kind,
        issuer=_text(head.get("issuer"), "act.issuer"), signed=signed, effective=effective,
        title=_text(head.get("title"), "act.title"), url=_text(head.get("url"), "act.url"),
        verified=verified, note=_text(head.get("note"), "act.note"), changes=changes,
        document=document, digest=digest)


# -- changes -----------------------------------------------------------------------------

_COMMON = {"clause", "effective", "note"}


def _change(raw: Any, path: str) -> ch.Change:
    if not isinstance(raw, dict):
        raise InvalidInput("each change is a mapping", path)
    kinds = [k for k in raw if k not in _COMMON]
    if len(kinds) != 1 or kinds[0] not in _PARSERS:
        raise InvalidInput("each change has exactly one of: " + ", ".join(_PARSERS), path)
    kind = kinds[0]
    common = {"clause": _text(raw.get("clause"), path + ".clause"),
              "effective": _date(raw.get("effective"), path + ".effective"),
              "note": _text(raw.get("note"), path + ".note")}
    body = raw[kind]
    if not isinstance(body, dict):
        raise InvalidInput("must be a mapping", f"{path}.{kind}")
    return _PARSERS[kind](body, f"{path}.{kind}", common)


def _establish(b: dict, p: str, common: dict) -> ch.Change:
    _only(b, {"unit"}, p)
    return ch.Establish(_unit(b.get("unit"), p + ".unit"), **common)


def _register(b: dict, p: str, common: dict) -> ch.Change:
    _only(b, {"units"}, p)
    units = b.get("units")
    if not isinstance(units, list) or not units:
        raise InvalidInput("required: a non-empty list of units", p + ".units")
    if len(units) > MAX_UNITS:
        raise InvalidInput(f"at most {MAX_UNITS} units in one registration", p + ".units")
    return ch.Register(tuple(_unit(u, f"{p}.units[{i}]") for i, u in enumerate(units)), **common)


def _rename(b: dict, p: str, common: dict) -> ch.Change:
    _only(b, {"unit", "name"}, p)
    return ch.Rename(_ref(b.get("unit"), p + ".unit"),
                     _text(b.get("name"), p + ".name", required=True), **common)


def _recode(b: dict, p: str, common: dict) -> ch.Change:
    _only(b, {"unit", "code"}, p)
    return ch.Recode(_ref(b.get("unit"), p + ".unit"), _code(b.get("code"), p + ".code"),
                     **common)


def _reclassify(b: dict, p: str, common: dict) -> ch.Change:
    _only(b, {"unit", "type", "kind", "level"}, p)
    if not any(b.get(k) for k in ("type", "kind", "level")):
        raise InvalidInput("give at least one of type, kind, level", p)
    return ch.Reclassify(_ref(b.get("unit"), p + ".unit"), _text(b.get("type"), p + ".type"),
                         _text(b.get("kind"), p + ".kind"), _text(b.get("level"), p + ".level"),
                         **common)


def _reassign(b: dict, p: str, common: dict) -> ch.Change:
    _only(b, {"unit", "parent", "territory", "party"}, p)
    if b.get("parent") is None and b.get("territory") is None and "party" not in b:
        raise InvalidInput("give a new parent, a territory, a party (null: none), or several", p)
    return ch.Reassign(_ref(b.get("unit"), p + ".unit"), _opt_ref(b.get("parent"), p + ".parent"),
                       _opt_ref(b.get("territory"), p + ".territory"),
                       _opt_ref(b.get("party"), p + ".party"),
                       "party" in b and b["party"] is None, **common)


def _merge(b: dict, p: str, common: dict) -> ch.Change:
    _only(b, {"sources", "into"}, p)
    return ch.Merge(_sources(b.get("sources"), p + ".sources"), _unit(b.get("into"), p + ".into"),
                    **common)


def _absorb(b: dict, p: str, common: dict) -> ch.Change:
    _only(b, {"sources", "into"}, p)
    return ch.Absorb(_sources(b.get("sources"), p + ".sources"), _ref(b.get("into"), p + ".into"),
                     **common)


def _split(b: dict, p: str, common: dict) -> ch.Change:
    _only(b, {"source", "into"}, p)
    parts = b.get("into")
    if not isinstance(parts, list) or len(parts) < 2:
        raise InvalidInput("a split makes at least two new units", p + ".into")
    return ch.Split(_ref(b.get("source"), p + ".source"),
                    tuple(_part(u, f"{p}.into[{i}]") for i, u in enumerate(parts)), **common)


def _detach(b: dict, p: str, common: dict) -> ch.Change:
    _only(b, {"source", "into"}, p)
    return ch.Detach(_ref(b.get("source"), p + ".source"), _part(b.get("into"), p + ".into"),
                     **common)


def _transfer(b: dict, p: str, common: dict) -> ch.Change:
    _only(b, {"source", "target", "edge", "share"}, p)
    return ch.Transfer(_ref(b.get("source"), p + ".source"), _ref(b.get("target"), p + ".target"),
                       _edge(b.get("edge", "area"), p + ".edge"), _share(b.get("share"), p),
                       **common)


def _dissolve(b: dict, p: str, common: dict) -> ch.Change:
    _only(b, {"unit"}, p)
    return ch.Dissolve(_ref(b.get("unit"), p + ".unit"), **common)


def _abolish_level(b: dict, p: str, common: dict) -> ch.Change:
    _only(b, {"within", "level"}, p)
    return ch.AbolishLevel(_ref(b.get("within"), p + ".within"),
                           _text(b.get("level"), p + ".level", required=True), **common)


def _correct(b: dict, p: str, common: dict) -> ch.Change:
    _only(b, {"unit", "version", "reason"}, p)
    version = b.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InvalidInput("the version (a positive integer) of the event to supersede",
                           p + ".version")
    return ch.Correct(_ref(b.get("unit"), p + ".unit"), version,
                      _text(b.get("reason"), p + ".reason", required=True), **common)


def _withdraw(b: dict, p: str, common: dict) -> ch.Change:
    _only(b, {"act", "reason"}, p)
    return ch.Withdraw(_uuid(b.get("act"), p + ".act"),
                       _text(b.get("reason"), p + ".reason", required=True), **common)


def _staffing(b: dict, p: str, common: dict) -> ch.Change:
    _only(b, {"unit", "measure", "category", "value"}, p)
    value = b.get("value")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput("a staffing figure is a whole number, 0 or more", p + ".value")
    return ch.Staffing(_ref(b.get("unit"), p + ".unit"), _measure(b.get("measure"), p),
                       value, _text(b.get("category"), p + ".category"), **common)


def _staffing_target(b: dict, p: str, common: dict) -> ch.Change:
    _only(b, {"unit", "measure", "category", "change_percent", "baseline", "deadline",
              "description"}, p)
    percent = b.get("change_percent")
    if percent is not None and (isinstance(percent, bool) or not isinstance(percent, (int, float))
                                or not math.isfinite(percent) or not -100 <= percent <= 1000):
        raise InvalidInput("a percentage between -100 and 1000 (e.g. -20 for 20% fewer)",
                           p + ".change_percent")
    return ch.StaffingTarget(
        _ref(b.get("unit"), p + ".unit"), _measure(b.get("measure"), p),
        _text(b.get("description"), p + ".description", required=True),
        _text(b.get("category"), p + ".category"),
        float(percent) if percent is not None else None,
        _date(b.get("baseline"), p + ".baseline"), _date(b.get("deadline"), p + ".deadline"),
        **common)


def _assign_function(b: dict, p: str, common: dict) -> ch.Change:
    _only(b, {"unit", "function"}, p)
    return ch.AssignFunction(_ref(b.get("unit"), p + ".unit"),
                             _text(b.get("function"), p + ".function", required=True), **common)


def _transfer_function(b: dict, p: str, common: dict) -> ch.Change:
    _only(b, {"function", "from", "to"}, p)
    return ch.TransferFunction(_text(b.get("function"), p + ".function", required=True),
                               _ref(b.get("from"), p + ".from"), _ref(b.get("to"), p + ".to"),
                               **common)


def _remove_function(b: dict, p: str, common: dict) -> ch.Change:
    _only(b, {"unit", "function"}, p)
    return ch.RemoveFunction(_ref(b.get("unit"), p + ".unit"),
                             _text(b.get("function"), p + ".function", required=True), **common)


def _measure(raw: Any, p: str) -> str:
    if raw not in MEASURES:
        raise InvalidInput(f"must be one of {', '.join(MEASURES)}", p + ".measure")
    return raw  # type: ignore[no-any-return]


# -- plans (registry.domain.plans, ADR 0008) ---------------------------------------------

PLAN_ITEM_FIELDS = {"id", "title", "deadline", "lead", "coordinating", "status", "acts", "change"}
PLAN_KINDS = ("plan_item", "plan_status")
MAX_ITEM_ID = 64


def _plan_item(b: dict, p: str, common: dict) -> ch.Change:
    _only(b, PLAN_ITEM_FIELDS, p)
    coordinating = b.get("coordinating")
    coordinating = [] if coordinating is None else coordinating
    if not isinstance(coordinating, list):
        raise InvalidInput("a list of organisations", p + ".coordinating")
    raw_change = b.get("change")
    change = None
    if raw_change is not None:
        if isinstance(raw_change, dict) and any(k in PLAN_KINDS for k in raw_change):
            raise InvalidInput("a planned change is a change to organisations, not to a plan",
                               p + ".change")
        _change(raw_change, p + ".change")  # checked as a document, never applied
        change = _canonical(raw_change, p + ".change", 0)
    return ch.PlanItem(
        id=_item_id(b.get("id"), p + ".id"),
        title=_text(b.get("title"), p + ".title", required=True),  # type: ignore[arg-type]
        deadline=_date(b.get("deadline"), p + ".deadline"),
        lead=_opt_ref(b.get("lead"), p + ".lead"),
        coordinating=tuple(_ref(r, f"{p}.coordinating[{i}]")
                           for i, r in enumerate(coordinating)),
        status=_status(b.get("status", "planned"), p + ".status"),
        acts=_act_refs([] if b.get("acts") is None else b["acts"], p + ".acts"),
        change=change, **common)


def _plan_status(b: dict, p: str, common: dict) -> ch.Change:
    _only(b, {"plan", "item", "status", "acts"}, p)
    acts = b.get("acts")
    return ch.PlanStatus(
        plan=_act_ref(b.get("plan"), p + ".plan"), item=_item_id(b.get("item"), p + ".item"),
        status=_status(b.get("status"), p + ".status"),
        acts=None if acts is None else _act_refs(acts, p + ".acts"), **common)


def _item_id(raw: Any, p: str) -> str:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raise InvalidInput("an item id is text: quote it (\"2.3\") so it stays as written", p)
    value = _text(raw, p, required=True)
    assert value is not None
    if len(value) > MAX_ITEM_ID:
        raise InvalidInput(f"an item id has at most {MAX_ITEM_ID} characters", p)
    return value


def _status(raw: Any, p: str) -> str:
    if raw not in STATUSES:
        raise InvalidInput(f"must be one of {', '.join(STATUSES)}", p)
    return str(raw)


def _act_refs(raw: Any, p: str) -> tuple[ch.ActRef, ...]:
    if not isinstance(raw, list):
        raise InvalidInput("a list of acts ({id}, {number} or {title})", p)
    return tuple(_act_ref(r, f"{p}[{i}]") for i, r in enumerate(raw))


def _act_ref(raw: Any, p: str) -> ch.ActRef:
    if not isinstance(raw, dict):
        raise InvalidInput("an act is named by a mapping with one of id, number, title", p)
    _only(raw, {"id", "number", "title"}, p)
    given = [k for k in ("id", "number", "title") if raw.get(k) is not None]
    if len(given) != 1:
        raise InvalidInput("name the act by exactly one of id, number, title", p)
    if given[0] == "id":
        return ch.ActRef(id=_uuid(raw["id"], p + ".id"))
    value = _text(raw[given[0]], f"{p}.{given[0]}", required=True)
    return ch.ActRef(**{given[0]: value})


def _plan_rules(kind: str, changes: list[ch.Change]) -> None:
    """A plan holds items (and may report on earlier plans' items); items only in a plan."""
    seen: set[str] = set()
    for i, c in enumerate(changes):
        if kind == "plan":
            if not isinstance(c, (ch.PlanItem, ch.PlanStatus, ch.StaffingTarget)):
                raise InvalidInput("an act of kind plan holds only plan_item, plan_status and "
                                   "staffing_target changes: what it foresees is not a fact",
                                   f"changes[{i}]")
            if isinstance(c, ch.PlanItem):
                if c.id in seen:
                    raise InvalidInput(f"item '{c.id}' is given twice in this plan",
                                       f"changes[{i}].plan_item.id")
                seen.add(c.id)
        elif isinstance(c, ch.PlanItem):
            raise InvalidInput("plan_item belongs in an act of kind plan", f"changes[{i}]")


_PARSERS = {
    "establish": _establish, "register": _register, "rename": _rename, "recode": _recode,
    "reclassify": _reclassify, "reassign": _reassign, "merge": _merge, "absorb": _absorb,
    "split": _split, "detach": _detach, "transfer": _transfer, "dissolve": _dissolve,
    "abolish_level": _abolish_level, "correct": _correct, "withdraw": _withdraw,
    "staffing": _staffing, "staffing_target": _staffing_target,
    "assign_function": _assign_function, "transfer_function": _transfer_function,
    "remove_function": _remove_function,
    "plan_item": _plan_item, "plan_status": _plan_status,
}
CHANGE_KINDS = tuple(_PARSERS)


# -- pieces ------------------------------------------------------------------------------

def _unit(raw: Any, p: str) -> ch.NewUnit:
    if not isinstance(raw, dict):
        raise InvalidInput("a new unit is a mapping with at least name and type", p)
    _only(raw, UNIT_FIELDS, p)
    return ch.NewUnit(
        name=_text(raw.get("name"), p + ".name", required=True),
        type=_text(raw.get("type"), p + ".type", required=True),
        kind=_text(raw.get("kind"), p + ".kind") or ch.ADMINISTRATIVE_UNIT,
        level=_text(raw.get("level"), p + ".level"),
        code=_code(raw.get("code"), p + ".code"),
        parent=_opt_ref(raw.get("parent"), p + ".parent"),
        territory=_opt_ref(raw.get("territory"), p + ".territory"),
        key=_text(raw.get("key"), p + ".key"),
        same_as=_opt_ref(raw.get("same_as"), p + ".same_as"),
        party=_opt_ref(raw.get("party"), p + ".party"),
        illustrative=_bool(raw.get("illustrative", False), p + ".illustrative"))


def _bool(raw: Any, p: str) -> bool:
    if not isinstance(raw, bool):
        raise InvalidInput("must be true or false", p)
    return raw


def _part(raw: Any, p: str) -> ch.Part:
    if not isinstance(raw, dict):
        raise InvalidInput("a part is a new unit with an optional edge and share", p)
    body = {k: v for k, v in raw.items() if k not in ("edge", "share")}
    return ch.Part(_unit(body, p), _edge(raw.get("edge", "area"), p + ".edge"),
                   _share(raw.get("share"), p))


def _sources(raw: Any, p: str) -> tuple[ch.Source, ...]:
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("required: a non-empty list of units", p)
    out = []
    for i, item in enumerate(raw):
        q = f"{p}[{i}]"
        if isinstance(item, dict):
            ref = {k: v for k, v in item.items() if k not in ("edge", "share", "ends")}
            ends = item.get("ends", True)
            if not isinstance(ends, bool):
                raise InvalidInput("must be true or false", q + ".ends")
            out.append(ch.Source(_ref(ref, q), _edge(item.get("edge", "whole"), q + ".edge"),
                                 _share(item.get("share"), q), ends))
        else:
            out.append(ch.Source(_ref(item, q)))
    return tuple(out)


def _opt_ref(raw: Any, p: str) -> ch.Ref | None:
    return None if raw is None else _ref(raw, p)


def _ref(raw: Any, p: str) -> ch.Ref:
    if isinstance(raw, str):
        return ch.Ref(code=_code(raw, p))
    if not isinstance(raw, dict):
        raise InvalidInput("a reference is a code (quoted) or a mapping with id, code, key or "
                           "name", p)
    _only(raw, REF_FIELDS, p)
    if not any(raw.get(k) is not None for k in ("id", "code", "key", "name")):
        raise InvalidInput("a reference needs an id, a code, a key or a name", p)
    return ch.Ref(
        id=_uuid(raw["id"], p + ".id") if raw.get("id") is not None else None,
        code=_code(raw.get("code"), p + ".code"), level=_text(raw.get("level"), p + ".level"),
        key=_text(raw.get("key"), p + ".key"), name=_text(raw.get("name"), p + ".name"),
        parent=_opt_ref(raw.get("parent"), p + ".parent"),
        type=_text(raw.get("type"), p + ".type"), at=_date(raw.get("at"), p + ".at"))


def _edge(raw: Any, p: str) -> str:
    if raw not in EDGE_TYPES:
        raise InvalidInput(f"must be one of {', '.join(EDGE_TYPES)}", p)
    return raw


def _share(raw: Any, p: str) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not 0 < raw <= 1:
        raise InvalidInput("a share is a number in (0, 1]", p + ".share")
    return float(raw)


def _code(raw: Any, p: str) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise InvalidInput("codes are strings: quote them so leading zeros survive", p)
    code = nfc(_storable(raw, p))
    if not code or len(code) > 32:
        raise InvalidInput("a code has 1 to 32 characters", p)
    return code


def _text(raw: Any, p: str, required: bool = False) -> str | None:
    if raw is None:
        if required:
            raise InvalidInput("required", p)
        return None
    if not isinstance(raw, str):
        raise InvalidInput("must be text", p)
    value = nfc(_storable(raw, p))
    if required and not value:
        raise InvalidInput("must not be empty", p)
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"at most {MAX_TEXT} characters", p)
    return value or None


def _date(raw: Any, p: str, required: bool = False) -> date | None:
    if raw is None:
        if required:
            raise InvalidInput("required (YYYY-MM-DD)", p)
        return None
    if isinstance(raw, datetime):
        raise InvalidInput("a date has no time of day (YYYY-MM-DD)", p)
    if isinstance(raw, date):
        value = raw
    elif not isinstance(raw, str):
        raise InvalidInput("must be a date written YYYY-MM-DD", p)
    else:
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            raise InvalidInput(f"{raw[:40]!r} is not a valid date (YYYY-MM-DD)", p) from None
        if len(raw) != 10:
            raise InvalidInput(f"{raw!r} is not a date written YYYY-MM-DD", p)
    if not FIRST_DATE <= value <= LAST_DATE:
        raise InvalidInput(f"dates run from {FIRST_DATE} to {LAST_DATE}", p)
    return value


def _uuid(raw: Any, p: str) -> UUID:
    try:
        return UUID(str(raw))
    except ValueError:
        raise InvalidInput("must be a UUID", p) from None


def _only(raw: dict, allowed: set[str], p: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        where = f"{p}.{unknown[0]}" if p else unknown[0]
        raise InvalidInput(f"unknown field (allowed: {', '.join(sorted(allowed))})", where)


def _storable(raw: str, p: str) -> str:
    why = unstorable(raw)
    if why is not None:
        raise InvalidInput(why, p)
    return raw


def _canonical(value: Any, p: str, depth: int) -> Any:
    """The document as stored: NFC text, ISO dates; refused if any text could not be stored."""
    if depth > MAX_DEPTH:
        raise InvalidInput(f"nested deeper than {MAX_DEPTH} levels", p or None)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = _storable(str(k), p or "document")
            out[key] = _canonical(v, f"{p}.{key}" if p else key, depth + 1)
        return out
    if isinstance(value, list):
        return [_canonical(v, f"{p}[{i}]", depth + 1) for i, v in enumerate(value)]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return nfc(_storable(value, p))
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput("must be a finite number", p or None)
    return value
