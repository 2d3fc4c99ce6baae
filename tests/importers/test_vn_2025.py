"""Vietnam's 2025 reform imported from the national lists, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from registry import bootstrap
from registry.application.service import Registry
from registry.cli import main
from registry.importers import vn2025

BEFORE = date(2025, 6, 30)
AFTER = date(2025, 7, 1)


def levels(registry: Registry, on: date) -> Counter[str]:
    with registry.reading() as tl:
        return Counter(v.level for v in tl.existing(on) if v.level)


def commune_types(registry: Registry, on: date) -> Counter[str]:
    with registry.reading() as tl:
        return Counter(v.type for v in tl.existing(on) if v.level == "commune")


def test_holds_63_provinces_696_districts_and_10035_communes_on_2025_06_30(vn_registry):
    assert levels(vn_registry, BEFORE) == {"province": 63, "district": 696, "commune": 10_035}
    assert commune_types(vn_registry, BEFORE) == {"xã": 7_690, "phường": 1_728,
                                                  "thị trấn": 617}


def test_holds_34_provinces_no_district_and_3321_communes_on_2025_07_01(vn_registry):
    assert levels(vn_registry, AFTER) == {"province": 34, "commune": 3_321}
    assert commune_types(vn_registry, AFTER) == {"xã": 2_621, "phường": 687, "đặc khu": 13}


def test_every_new_commune_lies_directly_under_its_new_province(vn_registry, shared_data):
    import csv
    with (shared_data / "vn" / "vn_units_2025_07.csv").open(encoding="utf-8") as f:
        expected = {r["code"]: (r["name"], r["parent_code"]) for r in csv.DictReader(f)
                    if r["level"] == "commune"}
    with vn_registry.reading() as tl:
        got = {}
        for v in tl.existing(AFTER):
            if v.level == "commune":
                parent = tl.version(v.parent, AFTER)
                got[v.code] = (v.name, parent.code if parent else None)
    assert got.keys() == expected.keys()
    assert {c for c in got if got[c][1] != expected[c][1]} == set()


def edges_into(tl, code: str, on: date) -> dict[str, tuple[str, str]]:
    (new,) = tl.by_code(code, on, "commune")
    return {tl.version(e.source, BEFORE).code: (e.type, e.change) for e in tl.edges_in(new.id)}


def test_an_old_commune_split_among_new_ones_passes_part_of_its_area_to_each(vn_registry):
    with vn_registry.reading() as tl:
        (ngoc_ha,) = tl.by_code("00016", BEFORE, "commune")  # Phường Ngọc Hà, Hà Nội
        out = tl.edges_out(ngoc_ha.id)
        assert len(out) >= 2
        assert {e.type for e in out} == {"area"}
        assert tl.record(ngoc_ha.id).ended == AFTER
        ba_dinh = edges_into(tl, "00004", AFTER)
    assert ba_dinh["00004"] == ("whole", "merge")
    assert ba_dinh["00016"] == ("area", "merge")


def test_what_remains_of_a_commune_after_a_part_left_is_a_remainder_edge(vn_registry):
    with vn_registry.reading() as tl:
        edges = edges_into(tl, "21997", AFTER)  # Xã Canh Liên, Gia Lai
    assert edges["21997"] == ("remainder", "merge")


def test_a_code_that_changes_meaning_resolves_to_a_different_unit_on_each_date(vn_registry):
    with vn_registry.reading() as tl:
        (old,) = tl.by_code("00004", BEFORE, "commune")
        (new,) = tl.by_code("00004", AFTER, "commune")
        (yen_bai,) = tl.by_code("15", BEFORE, "province")
        (lao_cai,) = tl.by_code("15", AFTER, "province")
        (old_lao_cai,) = tl.by_code("10", BEFORE, "province")
        assert tl.by_code("10", AFTER, "province") == []
        absorbed = {e.source: e.change for e in tl.edges_in(lao_cai.id)}
    assert (old.name, new.name) == ("Phường Trúc Bạch", "Phường Ba Đình")
    assert old.id != new.id
    assert (yen_bai.name, lao_cai.name) == ("Tỉnh Yên Bái", "Tỉnh Lào Cai")
    assert absorbed == {old_lao_cai.id: "absorb"}


def test_island_districts_become_dac_khu_with_the_district_as_predecessor(vn_registry):
    with vn_registry.reading() as tl:
        (con_dao,) = tl.by_code("26732", AFTER, "commune")
        (edge,) = tl.edges_in(con_dao.id)
        district = tl.version(edge.source, BEFORE)
    assert (con_dao.type, district.code, district.level, edge.type) == (
        "đặc khu", "755", "district", "whole")


def test_an_interrupted_import_resumes_without_recording_anything_twice(
        shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    url = f"sqlite:///{tmp_path / 'resume.db'}"
    registry = bootstrap.build(url)
    done: list[str] = []

    def interrupt_after_three(step: vn2025.Step, result: object) -> None:
        done.append(step.label)
        if len(done) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        vn2025.run(registry, shared_data / "vn", "test-import", interrupt_after_three)
    registry.log.close()

    assert main(["import", "vn-2025", str(shared_data / "vn"), "--database", url,
                 "--verbose"]) == 0
    printed = capsys.readouterr().out
    assert "98 acts: 95 recorded, 3 already there" in printed
    assert f"{done[2]}: already recorded" in printed
    assert main(["import", "vn-2025", str(shared_data / "vn"), "--database", url]) == 0
    quiet = capsys.readouterr().out.splitlines()  # no terminal: no bar, no line per act
    assert quiet[0] == "98 acts: 0 recorded, 98 already there"
    assert len(quiet) == 2 and quiet[1].startswith("took ") and "(read models included)" in quiet[1]

    resumed = bootstrap.build(url)
    assert not any(r.created for r in vn2025.run(resumed, shared_data / "vn", "test-import"))
    with resumed.reading() as tl:
        facts = [f for r in tl.records.values() for f in r.facts]
        assert len(tl.acts) == 98
        assert resumed.log.last_id() == len(facts) + 98  # one ledger event per act
        for record in tl.records.values():
            assert [f.version for f in record.facts] == list(range(1, len(record.facts) + 1))
    assert levels(resumed, AFTER) == {"province": 34, "commune": 3_321}
    resumed.log.close()


def test_the_acts_cite_the_resolutions_and_are_the_same_on_every_run(shared_data: Path):
    first = vn2025.plan(shared_data / "vn")
    second = vn2025.plan(shared_data / "vn")
    assert [s.document for s in first] == [s.document for s in second]
    numbers = [s.document["act"]["number"] for s in first]
    baselines = [s for s in first if s.document["act"]["kind"] == "baseline"]
    assert len(baselines) == 63 and first[:63] == baselines  # one per province, first
    assert numbers[63:97] == [f"{n}/NQ-UBTVQH15" for n in range(1654, 1688)]
    assert numbers[97:] == ["202/2025/QH15"]


def test_lai_chau_has_8_districts_and_106_communes_then_38_communes(vn_registry):
    with vn_registry.reading() as tl:
        (lai_chau,) = tl.by_code("12", BEFORE, "province")
        districts = tl.children(lai_chau.id, BEFORE)
        communes = [c for d in districts for c in tl.children(d.id, BEFORE)]
        after = tl.children(lai_chau.id, AFTER)
    assert (len(districts), len(communes)) == (8, 106)
    assert Counter(v.type for v in after) == {"xã": 36, "phường": 2}


def test_the_national_import_leaves_what_the_lai_chau_fixtures_recorded(
        shared_data: Path, tmp_path: Path, lai_chau_paths: list[Path]):
    from registry.importers.fixtures import load

    registry = bootstrap.build(f"sqlite:///{tmp_path / 'both.db'}")
    load(registry, lai_chau_paths, "fixtures")
    results = vn2025.run(registry, shared_data / "vn", "test-import")
    with registry.reading() as tl:
        numbers = Counter(a.number for a in tl.acts.values())
        units = {on: Counter(v.level for v in tl.existing(on) if v.kind == "administrative_unit")
                 for on in (BEFORE, AFTER)}
    assert sum(not r.created for r in results) == 2  # Lai Châu's baseline and 1670
    assert numbers["1670/NQ-UBTVQH15"] == 1
    assert units[BEFORE] == {"province": 63, "district": 696, "commune": 10_035}
    assert units[AFTER] == {"province": 34, "commune": 3_321}
    registry.log.close()
