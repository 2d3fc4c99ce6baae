"""One INSEE event as an act document, against the registry's state on the day before.

Within an event a unit on both sides continues (``rename`` if its name changed), one only before
ends (``absorb`` into a continuing unit it is linked to, or ``dissolve``), one only after begins
(``merge`` of the units that end into it, ``detach`` from one that continues, or ``establish``).
A date's rows of several ``mod`` on the same codes are applied one ``mod`` after another in one
act (``steps_of``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from registry.domain.model import BEGAN
from registry.domain.timeline import Timeline
from registry.importers.insee_mapping import (
    DEPARTEMENT,
    LEVELS,
    MODS,
    SUB_UNITS,
    Amendment,
    Event,
    Key,
    departement_of,
)

ISSUER = "INSEE, Code officiel géographique"

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
        if "21" in event.mods:
            self._given_back()
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

    def _given_back(self) -> None:
        """A commune re-established (mod 21) is no longer a commune déléguée: its COMD ends into
        it, though INSEE has no row for it (Bois-Guillaume, 2014-01-01)."""
        for key in [k for k in self.after if k[0] == "COM"]:
            comd = ("COMD", key[1])
            if comd not in self.before and comd not in self.after and self.act.holds(comd):
                self.before[comd] = self.after[key]
                self.links = self.links | {(comd, key)}

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
        kept = sorted(p for p in preds if p[0] == "COM" and p in self.after)
        if kept:  # a commune that continues gives it (Saline → Bures-sur-Dives, 2019-12-31)
            return self.target_ref(kept[0])
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
        if not coms:  # a sub-unit given to a commune (Bures-sur-Dives to Saline, 2019-12-31)
            coms = sorted(a for a, b in self.links if b == key and a[0] == "COM" and a != key
                          and a in self.after)
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
        """``a`` makes a unit ``b`` starts from, or gives a code ``b`` ends up with (Les Trois
        Lacs took 27058 by mod 50 on the day its communes déléguées went by mod 35)."""
        made = {r.after for r in a.rows} - {r.before for r in a.rows}
        return bool(made & {r.before for r in b.rows}
                    or set(a.recoded()) & {r.after for r in b.rows})

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


# -- amending a registered list ----------------------------------------------------------

def amendment_document(tl: Timeline, on: date, a: Amendment) -> dict[str, Any] | None:
    """A correction, on the list's date, of a registered unit that a later release describes
    otherwise: its registration superseded (gone), a registration (missing), a rename or a
    reassignment. None when there is nothing the registry could change."""
    level = LEVELS[a.key[0]]
    org = _registered(tl, a.key, on)
    changes: list[dict[str, Any]] = []
    if a.said is not None and a.key[0] != "COM" and not tl.by_code(a.said.parent, on,
                                                                    LEVELS["COM"]):
        return None  # its commune is not held on that day: nothing to place it under
    if a.said is None:
        if org is None:
            return None
        changes.append({"correct": {"unit": {"id": str(org[0])}, "version": org[1],
                                    "reason": "not on this date by INSEE's later release"}})
    elif a.listed is None or org is None:
        parent = ({"code": departement_of(a.key[1]), "level": DEPARTEMENT} if a.key[0] == "COM"
                  else {"code": a.said.parent, "level": LEVELS["COM"]})
        changes.append({"register": {"units": [{
            "code": a.key[1], "name": a.said.name, "type": a.key[0], "level": level,
            "parent": parent}]}})
    else:
        ref = {"id": str(org[0])}
        if a.said.name != a.listed.name:
            changes.append({"rename": {"unit": ref, "name": a.said.name}})
        if a.key[0] != "COM" and a.said.parent != a.listed.parent:
            changes.append({"reassign": {"unit": ref, "parent": {
                "code": a.said.parent, "level": LEVELS["COM"]}}})
    if not changes:
        return None
    why = (f"its changes of {a.event.on} (mod {', '.join(a.event.mods)}, {len(a.event.rows)} "
           "rows)" if a.event else "its changes never mention this unit")
    return {
        "act": {"number": None, "kind": "correction", "issuer": ISSUER, "signed": None,
                "effective": on.isoformat(),
                "title": f"{a.key[0]} {a.key[1]} on {on}, as a later INSEE release gives it",
                "verified": True,
                "note": (f"The unit list of {on} has {a.key[0]} {a.key[1]} "
                         + (f"'{a.listed.name}' under {a.listed.parent}" if a.listed
                            else "nowhere")
                         + "; a later release's changes file says otherwise: " + why + ".")},
        "changes": changes,
    }


def _registered(tl: Timeline, key: Key, on: date) -> tuple[UUID, int] | None:
    """The unit a registration of ``on`` made for (typecom, code), and that fact's version."""
    for org in tl.holders_ever(LEVELS[key[0]], key[1]):
        record = tl.record(org)
        for f in record.facts if record else ():
            if (f.kind == BEGAN and f.on == on and f.values.get("how") == "registration"
                    and f.values.get("type") == key[0] and f.values.get("code") == key[1]):
                return org, f.version
    return None
