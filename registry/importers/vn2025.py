"""Vietnam's 2025 reform from the national statistics lists, as act documents.

A folder laid out like ``shared/data/vn`` (see its SOURCES.md) becomes, in recording order:

1. the registration (``baseline``, one act per province) of the 63 provinces, 696 districts
   and 10,035 communes that existed on 2025-06-30 (``vn_units_2025_06_30.csv``, the old side
   of the NSO conversion table:
   the communes changed during the first half of 2025 at dates not in the data, so the list is
   dated on the last day it is known to hold);
2. the 34 commune resolutions 1654–1687/NQ-UBTVQH15, one act each, effective 2025-07-01
   (``vn_commune_mapping_2025.csv``): new communes are merges of their predecessors (partial
   shares recorded as ``area``, ``population`` or ``remainder`` edges), unchanged communes move
   under the province, type changes and renames keep the unit, the island districts become đặc
   khu, and the district level of every old province of the new province ends;
3. Nghị quyết 202/2025/QH15 (``vn_province_mapping_2025.csv``): in each group, the province whose
   code the new province keeps absorbs the others and takes the new name where it differs.

Why this order: every act must leave every invariant true. A province can only end once nothing
lies under it, so the communes of an absorbed province move to the absorbing one (which exists
before and after) in the commune resolution, the districts end there too, and the provinces are
absorbed last. Every document is a pure function of the files, so re-running the import finds
each act already recorded (idempotency by content hash) and resumes where it stopped.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from registry.application.service import Recorded, Registry
from registry.domain.errors import InvalidInput, RegistryError
from registry.domain.model import BEGAN
from registry.domain.text import name_key, nfc

EFFECTIVE = "2025-07-01"
BASELINE_DATE = "2025-06-30"
UBTVQH = "Ủy ban Thường vụ Quốc hội (Standing Committee of the National Assembly)"
FILES = ("vn_units_2025_06_30.csv", "vn_units_2025_07.csv", "vn_province_mapping_2025.csv",
         "vn_commune_mapping_2025.csv")
RESOLUTION = re.compile(r"(\d+/NQ-UBTVQH15)")
SIGNED = re.compile(r"ngày (\d\d)/(\d\d)/(\d{4})")
PROVINCE_LAW = re.compile(r"(\d+/\d{4}/QH15) ngày (\d\d)/(\d\d)/(\d{4})")


@dataclass(frozen=True)
class Step:
    """One act document to record, with a short label for progress lines."""

    label: str
    document: dict[str, Any]
    province: str | None = None  # for a baseline: the province it registers


def read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise InvalidInput(f"{path}: missing (a vn-2025 folder holds {', '.join(FILES)})")
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [{k.strip().lower(): nfc(v or "") for k, v in row.items()}
                for row in csv.DictReader(f)]


def plan(folder: Path) -> list[Step]:
    """Every act of the reform, in the order they must be recorded."""
    before = read_csv(folder / FILES[0])
    after = {r["code"]: r for r in read_csv(folder / FILES[1])}
    provinces = read_csv(folder / FILES[2])
    communes = read_csv(folder / FILES[3])
    steps = [Step(f"baseline 2025-06-30, province {code}", baseline(rows), code)
             for code, rows in by_province(before)]
    groups = _province_groups(provinces)
    by_resolution: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in communes:
        by_resolution[_resolution(row["legal_basis"])].append(row)
    for number in sorted(by_resolution, key=lambda n: int(n.split("/")[0])):
        rows = by_resolution[number]
        steps.append(Step(number, commune_resolution(number, rows, after, groups, before)))
    steps.append(Step(_province_law(provinces)[0], province_resolution(provinces, before, after)))
    return steps


# -- 1. the baseline ---------------------------------------------------------------------

def by_province(rows: list[dict[str, str]]) -> list[tuple[str, list[dict[str, str]]]]:
    """The list cut into one registration per province (its districts and communes).

    Acts of a few hundred units each: progress per province, resumable, and small enough for
    PostgreSQL (an act of ~10,000 events once stalled the pipelined insert for good).
    """
    district_province = {r["code"]: r["parent_code"] for r in rows if r["level"] == "district"}
    groups: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        province = {"province": r["code"], "district": r["parent_code"]}.get(
            r["level"]) or district_province[r["parent_code"]]
        groups[province].append(r)
    return sorted(groups.items())


def baseline(rows: list[dict[str, str]]) -> dict[str, Any]:
    units = []
    for r in rows:
        unit: dict[str, Any] = {"key": f"{r['level']}:{r['code']}", "code": r["code"],
                                "name": r["name"], "type": r["type"], "level": r["level"]}
        if r["parent_code"]:
            parent_level = "province" if r["level"] == "district" else "district"
            unit["parent"] = {"key": f"{parent_level}:{r['parent_code']}"}
        units.append(unit)
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r["level"]] += 1
    province = next(r["name"] for r in rows if r["level"] == "province")
    return {
        "act": {
            "number": None, "kind": "baseline",
            "issuer": "Tổng cục Thống kê / Cục Thống kê (General Statistics Office, NSO)",
            "signed": None, "effective": BASELINE_DATE,
            "title": f"Danh mục đơn vị hành chính Việt Nam trước sắp xếp: {province} "
                     "(state on 2025-06-30)",
            "verified": True,
            "note": (f"A registration, not an act that created anything: {province}, "
                     f"{counts['district']} districts and {counts['commune']} communes "
                     "existed on 2025-06-30 (old side of the NSO conversion table). Their "
                     "earlier history is not recorded here."),
        },
        "changes": [{"clause": None, "register": {"units": units}}],
    }


# -- 2. the commune resolutions ----------------------------------------------------------

def _province_groups(rows: list[dict[str, str]]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        groups[r["new_code"]].append(r["old_code"])
    return {k: sorted(v) for k, v in groups.items()}


def _signed(legal_basis: str) -> str | None:
    found = SIGNED.search(legal_basis)
    return f"{found.group(3)}-{found.group(2)}-{found.group(1)}" if found else None


def _resolution(legal_basis: str) -> str:
    found = RESOLUTION.search(legal_basis)
    if not found:
        raise InvalidInput(f"no UBTVQH resolution number in '{legal_basis}'", "legal_basis")
    return found.group(1)


def edge_of(row: dict[str, str]) -> str:
    """The kind of share a predecessor passes on, from the NSO note."""
    if row["kind"] != "partial":
        return "whole"
    note = row["change_note"].casefold()
    if note.startswith("phần còn lại"):
        return "remainder"
    if "dân số" in note and "diện tích" not in note:
        return "population"
    return "area"


def _commune(code: str) -> dict[str, str]:
    return {"code": code, "level": "commune"}


def _province(code: str) -> dict[str, str]:
    return {"code": code, "level": "province"}


def commune_resolution(number: str, rows: list[dict[str, str]], after: dict[str, dict[str, str]],
                       groups: dict[str, list[str]], before: list[dict[str, str]]
                       ) -> dict[str, Any]:
    new_province = rows[0]["new_province_code"]
    province_name = after[new_province]["name"]
    old_names = {r["code"]: r["name"] for r in before}
    by_new: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        if r["new_province_code"] != new_province:
            raise InvalidInput(f"{number} covers two new provinces", "vn_commune_mapping_2025")
        by_new[r["new_code"]].append(r)
    changes: list[dict[str, Any]] = []
    for code in sorted(by_new):
        changes.extend(_new_commune(code, by_new[code], after[code], new_province, old_names))
    olds = groups[new_province]
    for old in olds:
        changes.append({
            "clause": None,
            "note": "Không tổ chức cấp huyện: the district level ends on 2025-07-01 "
                    "(two-level local government); what remains comes directly under the province",
            "abolish_level": {"within": _province(old), "level": "district"}})
    merged = (" (the communes of " + ", ".join(old_names[o] for o in olds) + ")"
              if len(olds) > 1 else "")
    return {
        "act": {
            "number": number, "kind": "resolution", "issuer": UBTVQH,
            "signed": _signed(rows[0]["legal_basis"]), "effective": EFFECTIVE,
            "title": f"Nghị quyết về việc sắp xếp các đơn vị hành chính cấp xã của "
                     f"{province_name} năm 2025",
            "verified": True,
            "note": (f"{len(by_new)} communes of {province_name}{merged} from 2025-07-01, per the "
                     "NSO conversion table (S2); clause numbers are not in the table. Title "
                     "written after the resolutions' common pattern. In force from adoption; "
                     "the new communes began operating on 2025-07-01."),
        },
        "changes": changes,
    }


def _new_commune(code: str, rows: list[dict[str, str]], new: dict[str, str], province: str,
                 old_names: dict[str, str]) -> Iterator[dict[str, Any]]:
    kinds = {r["kind"] for r in rows}
    parent = _province(province)
    single = rows[0] if len(rows) == 1 else None
    if single and single["kind"] in ("unchanged", "renamed", "type_changed"):
        yield from _kept(single, new, parent, old_names)
        return
    sources = []
    notes = []
    for r in sorted(rows, key=lambda r: (r["old_code"], r["old_district_code"])):
        if r["kind"] == "district_whole":
            sources.append({"code": r["old_district_code"], "level": "district", "edge": "whole"})
        elif not r["old_code"]:
            notes.append(f"also takes in the uncoded '{r['old_name']}' ({r['change_note']})")
        else:
            sources.append({**_commune(r["old_code"]), "edge": edge_of(r)})
    if not sources:
        raise InvalidInput(f"new commune {code} has no registered predecessor",
                           "vn_commune_mapping_2025")
    change: dict[str, Any] = {
        "clause": None,
        "merge": {"sources": sources,
                  "into": {"code": code, "name": new["name"], "type": new["type"],
                           "level": "commune", "parent": parent}}}
    if notes or "partial" in kinds:
        parts = sorted({r["change_note"] for r in rows if r["kind"] == "partial"}) + notes
        change["note"] = "; ".join(parts)
    yield change


def _kept(row: dict[str, str], new: dict[str, str], parent: dict[str, str],
          old_names: dict[str, str]) -> Iterator[dict[str, Any]]:
    """A commune that continues: it moves under the province, and may change type or name."""
    unit = _commune(row["old_code"])
    note = row["change_note"]
    if row["kind"] == "type_changed" or new["type"] != _type_of(old_names[row["old_code"]]):
        yield {"clause": None, "note": note,
               "reclassify": {"unit": unit, "type": new["type"]}}
    if name_key(new["name"]) != name_key(old_names[row["old_code"]]):
        yield {"clause": None, "note": note, "rename": {"unit": unit, "name": new["name"]}}
    if new["code"] != row["old_code"]:
        yield {"clause": None, "note": note, "recode": {"unit": unit, "code": new["code"]}}
    yield {"clause": None, "note": note, "reassign": {"unit": unit, "parent": parent}}


_PREFIXES = ("thị trấn", "phường", "xã", "đặc khu")


def _type_of(name: str) -> str:
    lower = name.casefold()
    return next((p for p in _PREFIXES if lower.startswith(p + " ")), "")


# -- 3. the provinces --------------------------------------------------------------------

def _province_law(rows: list[dict[str, str]]) -> tuple[str, str]:
    found = PROVINCE_LAW.search(rows[0]["legal_basis"])
    if not found:
        raise InvalidInput("no National Assembly resolution number in the province mapping",
                           "legal_basis")
    number, day, month, year = found.groups()
    return number, f"{year}-{month}-{day}"


def province_resolution(rows: list[dict[str, str]], before: list[dict[str, str]],
                        after: dict[str, dict[str, str]]) -> dict[str, Any]:
    number, signed = _province_law(rows)
    old = {r["code"]: r for r in before if r["level"] == "province"}
    groups = _province_groups(rows)
    changes: list[dict[str, Any]] = []
    for new_code in sorted(groups):
        olds = groups[new_code]
        if new_code not in olds:
            raise InvalidInput(f"new province {new_code} does not keep an old province's code",
                               "vn_province_mapping_2025")
        new = after[new_code]
        others = [o for o in olds if o != new_code]
        names = " + ".join(old[o]["name"] for o in olds)
        if others:
            changes.append({
                "clause": None,
                "note": f"{names} → {new['name']} ({new_code}); the province keeping code "
                        f"{new_code} (seat of the new province) absorbs the others",
                "absorb": {"sources": [{**_province(o), "edge": "whole"} for o in others],
                           "into": _province(new_code)}})
        if new["type"] != old[new_code]["type"]:
            changes.append({"clause": None,
                            "reclassify": {"unit": _province(new_code), "type": new["type"]}})
        if name_key(new["name"]) != name_key(old[new_code]["name"]):
            changes.append({"clause": None,
                            "rename": {"unit": _province(new_code), "name": new["name"]}})
    return {
        "act": {
            "number": number, "kind": "resolution", "issuer": "Quốc hội (National Assembly)",
            "signed": signed, "effective": EFFECTIVE,
            "title": "Nghị quyết về việc sắp xếp đơn vị hành chính cấp tỉnh năm 2025",
            "verified": False,
            "note": (f"63 provinces into {len(groups)}. The resolution's text was not available: "
                     "number and date from secondary sources (SOURCES.md); policy in Nghị quyết "
                     "60-NQ/TW of 12/04/2025. The law forms each group into 'a new province'; "
                     "it is recorded as an absorption by the province whose code (NSO letter "
                     "915/CTK-CSCL) and seat the new province keeps, renamed where the new name "
                     "is another's."),
        },
        "changes": changes,
    }


# -- recording ---------------------------------------------------------------------------

def run(registry: Registry, folder: Path, actor: str,
        progress: Callable[[Step, Recorded], None] | None = None,
        steps: list[Step] | None = None) -> list[Recorded]:
    """Record every act of the reform; acts already recorded are skipped (resume).

    A province the registry already holds on 2025-06-30, or a resolution already recorded under
    its number (the Lai Châu fixtures record 1670/NQ-UBTVQH15 clause by clause), is not recorded
    again: the progress line names the act that holds it.
    """
    results = []
    for step in plan(folder) if steps is None else steps:  # the caller's plan, if it counted it
        result = _recorded_elsewhere(registry, step)
        if result is None:
            try:
                result = registry.record(step.document, actor)
            except RegistryError as e:
                e.add_note(f"while recording {step.label}")
                raise
        results.append(result)
        if progress:
            progress(step, result)
    return results


def _recorded_elsewhere(registry: Registry, step: Step) -> Recorded | None:
    with registry.reading() as tl:
        if step.province is not None:
            held = tl.by_code(step.province, date.fromisoformat(BASELINE_DATE), "province")
            if held:
                began = next(f for f in tl.records[held[0].id].facts if f.kind == BEGAN)
                return Recorded(began.act, False, 0, 0)
            return None
        number = step.document["act"]["number"]
        for act in tl.acts.values():
            if act.number == number and act.withdrawn_by is None:
                return Recorded(act.id, False, 0, 0)
    return None
