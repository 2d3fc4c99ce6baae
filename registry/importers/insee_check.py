"""The registry against an INSEE unit list: every difference in code, name, type or parent.

A commune (COM) is compared by code and name (its département is its code's); a commune
déléguée, associée or municipal arrondissement also by the code of the commune it belongs to.
A code held at another sub-unit level than the list's is one difference of type. Units of a
type the list has none of are not compared (``comsimp`` lists have communes only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from registry.domain.model import Version
from registry.domain.timeline import Timeline
from registry.importers.insee_mapping import LEVELS, SUB_UNITS, Key, Unit

_TYPES = {level: typecom for typecom, level in LEVELS.items()}


@dataclass
class Check:
    on: date
    communes: int = 0  # COM in the list
    exact: int = 0  # of them, held with the same code and name
    differences: list[str] = field(default_factory=list)


def check(tl: Timeline, units: list[Unit], on: date) -> Check:
    kinds = {u.typecom for u in units}  # a list of communes only says nothing of sub-units
    held: dict[Key, list[Version]] = {}
    for v in tl.existing(on):
        if v.level in _TYPES and v.code is not None and _TYPES[v.level] in kinds:
            held.setdefault((_TYPES[v.level], v.code), []).append(v)
    out = Check(on)
    listed = {(u.typecom, u.code): u for u in units}
    for key, u in sorted(listed.items()):
        out.communes += key[0] == "COM"
        found = held.get(key, [])
        if len(found) > 1:
            out.differences.append(f"{_label(u)}: the registry holds {len(found)} units "
                                   "with this code")
            continue
        if not found:
            other = [k for k in held if k[1] == u.code and k[0] in SUB_UNITS
                     and k[0] != u.typecom and k not in listed]
            out.differences.append(
                f"{_label(u)}: type {other[0][0]} in the registry" if other and key[0] != "COM"
                else f"{_label(u)}: not in the registry")
            continue
        wrong = _compare(tl, u, found[0], on)
        out.differences.extend(f"{_label(u)}: {w}" for w in wrong)
        out.exact += key[0] == "COM" and not wrong
    for key in sorted(k for k in held if k not in listed):
        retyped = any((t, key[1]) in listed and (t, key[1]) not in held for t in SUB_UNITS)
        if retyped and key[0] != "COM":
            continue  # told above as a difference of type
        v = held[key][0]
        out.differences.append(f"{key[0]} {key[1]} {v.name}{_under(tl, v, on)}: in the "
                               "registry, not in the list")
    return out


def _compare(tl: Timeline, u: Unit, v: Version, on: date) -> list[str]:
    wrong = []
    if v.name != u.name:
        wrong.append(f"name '{v.name}' in the registry")
    if u.typecom != "COM":
        parent = tl.version(v.parent, on) if v.parent else None
        code = parent.code if parent else None
        if code != u.parent:
            wrong.append(f"parent {code or 'none'} in the registry")
    return wrong


def _label(u: Unit) -> str:
    return f"{u.typecom} {u.code} {u.name}" + (f" (in {u.parent})" if u.typecom != "COM" else "")


def _under(tl: Timeline, v: Version, on: date) -> str:
    if v.type == "COM" or v.parent is None:
        return ""
    parent = tl.version(v.parent, on)
    return f" (in {parent.code})" if parent else ""
