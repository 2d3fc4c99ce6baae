"""INSEE COG files recorded as acts through the application layer.

- ``load_units``: a unit list becomes one registration (``baseline``) on its date: the
  départements it names, then every COM under its département and every COMD/COMA/ARM under
  its ``comparent``, each at its own level so a COM and its COMD may share a code.
- ``apply_events``: a changes file (a whole release's history, see ``insee_mapping``) brought
  in. Each event after the latest unit list becomes one act keyed by its rows (``insee_acts``);
  recorded events the file dropped or reworded are withdrawn, and those its changes would have
  met differently are recorded again; the list's units that its earlier changes describe
  otherwise are amended on the list's date. Re-importing changes nothing, and "as known at" the
  moment after each import shows what that release said.
- ``load_history``: a later list rewound to before the earliest change, then every change.
- ``compare`` (and ``insee_check.check``): the registry against a unit list.

References to units the registry does not hold (a COMD of a list that had only COMs) are left
out of the act and named in its note: the registry records what it can check.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from registry.application.service import Recorded, Registry
from registry.domain.errors import RegistryError
from registry.domain.timeline import Timeline
from registry.importers.insee_acts import (
    ISSUER,
    amendment_document,
    event_document,
    steps_of,
)
from registry.importers.insee_check import check
from registry.importers.insee_mapping import (
    DEPARTEMENT,
    LEVELS,
    Amendment,
    Event,
    Unit,
    amendments,
    read_events,
    read_units,
    rewind,
)

UNITS_KEY = "insee-cog:units:"
EVENT_KEY = "insee-cog:event:"
AMEND_KEY = "insee-cog:amend:"
WITHDRAW_KEY = "insee-cog:withdraw:"
ACT_UNITS = 500  # units per registration act: small transactions (see units_documents)


@dataclass
class Outcome:
    recorded: int = 0
    amended: int = 0
    already: int = 0
    skipped_before_list: int = 0
    untouched: int = 0  # events on units the registry does not hold only
    withdrawn: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)


# -- units -------------------------------------------------------------------------------

def units_documents(path: Path, as_of: date) -> list[tuple[str, dict[str, Any]]]:
    return units_documents_of(read_units(path), as_of)


def units_documents_of(units: list[Unit], as_of: date) -> list[tuple[str, dict[str, Any]]]:
    """The registration of a unit list: the départements, then one act per département.

    Acts of at most ``ACT_UNITS`` units keep each transaction small (a single act of ~38,000
    events stalled PostgreSQL's pipelined insert for good), give progress, and let an
    interrupted load resume. A sub-unit's COM is referred to by code (it may be in an earlier part).
    """
    deps = sorted({u.parent for u in units if u.typecom == "COM"})
    dep_of_com = {u.code: u.parent for u in units if u.typecom == "COM"}
    day = as_of.isoformat()
    docs = [("départements", _registration(
        [{"code": d, "name": f"Département {d}", "type": "DEP", "level": DEPARTEMENT}
         for d in deps], day, f"{len(deps)} départements"))]
    by_dep: dict[str, list[Unit]] = {d: [] for d in deps}
    for u in units:
        by_dep[u.parent if u.typecom == "COM" else dep_of_com.get(u.parent, deps[0])].append(u)
    order = {"COM": 0, "ARM": 1, "COMA": 1, "COMD": 1}
    for d in deps:
        listed = sorted(by_dep[d], key=lambda u: (order[u.typecom], u.typecom, u.code))
        registered = []
        for u in listed:
            if u.typecom == "COM":
                parent: dict[str, str] = {"code": d, "level": DEPARTEMENT}
            else:
                parent = {"code": u.parent, "level": LEVELS["COM"]}
            registered.append({"key": f"{u.typecom}:{u.code}", "code": u.code, "name": u.name,
                               "type": u.typecom, "level": u.level, "parent": parent})
        counts = ", ".join(f"{n} {t}" for t in LEVELS
                           if (n := sum(1 for u in listed if u.typecom == t)))
        parts = [registered[i:i + ACT_UNITS] for i in range(0, len(registered), ACT_UNITS)]
        for i, part in enumerate(parts):
            label = f"département {d}" + (f" ({i + 1}/{len(parts)})" if len(parts) > 1 else "")
            docs.append((label, _registration(part, day, f"{label}: {counts}")))
    return docs


def _registration(units: list[dict[str, Any]], day: str, what: str) -> dict[str, Any]:
    return {
        "act": {"number": None, "kind": "baseline", "issuer": ISSUER, "signed": None,
                "effective": day, "title": f"Code officiel géographique: units valid on {day}",
                "verified": True,
                "note": (f"A registration ({what}): these units existed on this date; their "
                         "earlier history is not recorded here.")},
        "changes": [{"register": {"units": units}}],
    }


def load_units(registry: Registry, path: Path, as_of: date, actor: str,
               progress: Callable[[str, Recorded], None] | None = None) -> list[Recorded]:
    results = []
    for label, result in _record_units(registry, units_documents(path, as_of), as_of, actor):
        results.append(result)
        if progress:
            progress(label, result)
    return results


def _record_units(registry: Registry, documents: list[tuple[str, dict[str, Any]]], as_of: date,
                  actor: str) -> Iterator[tuple[str, Recorded]]:
    for label, document in documents:
        digest = hashlib.sha256(repr(document).encode()).hexdigest()[:32]
        try:
            result = registry.record(document, actor,
                                     key=f"{UNITS_KEY}{as_of.isoformat()}:{digest}")
        except RegistryError as e:
            e.add_note(f"while registering {label} of the units on {as_of}; the parts before it "
                       "are recorded and a re-run resumes")
            raise
        yield label, result


def load_history(registry: Registry, units: Path, events: Path, actor: str,
                 progress: Callable[[str], None] | None = None) -> Outcome:
    """The whole history of a changes file: a later unit list is rewound to the day before the
    earliest change, registered on that day, and every change is then applied forwards."""
    changes = read_events(events)
    if not changes:
        return Outcome()
    start = changes[0].on - timedelta(days=1)
    rewound = rewind(read_units(units), changes, steps_of)
    for label, result in _record_units(registry, units_documents_of(rewound, start), start,
                                       actor):
        if progress:
            progress(f"units on {start}, {label}: "
                     + ("recorded" if result.created else "already recorded"))
    return apply_events(registry, events, actor, progress)


def latest_list(tl: Timeline) -> date | None:
    days = [date.fromisoformat(k[len(UNITS_KEY):].split(":")[0])
            for k in tl.acts_by_key if k.startswith(UNITS_KEY)]
    return max(days) if days else None


# -- events ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Live:
    """An act a previous import recorded and no release has withdrawn yet."""

    key: str  # its idempotency key without the "#n" of a re-recording
    act: UUID
    on: date
    codes: frozenset[str]


@dataclass
class _Plan:
    withdraw: list[_Live] = field(default_factory=list)  # newest first
    amend: list[tuple[str, Amendment, dict[str, Any]]] = field(default_factory=list)
    record: list[Event] = field(default_factory=list)  # in date order


def apply_events(registry: Registry, path: Path, actor: str,
                 progress: Callable[[str], None] | None = None) -> Outcome:
    """Bring the registry to what a changes file (a whole release's history) says.

    Events after the latest unit list are recorded; recorded ones the file dropped or reworded
    are withdrawn; the list's units that the file's earlier changes describe otherwise are
    amended on the list's date. Recorded events that share a code with any of these, on or
    after its date, are withdrawn and recorded again after it (they were checked against a
    state that changed). The first refusal stops the import: everything before it stays
    recorded, and running it again resumes.
    """
    events = read_events(path)
    out = Outcome()
    with registry.reading() as tl:
        since = latest_list(tl)
        wanted = [e for e in events if since is None or e.on > since]
        out.skipped_before_list = len(events) - len(wanted)
        plan = _plan(tl, since, events, wanted, out)
    for live in plan.withdraw:
        if not _withdraw(registry, live, actor, out, progress):
            return out
    for key, amendment, document in plan.amend:
        if not _record(registry, key, document, _amendment_label(amendment), actor, out,
                       progress):
            return out
        out.amended += 1
    for event in plan.record:
        if not _record_event(registry, event, actor, out, progress):
            return out
    return out


def _plan(tl: Timeline, since: date | None, events: list[Event], wanted: list[Event],
          out: Outcome) -> _Plan:
    plan = _Plan()
    live = _live(tl, EVENT_KEY)
    later = {k: v for k, v in live.items() if since is None or v.on > since}
    by_key = {EVENT_KEY + e.key: e for e in wanted}
    stale = [v for k, v in later.items() if k not in by_key]
    fresh = {k for k in by_key if k not in later}
    out.already = len(by_key) - len(fresh)
    fixes = _amendments(tl, since, events) if since is not None else {}
    live_fixes = _live(tl, f"{AMEND_KEY}{since}:") if since is not None else {}
    dirty: dict[str, date] = {}

    def mark(codes: Iterable[str], on: date) -> None:
        for c in codes:
            if on < dirty.get(c, date.max):
                dirty[c] = on

    for v in stale:
        mark(v.codes, v.on)
    for k in fresh:
        mark(_event_codes(by_key[k]), by_key[k].on)
    if since is not None:
        for k, a in fixes.items():
            if k not in live_fixes and (doc := amendment_document(tl, since, a)) is not None:
                plan.amend.append((k, a, doc))
        plan.amend.sort(key=_amendment_order)
        mark((c for k, v in live_fixes.items() if k not in fixes for c in v.codes), since)
        mark((a.key[1] for _, a, _ in plan.amend), since)
    redo = []
    for v in sorted((v for k, v in later.items() if k in by_key), key=lambda v: v.on):
        if any(dirty.get(c, date.max) <= v.on for c in v.codes):
            redo.append(v)
            mark(v.codes, v.on)
    out.already -= len(redo)
    again = {v.key for v in redo}
    plan.withdraw = sorted(stale + redo, key=lambda v: (v.on, v.key), reverse=True)
    plan.withdraw += [v for k, v in live_fixes.items() if k not in fixes]
    plan.record = [e for k, e in by_key.items() if k in fresh or k in again]
    return plan


def _live(tl: Timeline, prefix: str) -> dict[str, _Live]:
    out = {}
    for key, act_id in tl.acts_by_key.items():
        act = tl.acts[act_id]
        if key.startswith(prefix) and act.withdrawn_by is None:
            base = key.split("#")[0]
            codes = _codes(act.document)
            if base.startswith(AMEND_KEY):  # an amendment names its unit by id: the key has it
                codes.add(base.split(":")[-2])
            out[base] = _Live(base, act_id, act.effective, frozenset(codes))
    return out


def _codes(document: Any) -> set[str]:
    """The commune-level codes an act document names (not départements)."""
    if isinstance(document, dict):
        found = {v for k, v in document.items() if k == "code" and isinstance(v, str)
                 and len(v) == 5}
        return found.union(*(_codes(v) for v in document.values()))
    if isinstance(document, list):
        return set().union(*(_codes(v) for v in document))
    return set()


def _event_codes(event: Event) -> set[str]:
    return {k[1] for r in event.rows for k in (r.before, r.after)}


def _withdraw(registry: Registry, live: _Live, actor: str, out: Outcome,
              progress: Callable[[str], None] | None) -> bool:
    what = live.key.split(":", 2)[-1]
    document = {
        "act": {"number": None, "kind": "correction", "issuer": ISSUER, "signed": None,
                "effective": live.on.isoformat(),
                "title": "Change no longer in the INSEE changes file, or recorded again",
                "verified": True,
                "note": f"{live.key} is absent from a later release, reworded by it, or checked "
                        "again after an earlier change the release adds, drops or rewords"},
        "changes": [{"withdraw": {"act": str(live.act),
                                  "reason": "no longer in INSEE's changes file as recorded"}}]}
    try:
        registry.record(document, actor, key=f"{WITHDRAW_KEY}{what}:{live.act}")
    except RegistryError as e:
        out.refused.append((f"withdrawing {live.key} ({live.on})", str(e)))
        if progress:
            progress(f"withdrawing {live.key}: refused: {e}")
        return False
    out.withdrawn += 1
    if progress:
        progress(f"{live.on} withdrawn {what}")
    return True


def _free_key(tl: Timeline, key: str) -> str | None:
    """The key to record under: None if recorded and live; a "#n" key if a release withdrew it."""
    known = tl.acts_by_key.get(key)
    if known is None:
        return key
    if tl.acts[known].withdrawn_by is None:
        return None
    n = 2
    while (other := tl.acts_by_key.get(f"{key}#{n}")) is not None:
        if tl.acts[other].withdrawn_by is None:
            return None
        n += 1
    return f"{key}#{n}"


def _record(registry: Registry, key: str, document: dict[str, Any], label: str, actor: str,
            out: Outcome, progress: Callable[[str], None] | None) -> bool:
    with registry.reading() as tl:
        free = _free_key(tl, key)
    if free is None:
        return True
    try:
        registry.record(document, actor, key=free)
    except RegistryError as e:
        out.refused.append((label, str(e)))
        if progress:
            progress(f"{label}: refused: {e}")
        return False
    if progress:
        progress(f"{label}: recorded")
    return True


def _record_event(registry: Registry, event: Event, actor: str, out: Outcome,
                  progress: Callable[[str], None] | None) -> bool:
    with registry.reading() as tl:
        document = event_document(tl, event)
    if document is None:  # only units the registry does not hold (sub-units of a comsimp list)
        out.untouched += 1
        if progress:
            progress(f"{rows_label(event)}: nothing the registry holds, skipped")
        return True
    if _record(registry, EVENT_KEY + event.key, document, rows_label(event), actor, out,
               progress):
        out.recorded += 1
        return True
    return False


def rows_label(event: Event, limit: int = 8) -> str:
    """An event as its rows, for messages: what to look for in the changes file."""
    rows = [f"{r.mod} {r.before[0]} {r.before[1]} {r.before_name} → {r.after[0]} {r.after[1]} "
            f"{r.after_name}" for r in event.rows[:limit]]
    more = f"; … {len(event.rows) - limit} more rows" if len(event.rows) > limit else ""
    return f"{event.on} event of {len(event.rows)} rows ({'; '.join(rows)}{more})"


# -- a later release's word on an earlier list --------------------------------------------

def registered_units(tl: Timeline, on: date) -> list[Unit]:
    """The units the registrations of ``on`` recorded, as they recorded them."""
    units = []
    prefix = f"{UNITS_KEY}{on.isoformat()}:"
    for key, act_id in tl.acts_by_key.items():
        document = tl.acts[act_id].document
        if not key.startswith(prefix) or document is None:
            continue
        for change in document["changes"]:
            for u in change.get("register", {}).get("units", []):
                if u["type"] in LEVELS:
                    units.append(Unit(u["type"], u["code"], u["name"], u["parent"]["code"]))
    return units


def _amendments(tl: Timeline, since: date, events: list[Event]) -> dict[str, Amendment]:
    """What the release says otherwise of the list of ``since``, by idempotency key (the unit
    and what the release says of it)."""
    out = {}
    for a in amendments(registered_units(tl, since), since, events, steps_of):
        said = hashlib.sha256(repr(a.said).encode()).hexdigest()[:16]
        out[f"{AMEND_KEY}{since}:{a.key[0]}:{a.key[1]}:{said}"] = a
    return out


def _amendment_order(item: tuple[str, Amendment, dict[str, Any]]) -> int:
    """Communes registered before their sub-units, and superseded after them."""
    a = item[1]
    if a.key[0] != "COM":
        return 1
    return 2 if a.said is None else 0


def _amendment_label(a: Amendment) -> str:
    what = ("gone" if a.said is None else "missing from the list" if a.listed is None
            else f"'{a.said.name}' under {a.said.parent}")
    why = rows_label(a.event, 3) if a.event else "the release never mentions it"
    return f"amending {a.key[0]} {a.key[1]} of the list: {what}, by {why}"


# -- the self-check ----------------------------------------------------------------------

def compare(tl: Timeline, path: Path, on: date) -> tuple[int, int, list[str]]:
    """How many COM of a unit list the registry holds on ``on`` with the same code and name,
    of how many, and every difference among communes (``insee_check.check`` for all units)."""
    result = check(tl, [u for u in read_units(path) if u.typecom == "COM"], on)
    return result.exact, result.communes, result.differences
