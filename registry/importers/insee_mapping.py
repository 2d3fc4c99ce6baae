"""INSEE's Code officiel géographique, read and mapped onto the registry's change kinds.

Pure functions of the files: no registry here. ``insee_acts.py`` turns what these return into
act documents. Headers are matched case-insensitively and by name (later releases add columns and
write them in upper case), codes get back the leading zeros a release lost; the older ``comsimp``
unit lists are tab-separated cp1252.

An *event* is the set of rows of one effective date connected through their codes (rows of
different ``mod`` that touch the same code on one day are one event: they must be validated
together). Within an event a unit (``typecom``, ``com``) found on both sides continues; one found
only before ends; one found only after begins. ``mod`` then decides what a one-to-one code
change means (41, 50: the same commune under a new code), that the unit giving communes
déléguées back continues (70, 71), and how the act is described.

``amendments`` says what a later release's changes say otherwise of an earlier list's units on
its date; ``rewind`` takes a list back before a history's earliest change.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from registry.domain.errors import InvalidInput
from registry.domain.text import nfc

LEVELS = {"COM": "commune", "COMD": "commune_deleguee", "COMA": "commune_associee",
          "ARM": "arrondissement_municipal"}
DEPARTEMENT = "departement"
SUB_UNITS = ("COMD", "COMA", "ARM")

MODS = {
    "10": "changement de nom",
    "20": "création",
    "21": "rétablissement",
    "30": "suppression",
    "31": "fusion simple",
    "32": "création de commune nouvelle",
    "33": "fusion association",
    "34": "transformation de fusion association en fusion simple",
    "35": "suppression de commune déléguée",
    "41": "changement de code dû à un changement de département",
    "50": "changement de code dû à un transfert de chef-lieu",
    "70": "transformation de commune associée en commune déléguée",
    "71": "rétablissement de commune déléguée",
}
# Mods whose rows link a commune, or a commune déléguée (mod 71), before to the communes
# déléguées it gives back after, without a row of its own: it continues, and what it gives back
# is a commune déléguée (the 2022 release gives Behlenheim's 2020-03-15 row, mod 70, a COMA
# where its list has a COMD).
PARENT_MODS = {"70", "71"}
# Mods whose one-to-one code change keeps the unit: the same commune, a new code.
RECODES = {"41", "50"}

Key = tuple[str, str]  # (typecom, code)

# Codes are strings with leading zeros; a release written through a numeric type lost them
# (the 2020 changes file has "2628" for 02628).
CODE_WIDTHS = {"com": 5, "com_av": 5, "com_ap": 5, "comparent": 5, "dep": 2}


@dataclass(frozen=True)
class Unit:
    typecom: str
    code: str
    name: str
    parent: str  # département for COM, comparent for the others

    @property
    def level(self) -> str:
        return LEVELS[self.typecom]


@dataclass(frozen=True)
class Row:
    mod: str
    on: date
    before: Key
    before_name: str
    after: Key
    after_name: str


@dataclass(frozen=True)
class Event:
    """One connected set of rows on one date, and what happens to each unit in it."""

    on: date
    rows: tuple[Row, ...]

    @property
    def key(self) -> str:
        payload = [[r.mod, r.on.isoformat(), *r.before, r.before_name, *r.after, r.after_name]
                   for r in self.rows]
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()[:32]

    @property
    def mods(self) -> list[str]:
        return sorted({r.mod for r in self.rows})

    def names(self) -> tuple[dict[Key, str], dict[Key, str]]:
        before: dict[Key, str] = {}
        after: dict[Key, str] = {}
        for r in self.rows:
            before.setdefault(r.before, r.before_name)
            after.setdefault(r.after, r.after_name)
        for r in self.rows:  # a unit's own row carries its names on both sides
            if r.before == r.after:
                before[r.before], after[r.after] = r.before_name, r.after_name
        for r in self.rows:  # the unit that gives communes déléguées back continues
            if r.mod in PARENT_MODS and r.before[0] in ("COM", "COMD") and r.before not in after:
                after[r.before] = r.before_name
        return before, after

    def links(self) -> set[tuple[Key, Key]]:
        return {(r.before, r.after) for r in self.rows}

    def recoded(self) -> dict[Key, Key]:
        """Code changes that keep the unit (mods 41, 50): new key → old key."""
        before, after = self.names()
        out: dict[Key, Key] = {}
        links = self.links()
        for r in self.rows:
            if r.mod not in RECODES or r.before in after or r.after in before:
                continue
            if r.before[0] != r.after[0]:
                continue
            olds = {a for a, b in links if b == r.after and a not in after and a[0] == r.after[0]}
            news = {b for a, b in links if a == r.before and b not in before and b[0] == r.before[0]}
            if olds == {r.before} and news == {r.after}:
                out[r.after] = r.before
        return out


def departement_of(code: str) -> str:
    """The département of a commune code: 3 characters overseas (97x), 2 elsewhere (2A, 2B…)."""
    return code[:3] if code.startswith("97") else code[:2]


# -- reading -----------------------------------------------------------------------------

def _text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise InvalidInput(f"{path}: no such file")
    text = _text(path)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else (
        ";" if first.count(";") > first.count(",") else ",")
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    return [{(k or "").strip().lower(): nfc(v or "").strip() for k, v in row.items()}
            for row in reader]


def _padded(row: dict[str, str]) -> dict[str, str]:
    for column, width in CODE_WIDTHS.items():
        value = row.get(column)
        if value and value.isdigit() and len(value) < width:
            row[column] = value.zfill(width)
    return row


def _need(row: dict[str, str], columns: tuple[str, ...], path: Path) -> None:
    missing = [c for c in columns if c not in row]
    if missing:
        raise InvalidInput(f"{path}: missing column(s) {', '.join(missing)}")


def read_units(path: Path) -> list[Unit]:
    """A unit list in the current format (typecom, com, dep, libelle, comparent) or comsimp."""
    rows = _rows(path)
    if not rows:
        raise InvalidInput(f"{path}: no rows")
    if "typecom" not in rows[0]:
        return _read_comsimp(rows, path)
    _need(rows[0], ("typecom", "com", "libelle"), path)
    units = []
    for r in map(_padded, rows):
        typecom = r["typecom"].upper()
        if typecom not in LEVELS:
            raise InvalidInput(f"{path}: unknown typecom '{r['typecom']}'")
        parent = (r.get("dep") or departement_of(r["com"])) if typecom == "COM" \
            else r.get("comparent", "")
        if not parent:
            raise InvalidInput(f"{path}: {typecom} {r['com']} has no comparent")
        units.append(Unit(typecom, r["com"], r["libelle"], parent))
    return units


def _read_comsimp(rows: list[dict[str, str]], path: Path) -> list[Unit]:
    _need(rows[0], ("dep", "com", "nccenr"), path)
    units = []
    for r in rows:
        code = r["com"] if len(r["com"]) == 5 else r["dep"] + r["com"][-(5 - len(r["dep"])):]
        units.append(Unit("COM", code, _with_article(r.get("artmin", ""), r["nccenr"]), r["dep"]))
    return units


def _with_article(artmin: str, name: str) -> str:
    article = artmin.strip().strip("()").strip()
    if not article:
        return name
    return article + name if article.endswith("'") else f"{article} {name}"


def read_events(path: Path) -> list[Event]:
    """The changes file grouped into events, by date and then deterministically."""
    rows = _rows(path)
    if not rows:
        return []
    _need(rows[0], ("mod", "date_eff", "typecom_av", "com_av", "libelle_av", "typecom_ap",
                    "com_ap", "libelle_ap"), path)
    parsed = []
    for i, r in enumerate(map(_padded, rows)):
        try:
            on = date.fromisoformat(r["date_eff"])
        except ValueError:
            raise InvalidInput(f"{path}: row {i + 2}: bad date_eff '{r['date_eff']}'") from None
        after_type = r["typecom_ap"].upper()
        if r["mod"] in PARENT_MODS and after_type == "COMA":
            after_type = "COMD"
        parsed.append(Row(r["mod"], on, (r["typecom_av"].upper(), r["com_av"]), r["libelle_av"],
                          (after_type, r["com_ap"]), r["libelle_ap"]))
    return group(parsed)


def group(rows: list[Row]) -> list[Event]:
    by_day: dict[date, list[Row]] = defaultdict(list)
    for r in dict.fromkeys(rows):  # identical rows count once
        by_day[r.on].append(r)
    events = []
    for on in sorted(by_day):
        events.extend(_components(on, by_day[on]))
    return events


def _components(on: date, rows: list[Row]) -> list[Event]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in rows:
        parent[find(r.before[1])] = find(r.after[1])
    members: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        members[find(r.before[1])].append(r)
    events = [Event(on, tuple(sorted(rs, key=_row_order))) for rs in members.values()]
    return sorted(events, key=lambda e: (e.rows[0].before[1], e.key))


def _row_order(r: Row) -> tuple[str, ...]:
    return (r.mod, *r.before, r.before_name, *r.after, r.after_name)


# -- going back in time ------------------------------------------------------------------

def rewind(units: list[Unit], events: list[Event],
           steps: Callable[[Event], list[Event]] = lambda e: [e]) -> list[Unit]:
    """The units as they stood before the earliest event, undoing the events on a later list.

    Each event is undone in reverse date order, its steps (the rows of one ``mod``, in the order
    ``steps`` applies them) in reverse too: units a step made disappear, units it ended come back
    under their names of the time. So a code one step of a day makes and a later step ends (49144
    recoded 44225, then merged, on 2018-01-01) never existed before that day. A sub-unit brought
    back goes under a COM of the event that existed before it; one whose COM cannot be found is
    left out.
    """
    state: dict[Key, Unit] = {(u.typecom, u.code): u for u in units}
    undo = [s for e in sorted(events, key=lambda e: e.on) for s in steps(e)]
    for event in reversed(undo):
        before, after = event.names()
        for key in after:
            if key not in before:
                state.pop(key, None)
        for key, name in before.items():
            old = state.get(key)
            parent = departement_of(key[1]) if key[0] == "COM" else _parent_before(
                key, old, before, event)
            state[key] = Unit(key[0], key[1], name, parent)
    coms = {code for (t, code) in state if t == "COM"}
    return sorted((u for u in state.values() if u.typecom == "COM" or u.parent in coms),
                  key=lambda u: (u.typecom, u.code))


def _parent_before(key: Key, old: Unit | None, before: dict[Key, str], event: Event) -> str:
    coms = sorted(k[1] for k in before if k[0] == "COM")
    if old is not None and old.parent in coms:
        return old.parent
    if key[1] in coms:
        return key[1]
    linked = {b for a, b in event.links() if a == key}
    near = sorted(a[1] for a, b in event.links() if a[0] == "COM" and b in linked)
    if near:
        return near[0]
    if old is not None:
        return old.parent
    return coms[0] if coms else ""


# -- what a later release says about an earlier list -------------------------------------

@dataclass(frozen=True)
class Amendment:
    """A unit of a registered list that a later release's changes describe otherwise on the
    list's date: gone (``said`` None), missing from the list (``listed`` None), or named or
    placed differently. ``event`` is the release's event that says so; None when the release
    never mentions a sub-unit the list has (its rows were dropped)."""

    key: Key
    listed: Unit | None
    said: Unit | None
    event: Event | None


def amendments(units: list[Unit], on: date, events: list[Event],
               steps: Callable[[Event], list[Event]] = lambda e: [e]) -> list[Amendment]:
    """The units of a list of ``on`` whose state on that day a later release's changes
    contradict: each unit keeps the state the last change on or before ``on`` touching it left.

    A release that holds no change after ``on`` is not later than the list, and one with none
    on or before it (a rewound history) says nothing about it: both give no amendment.
    """
    if not any(e.on <= on for e in events) or not any(e.on > on for e in events):
        return []
    listed = {(u.typecom, u.code): u for u in units}
    kinds = {u.typecom for u in units}  # a list of communes only says nothing of sub-units
    said: dict[Key, tuple[Unit | None, Event]] = {}
    for event in (e for e in events if e.on <= on):
        for step in steps(event):
            for key, unit in step_outcome(step, listed, event).items():
                said[key] = (unit, event)
    mentioned = {k for e in events for r in e.rows for k in (r.before, r.after)}
    out = [Amendment(k, u, None, None) for k, u in sorted(listed.items())
           if k[0] in ("COMD", "COMA") and k not in mentioned]
    for key, (unit, event) in sorted(said.items()):
        before = listed.get(key)
        if before != unit and key[0] in kinds:
            out.append(Amendment(key, before, unit, event))
    return out


def step_outcome(step: Event, listed: dict[Key, Unit], event: Event
                 ) -> dict[Key, Unit | None]:
    """The units one step of ``event`` leaves (None: ended), with the parent each sub-unit is
    linked to (or the event's commune, when the step links it to none)."""
    before, after = step.names()
    whole = sorted(k[1] for k in event.names()[1] if k[0] == "COM")
    out: dict[Key, Unit | None] = {k: None for k in before if k not in after}
    links = step.links()
    for key, name in after.items():
        if key[0] == "COM":
            out[key] = Unit("COM", key[1], name, departement_of(key[1]))
            continue
        preds = {a for a, b in links if b == key}
        near = {b for a, b in links if a == key} | preds
        kept = sorted(k[1] for k in preds if k[0] == "COM" and k in after)
        coms = kept or sorted(k[1] for k in near if k[0] == "COM" and k in after)
        old = listed.get(key)
        if not coms and old is not None:
            out[key] = Unit(key[0], key[1], name, old.parent)
            continue
        coms = coms or whole
        parent = (key[1] if key[1] in coms else coms[0]) if coms else ""
        out[key] = Unit(key[0], key[1], name, parent)
    if "21" in step.mods:  # a commune given back is no longer a commune déléguée
        for key in after:
            if key[0] == "COM" and ("COMD", key[1]) not in after:
                out[("COMD", key[1])] = None
    return out
