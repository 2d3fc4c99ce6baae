"""Tables carried across real reorganisations: Vietnam's 2025 reform and INSEE's 2019 changes."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from registry.application.analysis.harmonize import Spec, harmonize
from registry.domain.text import name_key
from registry.projections.index import ReadIndex
from tests.analysis.conftest import read_csv

BEFORE, AFTER = date(2025, 6, 30), date(2025, 7, 1)


@pytest.fixture(scope="module")
def vn(data: Path) -> dict[str, list[dict[str, str]]]:
    folder = data / "vn"
    return {name: read_csv(folder / f"{name}.csv") for name in (
        "vn_units_2025_06_30", "vn_units_2025_07", "vn_province_mapping_2025",
        "vn_commune_mapping_2025")}


@pytest.fixture(scope="module")
def communes_table(vn: dict[str, list[dict[str, str]]]) -> list[list[str]]:
    """Every commune of 2025-06-30 with a column of ones and a made-up population."""
    rng = random.Random(2025)
    return [[r["code"], "1", str(rng.randint(800, 60_000))]
            for r in vn["vn_units_2025_06_30"] if r["level"] == "commune"]


@pytest.fixture(scope="module")
def carried(vn_index: ReadIndex, communes_table: list[list[str]]):  # type: ignore[no-untyped-def]
    return harmonize(vn_index, ["code", "ones", "population"], communes_table,
                     Spec("code", BEFORE, AFTER, sums=("ones", "population")))


def test_the_10035_communes_become_the_3321_with_both_totals_kept(carried, communes_table,
                                                                  vn) -> None:
    assert len(communes_table) == 10_035
    assert carried.columns == ["code", "name", "ones", "population"]
    assert len(carried.rows) == 3_321
    new = {r["code"]: name_key(r["name"]) for r in vn["vn_units_2025_07"]
           if r["level"] == "commune"}
    assert {row[0]: name_key(row[1]) for row in carried.rows} == new  # Hoà/Hòa alike
    totals = carried.report["totals"]
    assert totals["ones"]["before"] == 10_035 and totals["ones"]["equal"]
    assert totals["population"]["before"] == sum(int(r[2]) for r in communes_table)
    assert totals["population"]["equal"]
    assert sum(row[2] or 0 for row in carried.rows) == pytest.approx(10_035, abs=1e-6)
    report = carried.report
    assert report["unknown_codes"] == [] and report["other_level"] == [] and report["lost"] == []


def test_every_new_province_totals_what_its_old_provinces_did(carried, communes_table,
                                                              vn) -> None:
    units = {r["code"]: r for r in vn["vn_units_2025_06_30"]}
    new_province_of_old = {r["old_code"]: r["new_code"] for r in vn["vn_province_mapping_2025"]}
    new_parent = {r["code"]: r["parent_code"] for r in vn["vn_units_2025_07"]}
    before: dict[str, float] = defaultdict(float)
    for code, _, population in communes_table:
        old_province = units[units[code]["parent_code"]]["parent_code"]
        before[new_province_of_old[old_province]] += int(population)
    after: dict[str, float] = defaultdict(float)
    for code, _, _, population in carried.rows:
        after[new_parent[code]] += population or 0.0
    assert len(before) == 34
    assert after == pytest.approx(before, rel=1e-12)


def test_only_partly_split_communes_fall_back_and_each_is_listed(carried, vn) -> None:
    """The NSO table records no shares: a commune divided among several new ones is divided by
    the fallback (the one keeping its code, else equal parts), and every such row is listed."""
    pieces: dict[str, set[str]] = defaultdict(set)
    for r in vn["vn_commune_mapping_2025"]:
        if r["old_code"]:
            pieces[r["old_code"]].add(r["new_code"])
    divided = {old for old, new in pieces.items() if len(new) > 1}
    listed = {f["code"] for f in carried.report["fallbacks"]}
    assert listed == divided and len(listed) > 400
    for entry in carried.report["fallbacks"]:
        (fallback,) = entry["fallbacks"]
        assert {u["code"] for u in fallback["into"]} <= pieces[entry["code"]]
        assert fallback["rule"] in ("keeps-code", "equal-parts")
    keeps = next(f for f in carried.report["fallbacks"]
                 if f["fallbacks"][0]["rule"] == "keeps-code")
    code = keeps["code"]
    assert any(u["code"] == code for u in keeps["fallbacks"][0]["into"])


def test_the_island_districts_special_zones_get_no_commune_data(carried, vn) -> None:
    islands = {r["new_code"] for r in vn["vn_commune_mapping_2025"]
               if r["kind"] == "district_whole"}
    assert set(carried.report["no_data"]) == islands and len(islands) == 5
    empty = {row[0] for row in carried.rows if row[2] is None}
    assert empty == islands


def test_provinces_carry_exactly_63_to_34(vn_index: ReadIndex, vn) -> None:
    olds = [r for r in vn["vn_units_2025_06_30"] if r["level"] == "province"]
    table = [[r["code"], str(int(r["code"]) * 1000)] for r in olds]
    result = harmonize(vn_index, ["code", "value"], table,
                       Spec("code", BEFORE, AFTER, sums=("value",)))
    assert result.report["level"] == "province" and result.report["fallbacks"] == []
    expected: dict[str, float] = defaultdict(float)
    for r in vn["vn_province_mapping_2025"]:
        expected[r["new_code"]] += int(r["old_code"]) * 1000
    assert {row[0]: row[2] for row in result.rows} == expected


def test_backwards_the_2025_communes_go_back_to_the_10035(vn_index: ReadIndex, vn) -> None:
    """Backwards a commune made from several old ones is divided in equal parts (the registry
    records what each old commune passed on, not what part of the new one it became); the five
    special zones made from island districts have no commune to go back to."""
    table = [[r["code"], "1"] for r in vn["vn_units_2025_07"] if r["level"] == "commune"]
    result = harmonize(vn_index, ["code", "ones"], table, Spec("code", AFTER, BEFORE,
                                                               sums=("ones",)))
    report = result.report
    assert report["direction"] == "backwards" and len(result.rows) == 10_035
    assert len(report["lost"]) == 5
    assert all("district" in why for entry in report["lost"] for why in entry["why"])
    assert report["totals"]["ones"]["before"] == 3_321
    assert report["totals"]["ones"]["after"] == pytest.approx(3_316)
    single = {r["new_code"] for r in vn["vn_commune_mapping_2025"]} - {
        f["code"] for f in report["fallbacks"]}
    merged_from: dict[str, int] = defaultdict(int)
    for r in vn["vn_commune_mapping_2025"]:
        merged_from[r["new_code"]] += 1
    assert all(merged_from[code] == 1 for code in single)


def test_insee_2018_communes_moved_to_2019_are_exactly_the_2019_communes(
        fr_index: ReadIndex, data: Path) -> None:
    from registry.importers.insee import read_units

    communes = read_units(data / "fr" / "comsimp2018.txt")
    table = [[u.code, "1", str(len(u.name))] for u in communes]
    result = harmonize(fr_index, ["com", "ones", "letters"], table,
                       Spec("com", date(2018, 1, 1), date(2019, 1, 1),
                            sums=("ones", "letters")))
    expected = {u.code for u in read_units(data / "fr" / "commune2019.csv")
                if u.typecom == "COM"}
    assert len(table) == 35_357 and len(expected) == 34_970
    assert {row[0] for row in result.rows} == expected and len(result.rows) == 34_970
    report = result.report
    assert report["no_data"] == [] and report["fallbacks"] == [] and report["lost"] == []
    assert report["totals"]["ones"] == {"before": 35_357, "after": 35_357, "equal": True}
    assert report["totals"]["letters"]["equal"]
    merged = [row for row in result.rows if row[2] > 1]
    assert len(merged) > 100 and sum(row[2] for row in merged) - len(merged) == 35_357 - 34_970
