"""INSEE COG files recorded as acts through the application layer.

- ``load_units``: a unit list becomes one registration (``baseline``) on its date: the
  départements it names, then every COM under its département and every COMD/COMA/ARM under
  its ``comparent``, each at its own level so a COM and its COMD may share a code.
- ``apply_events``: each event of a changes file (see ``insee_mapping``) becomes one act, keyed
  by the event's content. Events dated on or before the latest unit list loaded are already in it
  and are skipped. An event whose key is recorded is skipped (re-importing changes nothing); an
  event a previous import recorded that this file no longer contains is withdrawn by a correction
  act, so "as known at" still shows what each release said.

References to units the registry does not hold (a COMD of a list that had only COMs) are left
out of the act and named in its note: the registry records what it can check.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from registry.application.service import Recorded, Registry
from registry.domain.errors import RegistryError
from registry.domain.timeline import Timeline
from registry.importers.insee_mapping import (
    DEPARTEMENT,
    LEVELS,
    MODS,
    SUB_UNITS,
    Event,
    Key,
    Unit,
    departement_of,
    read_events,
    read_units,
    rewind,
)

UNITS_KEY = "insee-cog:units:"
EVENT_KEY = "insee-cog:event:"
WITHDRAW_KEY = "insee-cog:withdraw:"
ISSUER = "INSEE, Code officiel géographique"
ACT_UNITS = 500  # units per registration act: small transactions (see units_documents)


@dataclass
class Outcome:
    recorded: int = 0
    already: int = 0
    skipped_before_list: int = 0
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

def apply_events(registry: Registry, path: Path, actor: str,
                 progress: Callable[[str], None] | None = None) -> Outcome:
    events = read_events(path)
    out = Outcome()
    with registry.reading() as tl:
        since = latest_list(tl)
    wanted = [e for e in events if since is None or e.on > since]
    out.skipped_before_list = len(events) - len(wanted)
    keys = {EVENT_KEY + e.key for e in wanted}
    for key, act_id, on in _recorded_events(registry):
        if key not in keys and (since is None or on > since):
            _withdraw(registry, key, act_id, on, actor, out, progress)
    for event in wanted:
        _record_event(registry, event, actor, out, progress)
    return out


def _recorded_events(registry: Registry) -> list[tuple[str, Any, date]]:
    with registry.reading() as tl:
        live = []
        for key, act_id in tl.acts_by_key.items():
            act = tl.acts[act_id]
            if key.startswith(EVENT_KEY) and act.withdrawn_by is None:
                live.append((key.split("#")[0], act_id, act.effective))
        return sorted(live, key=lambda k: (k[2], k[0]), reverse=True)


def _withdraw(registry: Registry, key: str, act_id: Any, on: date, actor: str, out: Outcome,
              progress: Callable[[str], None] | None) -> None:
    document = {
        "act": {"number": None, "kind": "correction", "issuer": ISSUER, "signed": None,
                "effective": on.isoformat(),
                "title": "Change no longer in the INSEE changes file",
                "verified": True,
                "note": f"event {key[len(EVENT_KEY):]} is absent from a later release"},
        "changes": [{"withdraw": {"act": str(act_id),
                                  "reason": "no longer in INSEE's changes file"}}]}
    try:
        registry.record(document, actor, key=f"{WITHDRAW_KEY}{key[len(EVENT_KEY):]}:{act_id}")
    except RegistryError as e:
        out.refused.append((f"withdraw {key}", str(e)))
        return
    out.withdrawn += 1
    if progress:
        progress(f"{on} withdrawn {key[len(EVENT_KEY):]}")


def _record_event(registry: Registry, event: Event, actor: str, out: Outcome,
                  progress: Callable[[str], None] | None) -> None:
    key = EVENT_KEY + event.key
    with registry.reading() as tl:
        known = tl.acts_by_key.get(key)
        if known is not None and tl.acts[known].withdrawn_by is None:
            out.already += 1
            return
        if known is not None:  # withdrawn by an earlier release, back in this one
            n = 2
            while f"{key}#{n}" in tl.acts_by_key:
                n += 1
            key = f"{key}#{n}"
        document = event_document(tl, event)
    label = f"{event.on} mod {','.join(event.mods)} {event.rows[0].before[1]}"
    if document is None:
        out.refused.append((label, "nothing the registry holds is touched"))
        return
    try:
        registry.record(document, actor, key=key)
    except RegistryError as e:
        out.refused.append((label, str(e)))
        if progress:
            progress(f"{label}: refused: {e}")
        return
    out.recorded += 1
    if progress:
        progress(f"{label}: recorded")


# -- one event as an act document --------------------------------------------------------

@dataclass
class _Act:
    """What the steps of one act share: units made or ended by an earlier step (a date's rows
    of several ``mod`` on the same codes are applied one ``mod`` after another), and the
    départements it establishes."""

    tl: Timeline
    on: date
    made: dict[Key, str] = field(default_factory=dict)  # unit → key in this act
    ended: set[Key] = field(default_factory=set)
    recoded: dict[Key, dict[str, str]] = field(default_factory=dict)  # new code → the unit
    established: list[dict[str, Any]] = field(default_factory=list)
    steps: int = 0

    def holds(self, key: Key) -> bool:
        if key in self.made:
            return True
        if key in self.ended:
            return False
        if key in self.recoded:
            return True
        return bool(self.tl.by_code(key[1], self.on - timedelta(days=1), LEVELS[key[0]]))

    def ref(self, key: Key) -> dict[str, str]:
        if key in self.made:
            return {"key": self.made[key]}
        if key in self.recoded:  # references resolve on the day before: by its old code
            return self.recoded[key]
        return {"code": key[1], "level": LEVELS[key[0]]}

    def departement(self, code: str) -> dict[str, str]:
        """The département of a commune code; established in this act if none holds it yet."""
        dep = departement_of(code)
        day_before = self.on - timedelta(days=1)
        if any(self.tl.by_code(dep, day, DEPARTEMENT) for day in (day_before, self.on)):
            return {"code": dep, "level": DEPARTEMENT}
        key = f"DEP:{dep}"
        if not any(c["establish"]["unit"]["key"] == key for c in self.established):
            self.established.append({"establish": {"unit": {
                "key": key, "code": dep, "name": f"Département {dep}", "type": "DEP",
                "level": DEPARTEMENT}}})
        return {"key": key}


class _Plan:
    """One step of an event (the rows of one ``mod``) as changes, against the registry's state
    on the day before and what earlier steps of the same act did."""

    def __init__(self, act: _Act, event: Event) -> None:
        self.act = act
        self.tl = act.tl
        self.event = event
        self.step = act.steps
        act.steps += 1
        self.day_before = event.on - timedelta(days=1)
        self.before, self.after = event.names()
        self.links = event.links()
        self.recoded = event.recoded()  # new key → old key
        known = {k for k in self.before if act.holds(k)}
        self.missing = sorted(f"{t} {c}" for t, c in self.before if (t, c) not in known)
        # A unit on both sides that the registry does not hold stays unknown after too.
        self.after = {k: v for k, v in self.after.items()
                      if not (k in self.before and k not in known)}
        # A unit only on the after side that the registry already holds simply continues.
        for k in [k for k in self.after if k not in self.before and act.holds(k)]:
            self.before[k] = self.after[k]
            known.add(k)
        self.known = known
        kept = set(self.recoded.values())
        self.continuing = {k for k in known if k in self.after or k in kept}
        self.ending = {k for k in known if k not in self.continuing}
        self.new = {k for k in self.after if k not in self.before and k not in self.recoded}

    def ref(self, key: Key) -> dict[str, str]:
        return self.act.ref(key)

    def target_ref(self, key: Key) -> dict[str, str]:
        """A unit as it stands after the step (new in it, or continuing)."""
        if key in self.new:
            return {"key": self._key(key)}
        return self.ref(self.recoded.get(key, key))

    def _key(self, key: Key) -> str:
        return f"{self.step}:{key[0]}:{key[1]}"

    def successors(self, key: Key) -> list[Key]:
        return sorted(b for a, b in self.links if a == key and b != key and b in self.after)

    def changes(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for new_key, old_key in sorted(self.recoded.items()):
            if old_key in self.known:
                out.append({"recode": {"unit": self.ref(old_key), "code": new_key[1]}})
                if self.after[new_key] != self.before[old_key]:
                    out.append({"rename": {"unit": self.ref(old_key),
                                           "name": self.after[new_key]}})
                moved = departement_of(new_key[1]) != departement_of(old_key[1])
                if old_key[0] == "COM" and moved:
                    out.append({"reassign": {"unit": self.ref(old_key),
                                             "parent": self.act.departement(new_key[1])}})
        for key in sorted(self.continuing - set(self.recoded.values())):
            if self.after[key] != self.before[key]:
                out.append({"rename": {"unit": self.ref(key), "name": self.after[key]}})
        for key in sorted(self.new, key=lambda k: (k[0] != "COM", k)):
            out.append(self._begin(key))
        for key in sorted(self.ending):
            out.extend(self._end(key))
        for key in sorted(self.continuing):
            out.extend(self._reassign(key))
        for new_key, old_key in self.recoded.items():
            if old_key in self.known:
                # A later step of the same day may take the unit under its new code
                # (INSEE 2018-01-01: 49144 became 44225, which then joined a commune nouvelle).
                if old_key in self.act.made:
                    self.act.made[new_key] = self.act.made[old_key]
                else:
                    self.act.recoded[new_key] = self.act.ref(old_key)
                self.act.made.pop(old_key, None)
                self.act.ended.add(old_key)
        for key in self.new:
            self.act.made[key] = self._key(key)
        for key in self.ending:
            self.act.made.pop(key, None)
            self.act.ended.add(key)
        return [c for c in out if c]

    def _begin(self, key: Key) -> dict[str, Any]:
        unit = {"key": self._key(key), "code": key[1], "name": self.after[key], "type": key[0],
                "level": LEVELS[key[0]], "parent": self._parent(key)}
        preds = sorted(a for a, b in self.links if b == key and a in self.known)
        if not preds:
            return {"establish": {"unit": unit}}
        if len(preds) == 1 and preds[0] in self.continuing:
            return {"detach": {"source": self.ref(preds[0]), "into": {**unit, "edge": "area"}}}
        sources = []
        for p in preds:
            ends = p in self.ending
            whole = ends and self.successors(p) == [key]
            sources.append({**self.ref(p), "edge": "whole" if whole else "area",
                            **({} if ends else {"ends": False})})
        return {"merge": {"sources": sources, "into": unit}}

    def _parent(self, key: Key) -> dict[str, str]:
        if key[0] not in SUB_UNITS:
            return self.act.departement(key[1])
        preds = {a for a, b in self.links if b == key}
        coms = sorted({b for a, b in self.links
                       if a in preds and b[0] == "COM" and b in self.after})
        if not coms:
            coms = sorted(k for k in self.after if k[0] == "COM")
        same = [c for c in coms if c[1] == key[1]]
        if coms:
            return self.target_ref((same or coms)[0])
        for p in sorted(preds & self.known):  # a sub-unit made from another: the same COM
            v = self.tl.by_code(p[1], self.day_before, LEVELS[p[0]])
            if v and v[0].parent is not None and p[0] in SUB_UNITS:
                return {"id": str(v[0].parent)}
        return self.ref(key)

    def _end(self, key: Key) -> list[dict[str, Any]]:
        succ = self.successors(key)
        into = [s for s in succ if s in self.continuing or (s in self.recoded)]
        if not succ:
            return [{"dissolve": {"unit": self.ref(key)}}]
        edge = "whole" if len(succ) == 1 else "area"
        return [{"absorb": {"sources": [{**self.ref(key), "edge": edge}],
                            "into": self.target_ref(s)}} for s in into]

    def _reassign(self, key: Key) -> list[dict[str, Any]]:
        if key[0] not in SUB_UNITS:
            return []
        coms = [s for s in self.successors(key) if s[0] == "COM"]
        if not coms:
            return []
        target = coms[0]
        if key not in self.act.made and target not in self.act.made and target in self.continuing:
            current = self.tl.by_code(key[1], self.day_before, LEVELS[key[0]])
            holder = self.tl.by_code(target[1], self.day_before, "commune")
            if current and holder and current[0].parent == holder[0].id:
                return []
        return [{"reassign": {"unit": self.ref(key), "parent": self.target_ref(target)}}]


def steps_of(event: Event) -> list[Event]:
    """An event's rows by ``mod``; a step that brings back a unit another step starts from
    comes first, otherwise INSEE's mod order."""
    by_mod: dict[str, list[Any]] = {}
    for r in event.rows:
        by_mod.setdefault(r.mod, []).append(r)
    steps = [Event(event.on, tuple(rows)) for _, rows in sorted(by_mod.items())]
    if len(steps) < 2:
        return [event]

    def produces(a: Event, b: Event) -> bool:
        made = {r.after for r in a.rows} - {r.before for r in a.rows}
        return bool(made & {r.before for r in b.rows})

    ordered: list[Event] = []
    pending = list(steps)
    while pending:
        free = [s for s in pending if not any(produces(o, s) for o in pending if o is not s)]
        step = (free or pending)[0]
        ordered.append(step)
        pending.remove(step)
    return ordered


def _without_zero_day_units(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A unit one step makes and a later step of the same day ends never existed for a whole
    day (INSEE: Lamarche-en-Woëvre, re-established and merged again on 1983-01-01). The
    registry cannot hold a unit that lives zero days: its sources pass straight to where it
    went, as parts."""
    made: dict[str, tuple[int, list[dict[str, Any]]]] = {}
    for i, c in enumerate(changes):
        if "detach" in c:
            made[c["detach"]["into"]["key"]] = (
                i, [{**c["detach"]["source"], "edge": "area", "ends": False}])
        elif "merge" in c:
            made[c["merge"]["into"]["key"]] = (i, c["merge"]["sources"])
    dropped: set[int] = set()
    for key, (i, sources) in made.items():
        uses = [j for j, c in enumerate(changes) if j != i and f"'key': '{key}'" in repr(c)]
        ending = [j for j in uses if any(src.get("key") == key for src in _sources(changes[j]))]
        if not ending or ending != uses:
            continue
        for j in ending:
            body = changes[j]["merge" if "merge" in changes[j] else "absorb"]
            replaced = []
            for src in body["sources"]:
                if src.get("key") != key:
                    replaced.append(src)
                    continue
                for s in sources:
                    whole = s.get("edge") == src.get("edge") == "whole"
                    replaced.append({**s, "edge": "whole" if whole else "area"})
            body["sources"] = replaced
        dropped.add(i)
    return [c for i, c in enumerate(changes) if i not in dropped]


def _without_zero_day_changes(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A unit recoded, renamed or moved by one step and ended by a later step of the same day
    never held the new value for a whole day: the registry keeps only its end."""
    ending = [s for c in changes for s in _sources(c) if s.get("ends", True)]
    ending += [c["dissolve"]["unit"] for c in changes if "dissolve" in c]
    ended = [{k: v for k, v in ref.items() if k not in ("edge", "share", "ends")}
             for ref in ending]

    def void(c: dict[str, Any]) -> bool:
        kind = next((k for k in ("recode", "rename", "reassign") if k in c), None)
        return kind is not None and c[kind]["unit"] in ended

    return [c for c in changes if not void(c)]


def _sources(change: dict[str, Any]) -> list[dict[str, Any]]:
    for kind in ("merge", "absorb"):
        if kind in change:
            return list(change[kind]["sources"])
    return []


def event_document(tl: Timeline, event: Event) -> dict[str, Any] | None:
    act = _Act(tl, event.on)
    changes: list[dict[str, Any]] = []
    missing: list[str] = []
    for step in steps_of(event):
        plan = _Plan(act, step)
        changes.extend(plan.changes())
        missing.extend(m for m in plan.missing if m not in missing)
    changes = act.established + _without_zero_day_changes(_without_zero_day_units(changes))
    if not changes:
        return None
    labels = "; ".join(f"{m} {MODS.get(m, 'unknown mod')}" for m in event.mods)
    note = f"INSEE COG mod {labels}; {len(event.rows)} rows."
    if missing:
        note += " Not held by the registry, left out: " + ", ".join(missing[:20])
    return {
        "act": {"number": None, "kind": "decision", "issuer": None, "signed": None,
                "effective": event.on.isoformat(),
                "title": f"{labels} ({event.on.isoformat()})", "verified": False,
                "note": note},
        "changes": [{"clause": None, **c} for c in changes],
    }


# -- the self-check ----------------------------------------------------------------------

def compare(tl: Timeline, path: Path, on: date) -> tuple[int, int, list[str]]:
    """How many COM of a unit list the registry holds on ``on`` with the same code and name."""
    expected = [u for u in read_units(path) if u.typecom == "COM"]
    good, wrong = 0, []
    for u in expected:
        found = tl.by_code(u.code, on, "commune")
        if len(found) == 1 and found[0].name == u.name:
            good += 1
        else:
            wrong.append(f"{u.code} {u.name}: registry has "
                         + (", ".join(v.name for v in found) or "nothing"))
    return good, len(expected), wrong
