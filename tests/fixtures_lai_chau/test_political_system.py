"""Lai Châu's political system in 2025: every act of fixtures/ loaded, on SQLite and PostgreSQL.

The read-only checks share one load per backend (``stored``, module-scoped, made the way the
``database_url`` fixture makes its databases) and read through a second registry built from the
same database, so the answers come from the stored events, not from the recorder's memory.
Loading twice uses ``database_url`` itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

import psycopg
import pytest
import yaml

from registry import bootstrap
from registry.application.service import Registry
from registry.domain.model import Version
from registry.domain.timeline import Timeline
from registry.importers.fixtures import load
from tests.conftest import FIXTURES, POSTGRES_URL, TickingClock
from tests.fixtures_lai_chau import generate

D = date.fromisoformat
BEFORE, REFORM, TWO_TIER = D("2025-02-28"), D("2025-03-01"), D("2025-07-01")

DEPARTMENTS_BEFORE = sorted([
    "Sở Công Thương", "Sở Giao thông vận tải", "Sở Giáo dục và Đào tạo",
    "Sở Khoa học và Công nghệ", "Sở Kế hoạch và Đầu tư", "Sở Lao động - Thương binh và Xã hội",
    "Sở Nông nghiệp và Phát triển nông thôn", "Sở Nội vụ", "Sở Thông tin và Truyền thông",
    "Sở Tài chính", "Sở Tài nguyên và Môi trường", "Sở Tư pháp",
    "Sở Văn hóa, Thể thao và Du lịch", "Sở Xây dựng", "Sở Y tế",
])
DEPARTMENTS_AFTER = sorted([
    "Sở Công Thương", "Sở Dân tộc và Tôn giáo", "Sở Giáo dục và Đào tạo",
    "Sở Khoa học và Công nghệ", "Sở Nông nghiệp và Môi trường", "Sở Nội vụ", "Sở Tài chính",
    "Sở Tư pháp", "Sở Văn hóa, Thể thao và Du lịch", "Sở Xây dựng", "Sở Y tế",
])
NEW_DEPARTMENTS = {
    "Sở Tài chính": {"Sở Tài chính", "Sở Kế hoạch và Đầu tư"},
    "Sở Nông nghiệp và Môi trường": {"Sở Nông nghiệp và Phát triển nông thôn",
                                     "Sở Tài nguyên và Môi trường"},
    "Sở Khoa học và Công nghệ": {"Sở Khoa học và Công nghệ", "Sở Thông tin và Truyền thông"},
    "Sở Nội vụ": {"Sở Lao động - Thương binh và Xã hội", "Sở Nội vụ"},
    "Sở Xây dựng": {"Sở Giao thông vận tải", "Sở Xây dựng"},
    "Sở Dân tộc và Tôn giáo": {"Ban Dân tộc tỉnh"},
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stored(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('lai-chau')) / 'registry.db'}"
    else:
        schema = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        url = f"{POSTGRES_URL}?schema={schema}"
    try:
        clock = TickingClock()
        recorder = bootstrap.build(url, clock)
        load(recorder, [FIXTURES], "test")
        recorder.log.close()
        reader = bootstrap.build(url, clock)
        yield reader
        reader.log.close()
    finally:
        if schema is not None:
            with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")


def the(tl: Timeline, name: str, type_: str, on: date) -> Version:
    (found,) = [v for v in tl.existing(on) if v.name == name and v.type == type_]
    return found


def names(versions: list[Version]) -> list[str]:
    return sorted(v.name for v in versions)


def departments(tl: Timeline, on: date) -> list[Version]:
    ubnd = the(tl, "Ủy ban nhân dân tỉnh Lai Châu", "ủy ban nhân dân", on)
    return [v for v in tl.children(ubnd.id, on) if v.type == "sở"]


def name_on(tl: Timeline, org: UUID, on: date) -> str:
    version = tl.version(org, on)
    assert version is not None
    return version.name


def test_provincial_departments_are_15_on_28_february_and_11_on_1_march(stored):
    with stored.reading() as tl:
        before, after = departments(tl, BEFORE), departments(tl, REFORM)
    assert names(before) == DEPARTMENTS_BEFORE
    assert names(after) == DEPARTMENTS_AFTER
    # hợp nhất makes a NEW department even where the name is kept
    old = {v.name: v.id for v in before}
    new = {v.name: v.id for v in after}
    assert all(old[n] != new[n] for n in ("Sở Tài chính", "Sở Nội vụ", "Sở Xây dựng",
                                          "Sở Khoa học và Công nghệ"))
    assert all(old[n] == new[n] for n in ("Sở Công Thương", "Sở Tư pháp", "Sở Y tế"))


def test_each_new_department_names_its_predecessors_with_the_act_and_clause(stored):
    with stored.reading() as tl:
        after = {v.name: v for v in departments(tl, REFORM)}
        for new_name, predecessors in NEW_DEPARTMENTS.items():
            edges = tl.edges_in(after[new_name].id)
            assert {name_on(tl, e.source, BEFORE) for e in edges} == predecessors, new_name
            assert {(e.on, e.change, e.type) for e in edges} == {(REFORM, "merge", "whole")}
            (act_id,) = {e.act for e in edges}
            act = tl.acts[act_id]
            assert act.number is None and not act.verified  # the Lai Châu act is not identified
            assert "Nghị định 45/2025/NĐ-CP" in act.title
            assert all(e.clause and e.clause.startswith("Kế hoạch, mục 2.1") for e in edges)
            for e in edges:
                assert tl.records[e.source].ended == REFORM


def test_propaganda_and_mass_mobilisation_boards_merge_under_decision_1676(stored):
    with stored.reading() as tl:
        tinh_uy = the(tl, "Tỉnh ủy Lai Châu", "tỉnh ủy", REFORM)
        boards_before = names([v for v in tl.children(tinh_uy.id, BEFORE) if v.type == "ban"])
        boards_after = names([v for v in tl.children(tinh_uy.id, REFORM) if v.type == "ban"])
        merged = the(tl, "Ban Tuyên giáo và Dân vận Tỉnh ủy", "ban", REFORM)
        edges = tl.edges_in(merged.id)
        act = tl.acts[edges[0].act]
        district_boards = [v for v in tl.existing(REFORM) if v.level == "district"
                           and v.name.startswith("Ban Tuyên giáo và Dân vận ")]
    assert boards_before == ["Ban Dân vận Tỉnh ủy", "Ban Nội chính Tỉnh ủy",
                             "Ban Tuyên giáo Tỉnh ủy", "Ban Tổ chức Tỉnh ủy"]
    assert boards_after == ["Ban Nội chính Tỉnh ủy", "Ban Tuyên giáo và Dân vận Tỉnh ủy",
                            "Ban Tổ chức Tỉnh ủy"]
    assert (act.number, act.signed, act.verified) == ("1676-QĐ/TU", D("2025-02-10"), False)
    assert len(edges) == 2 and merged.valid_from == REFORM
    assert len(district_boards) == 8


def test_party_delegations_and_the_bloc_end_and_two_party_committees_begin(stored):
    with stored.reading() as tl:
        tinh_uy = the(tl, "Tỉnh ủy Lai Châu", "tỉnh ủy", REFORM)
        types_before = {v.type for v in tl.children(tinh_uy.id, BEFORE)}
        under_after = tl.children(tinh_uy.id, REFORM)
    assert {"đảng đoàn", "ban cán sự đảng", "đảng bộ khối"} <= types_before
    assert not {"đảng đoàn", "ban cán sự đảng", "đảng bộ khối"} & {v.type for v in under_after}
    assert names([v for v in under_after if v.type == "đảng bộ"]) == sorted([
        "Đảng bộ Ủy ban nhân dân tỉnh Lai Châu", "Đảng bộ các cơ quan Đảng tỉnh Lai Châu"])


def test_market_management_moves_from_the_ministry_to_the_department_as_a_chi_cuc(stored):
    with stored.reading() as tl:
        before = the(tl, "Cục Quản lý thị trường tỉnh Lai Châu", "cục", BEFORE)
        after = tl.version(before.id, REFORM)
        assert after is not None
        superior_before = tl.version(before.parent, BEFORE)
        superior_after = tl.version(after.parent, REFORM)
        province = tl.by_code("12", REFORM, "province")[0]
    assert (superior_before.name, superior_before.type) == ("Bộ Công Thương", "bộ")
    assert (after.name, after.type, after.kind) == ("Chi cục Quản lý thị trường", "chi cục",
                                                    "state_agency")
    assert (superior_after.name, superior_after.type) == ("Sở Công Thương", "sở")
    assert before.territory == after.territory == province.id


def test_the_radio_television_station_is_absorbed_into_bao_lai_chau(stored):
    with stored.reading() as tl:
        station = the(tl, "Đài Phát thanh - Truyền hình tỉnh Lai Châu", "đài", D("2025-06-30"))
        paper = the(tl, "Báo Lai Châu", "báo", D("2025-06-30"))
        (edge,) = tl.edges_out(station.id)
        paper_after = tl.version(paper.id, TWO_TIER)
        assert tl.version(station.id, TWO_TIER) is None
    assert (edge.target, edge.change, edge.on) == (paper.id, "absorb", TWO_TIER)
    assert paper_after is not None and paper_after.name == "Báo Lai Châu"


def test_district_offices_and_police_are_rearranged_in_all_8_districts(stored):
    with stored.reading() as tl:
        ubnd = the(tl, "Ủy ban nhân dân tỉnh Lai Châu", "ủy ban nhân dân", REFORM)
        districts = [v for v in tl.children(ubnd.id, REFORM) if v.level == "district"]
        offices = {d.name: names(tl.children(d.id, REFORM)) for d in districts}
        police = [v for v in tl.existing(REFORM) if v.type == "công an"]
        police_before = [v for v in tl.existing(BEFORE) if v.type == "công an"]
        tam_duong = [v for v in tl.existing(REFORM)
                     if v.name == "Phòng Nông nghiệp và Môi trường huyện Tam Đường"]
        sources = {name_on(tl, e.source, BEFORE) for e in tl.edges_in(tam_duong[0].id)}
    assert len(districts) == 8
    assert offices["Ủy ban nhân dân huyện Tam Đường"] == sorted(
        f"{o} huyện Tam Đường" for o in (
            "Phòng Dân tộc và Tôn giáo", "Phòng Kinh tế, Hạ tầng và Đô thị", "Phòng Nội vụ",
            "Phòng Nông nghiệp và Môi trường", "Phòng Tài chính - Kế hoạch", "Phòng Tư pháp",
            "Phòng Văn hóa, Khoa học và Thông tin"))
    assert all(len(o) == 7 for o in offices.values())
    assert sources == {"Phòng Nông nghiệp và Phát triển nông thôn huyện Tam Đường",
                       "Phòng Tài nguyên và Môi trường huyện Tam Đường"}
    assert len(police_before) == 9 and names(police) == ["Công an tỉnh Lai Châu"]


def test_on_1_july_38_commune_party_committees_replace_the_8_district_ones(stored):
    with stored.reading() as tl:
        tinh_uy = the(tl, "Tỉnh ủy Lai Châu", "tỉnh ủy", TWO_TIER)
        province = tl.by_code("12", TWO_TIER, "province")[0]
        communes = tl.children(province.id, TWO_TIER)
        under = tl.children(tinh_uy.id, TWO_TIER)
        commune_committees = [v for v in under if v.level == "commune"]
        district_committees = {
            on: [v for v in tl.existing(on) if v.type in ("huyện ủy", "thành ủy")]
            for on in (D("2025-06-30"), TWO_TIER)}
        cells = [v for v in tl.existing(TWO_TIER) if v.type == "chi bộ"
                 and v.name in {n for n, _, _ in generate.ENTERPRISE_CELLS}]
        cell_superiors = [tl.version(c.parent, TWO_TIER) for c in cells]
    assert len(communes) == 38 and len(commune_committees) == 38
    assert {v.territory for v in commune_committees} == {c.id for c in communes}
    assert names(commune_committees) == sorted(
        "Đảng ủy " + c.name[0].lower() + c.name[1:] for c in communes)
    assert {v.type for v in commune_committees} == {"đảng ủy xã", "đảng ủy phường"}
    assert not [v for v in under if v.level == "district"]
    assert len(district_committees[D("2025-06-30")]) == 8
    assert district_committees[TWO_TIER] == []
    assert len(cells) == 3  # illustrative enterprise party cells
    for cell, superior in zip(cells, cell_superiors, strict=True):
        assert superior is not None and superior.type.startswith("đảng ủy")
        assert cell.territory == superior.territory


def test_every_organisation_serves_a_territory_that_exists_while_it_does(stored):
    with stored.reading() as tl:
        organisations = [r for r in tl.records.values()
                         if r.versions and r.versions[0].kind != "administrative_unit"]
        central = sorted(r.versions[0].name for r in organisations
                         if r.versions[0].level == "central")
        problems = []
        for record in organisations:
            for v in record.versions:
                if v.level == "central":
                    continue  # the registry holds no national unit for a ministry to serve
                last = v.valid_to - timedelta(days=1) if v.valid_to else D("2030-01-01")
                if v.territory is None or any(tl.version(v.territory, day) is None
                                              for day in (v.valid_from, last)):
                    problems.append((v.name, v.valid_from))
        serving_districts = [v for v in tl.existing(TWO_TIER) if v.territory is not None
                             and tl.version(v.territory, TWO_TIER) is None]
    assert len(organisations) > 250
    assert central == ["Bộ Công Thương", "Bộ Công an", "Tổng Liên đoàn Lao động Việt Nam"]
    assert problems == []
    assert serving_districts == []


def test_loading_all_fixtures_twice_changes_nothing(database_url, clock):
    registry = bootstrap.build(database_url, clock)
    try:
        first = load(registry, [FIXTURES], "test")
        position = registry.log.last_id()
        second = load(registry, [FIXTURES], "test")
        assert all(r.created for r in first) and len(first) == 20
        assert [r.act_id for r in second] == [r.act_id for r in first]
        assert not any(r.created for r in second)
        assert registry.log.last_id() == position
    finally:
        registry.log.close()


def test_the_checked_in_acts_are_what_the_generator_writes():
    for name, document in generate.documents().items():
        text = (generate.FIXTURES / name).read_text(encoding="utf-8")
        assert text == generate.render(document), f"{name} is stale: run the generator"


def test_no_political_act_is_verified_and_1676_keeps_its_published_number_and_date():
    acts = {name: document["act"] for name, document in generate.documents().items()}
    numbered = {name: act["number"] for name, act in acts.items() if act["number"]}
    assert numbered == {"02-decision-1676-QD-TU-propaganda-mass-mobilisation.yaml": "1676-QĐ/TU"}
    decision = acts["02-decision-1676-QD-TU-propaganda-mass-mobilisation.yaml"]
    assert (decision["signed"], decision["url"]) == ("2025-02-10",
                                                     "http://laichau.dcs.vn/index.php/tai-lieu")
    assert "listing" in decision["note"] and "not the decision's text" in decision["note"]
    assert all(act["verified"] is False for act in acts.values())
    assert all(act["note"] for act in acts.values())


def test_every_verified_act_has_a_url_and_a_number():
    documents = {path.name: yaml.safe_load(path.read_text(encoding="utf-8"))
                 for path in sorted(generate.FIXTURES.glob("*.yaml"))}
    verified = {name for name, document in documents.items() if document["act"]["verified"]}
    # the two territorial acts come from scripts/build_lai_chau_fixtures.py and official lists
    # (SOURCES.md S1, S2, S4): a statistics list has no number, and fixture 10 must stay equal to
    # what the national importer writes for 1670/NQ-UBTVQH15, which gives no url.
    territorial = {"00-baseline-2025-01-04.yaml", "10-resolution-1670-NQ-UBTVQH15.yaml"}
    assert verified == territorial
    for name in verified - territorial:
        assert documents[name]["act"]["url"] and documents[name]["act"]["number"], name


def commune_organs(tl: Timeline, on: date) -> dict[UUID, list[Version]]:
    communes = {v.id for v in tl.children(tl.by_code("12", TWO_TIER, "province")[0].id, TWO_TIER)}
    out: dict[UUID, list[Version]] = {c: [] for c in communes}
    for v in tl.existing(on):
        if v.kind != "administrative_unit" and v.territory in out:
            out[v.territory].append(v)
    return out


def test_on_1_july_each_of_the_38_communes_has_its_council_committee_front_and_party_committee(
        stored):
    with stored.reading() as tl:
        organs = commune_organs(tl, TWO_TIER)
        names_on = {c: tl.version(c, TWO_TIER).name for c in organs}
        superiors = {v.id: tl.version(v.parent, TWO_TIER) if v.parent else None
                     for vs in organs.values() for v in vs}
        cells = {v.id for vs in organs.values() for v in vs if v.type == "chi bộ"}
    assert len(organs) == 38
    for commune, found in organs.items():
        commune_name = names_on[commune]
        word = commune_name.split(" ", 1)[0].lower()  # xã | phường
        by_type = {}
        for v in found:
            if v.id not in cells:
                assert v.type not in by_type, (commune_name, v.type)
                by_type[v.type] = v
        assert set(by_type) == {f"hội đồng nhân dân {word}", f"ủy ban nhân dân {word}",
                                f"ủy ban mặt trận tổ quốc {word}", f"đảng ủy {word}"}
        of = commune_name[0].lower() + commune_name[1:]
        council = by_type[f"hội đồng nhân dân {word}"]
        committee = by_type[f"ủy ban nhân dân {word}"]
        front = by_type[f"ủy ban mặt trận tổ quốc {word}"]
        assert (council.name, council.kind, council.parent) == (
            f"Hội đồng nhân dân {of}", "state_agency", None)
        assert (committee.name, committee.kind) == (f"Ủy ban nhân dân {of}", "state_agency")
        assert superiors[committee.id].name == "Ủy ban nhân dân tỉnh Lai Châu"
        assert (front.name, front.kind) == (f"Ủy ban Mặt trận Tổ quốc Việt Nam {of}",
                                            "mass_organisation")
        assert superiors[front.id].name == "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Lai Châu"
        assert all(v.valid_from == TWO_TIER for v in by_type.values())


def test_on_30_june_no_commune_organ_of_the_38_exists(stored):
    with stored.reading() as tl:
        day_before = TWO_TIER - timedelta(days=1)
        organs = commune_organs(tl, day_before)
        commune_level = [v for v in tl.existing(day_before)
                         if v.level == "commune" and v.kind != "administrative_unit"]
    assert len(organs) == 38 and all(found == [] for found in organs.values())
    assert commune_level == []


def test_the_provincial_council_front_and_socio_political_organisations_are_registered(stored):
    expected = {("Hội đồng nhân dân tỉnh Lai Châu", "state_agency"),
                ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Lai Châu", "mass_organisation"),
                ("Liên đoàn Lao động tỉnh Lai Châu", "mass_organisation"),
                ("Hội Nông dân tỉnh Lai Châu", "mass_organisation"),
                ("Hội Liên hiệp Phụ nữ tỉnh Lai Châu", "mass_organisation"),
                ("Tỉnh đoàn Lai Châu", "mass_organisation"),
                ("Hội Cựu chiến binh tỉnh Lai Châu", "mass_organisation")}
    with stored.reading() as tl:
        province = tl.by_code("12", BEFORE, "province")[0].id
        found = {on: {(v.name, v.kind) for v in tl.existing(on) if v.territory == province}
                 for on in (D("2025-01-04"), TWO_TIER)}
    assert expected <= found[D("2025-01-04")] and expected <= found[TWO_TIER]


def test_the_bloc_splits_into_the_two_new_committees_and_its_cells_follow_the_plan(stored):
    with stored.reading() as tl:
        tinh_uy = the(tl, "Tỉnh ủy Lai Châu", "tỉnh ủy", BEFORE)
        bloc = the(tl, generate.BLOC, "đảng bộ khối", BEFORE)
        edges = tl.edges_out(bloc.id)
        successors = {name_on(tl, e.target, REFORM) for e in edges}
        members = {on: {v.name: v for v in tl.children(bloc.id, on)} for on in (BEFORE,)}
        superior = {(v.name, on): tl.version(tl.version(v.id, on).parent, on)
                    for v in members[BEFORE].values() for on in (BEFORE, REFORM, TWO_TIER)}
        territory = {(v.name, on): tl.version(tl.version(v.id, on).territory, on)
                     for v in members[BEFORE].values() for on in (REFORM, TWO_TIER)}
        marked = {v.name: (v.illustrative, [f.kind for f in tl.records[v.id].facts][:2])
                  for v in members[BEFORE].values()}
        bloc_after = tl.version(bloc.id, REFORM)
    assert bloc.parent == tinh_uy.id and bloc_after is None
    assert successors == {generate.PARTY_AGENCIES_COMMITTEE, generate.PEOPLE_COMMITTEE_PARTY}
    assert {(e.on, e.change, e.type) for e in edges} == {(REFORM, "split", "population")}
    assert len(members[BEFORE]) == 7
    for name, to in generate.BLOC_CELLS:
        assert superior[(name, BEFORE)].name == generate.BLOC
        assert superior[(name, REFORM)].name == to
        assert superior[(name, TWO_TIER)].name == to
    districts = {d.code: d for d in generate.districts()}
    for name, dcode, ccode in generate.ENTERPRISE_CELLS:
        assert superior[(name, BEFORE)].name == generate.BLOC
        assert superior[(name, REFORM)].name == districts[dcode].committee
        assert territory[(name, REFORM)].code == dcode
        assert superior[(name, TWO_TIER)].type in ("đảng ủy xã", "đảng ủy phường")
        assert territory[(name, TWO_TIER)].code == ccode
        assert superior[(name, TWO_TIER)].territory == territory[(name, TWO_TIER)].id
    # illustrative: the unit's own record says so (its versions, and a 'described' event)
    assert all(m == (True, ["began", "described"]) for m in marked.values()), marked
