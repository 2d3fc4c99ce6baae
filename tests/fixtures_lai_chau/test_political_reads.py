"""Issue 14 on Lai Châu's recorded political system, read as integrators read it (the served
reader and a command's reader, on SQLite and PostgreSQL): several superiors by relation, the
two-level model on both sides, the plan and the acts that carried it out, functions moving, and
dates that are stand-ins said as such."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from registry import bootstrap
from registry.application.lookups import locate
from registry.application.reading import Reader
from registry.importers.fixtures import load
from tests.conftest import FIXTURES, TickingClock
from tests.fixtures_lai_chau import plan
from tests.readmodels.conftest import fresh_database

D = date.fromisoformat
BEFORE, REFORM, TWO_TIER = D("2025-02-28"), D("2025-03-01"), D("2025-07-01")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[str]:
    with fresh_database(request.param, Path(tmp_path_factory.mktemp("lc-reads"))) as found:
        registry = bootstrap.build(found, TickingClock())
        load(registry, [FIXTURES], "test")
        bootstrap.build_reader(found, registry).close()
        registry.log.close()
        yield found


@pytest.fixture(scope="module", params=["served", "question"])
def reader(request: pytest.FixtureRequest, url: str) -> Iterator[Reader]:
    found = (bootstrap.build_reader(url, project=False) if request.param == "served"
             else bootstrap.question_reader(url))
    yield found
    found.close()


def unit(reader: Reader, name: str, on: date) -> Any:
    return locate(reader, name, (on,), None)


def test_a_department_is_under_the_people_committee_and_in_its_party_committee(reader):
    finance = unit(reader, "Sở Tài chính", REFORM)
    assert [(s.relation, s.name) for s in finance.superiors] == [
        ("administrative", "Ủy ban nhân dân tỉnh Lai Châu"),
        ("party", "Đảng bộ Ủy ban nhân dân tỉnh Lai Châu"), ("territory", "Tỉnh Lai Châu")]
    party = unit(reader, "Đảng bộ Ủy ban nhân dân tỉnh Lai Châu", REFORM)
    led = {c["name"] for c in reader.subtree(party.id, REFORM, relation="party",
                                             depth=1)["children"]}
    assert {"Ủy ban nhân dân tỉnh Lai Châu", "Sở Tài chính", "Sở Dân tộc và Tôn giáo",
            "Sở Nội vụ", "Văn phòng Ủy ban nhân dân tỉnh"} <= led
    people = unit(reader, "Ủy ban nhân dân tỉnh Lai Châu", REFORM)
    state = reader.subtree(people.id, REFORM, relation="administrative", depth=1)["children"]
    assert "Sở Tài chính" in {c["name"] for c in state}
    assert not any(c["kind"] == "party_organisation" for c in state)
    # Before the reform the People's Committee was led by its party affairs committee.
    before = unit(reader, "Ủy ban nhân dân tỉnh Lai Châu", BEFORE)
    assert ("party", "Ban cán sự đảng Ủy ban nhân dân tỉnh") in {
        (s.relation, s.name) for s in before.superiors}


def test_each_new_commune_is_led_by_its_party_committee_on_both_sides(reader):
    province = unit(reader, "Tỉnh ủy Lai Châu", TWO_TIER)
    tree = reader.subtree(province.id, TWO_TIER, relation="party", depth=2)
    communes = [c for c in tree["children"] if c["type"] in ("đảng ủy xã", "đảng ủy phường")]
    assert len(communes) == 38
    for committee in communes:
        place = committee["name"].removeprefix("Đảng ủy ")
        led = {c["name"] for c in committee["children"]}
        assert {f"Hội đồng nhân dân {place}", f"Ủy ban nhân dân {place}",
                f"Ủy ban Mặt trận Tổ quốc Việt Nam {place}"} <= led, committee["name"]
    # None of the commune organs exists the day before.
    assert not reader.named("Ủy ban nhân dân phường Đoàn Kết", D("2025-06-30"))


def test_the_plan_is_no_fact_and_links_the_acts_that_carried_it_out(reader):
    view = reader.plan(plan.PLAN_TITLE, TWO_TIER).as_dict()
    assert view["act"]["effective_stand_in"] is True
    items = {i["id"]: i for i in view["items"]}
    assert len(items) == 19
    communes = items["2.2(1)"]
    assert (communes["status"], communes["since"], communes["since_stand_in"]) == (
        "done", "2025-07-01", False)
    assert "1670/NQ-UBTVQH15" in {a["number"] for a in communes["acts"]}
    party = items["2.2(2)"]
    assert (party["status"], party["since_stand_in"]) == ("done", True)
    assert items["2.2(5)"]["status"] == "planned" and not items["2.2(5)"]["acts"]
    assert items["1.2"]["overdue"] and items["1.2"]["deadline"] == "2025-04-10"
    before = {i["id"]: i for i in reader.plan(plan.PLAN_TITLE, D("2025-06-30")).as_dict()["items"]}
    assert before["2.2(1)"]["status"] == "planned" and not before["2.2(1)"]["acts"]
    assert not {i["id"]: i for i in reader.plan(plan.PLAN_TITLE, D("2025-04-10"))
                .as_dict()["items"]}["1.2"]["overdue"]


def test_religious_affairs_move_from_home_affairs_to_the_new_department(reader):
    function = "quản lý nhà nước về tín ngưỡng, tôn giáo"
    assert [h.unit.name for h in reader.function_holders(function, BEFORE)] == ["Sở Nội vụ"]
    (now,) = reader.function_holders(function, REFORM)
    assert now.unit.name == "Sở Dân tộc và Tôn giáo" and now.act.stand_in


def test_a_stand_in_date_is_never_shown_as_an_effective_date_without_saying_so(reader):
    commune = unit(reader, "Phường Đoàn Kết", TWO_TIER)
    assert not commune.valid_from_stand_in  # Resolution 1670: a verified date
    people = unit(reader, "Ủy ban nhân dân phường Đoàn Kết", TWO_TIER)
    assert not people.valid_from_stand_in  # 1670, Điều 2 khoản 2
    for stand_in in ("Đảng ủy phường Đoàn Kết", "Sở Dân tộc và Tôn giáo",
                     "Ủy ban Mặt trận Tổ quốc Việt Nam phường Đoàn Kết"):
        found = unit(reader, stand_in, TWO_TIER)
        assert found.valid_from_stand_in, stand_in
    radio = unit(reader, "Đài Phát thanh - Truyền hình tỉnh Lai Châu", D("2025-06-30"))
    assert radio.valid_to == TWO_TIER and radio.valid_to_stand_in


def test_the_targets_the_plan_states_are_recorded_and_not_measurable_without_figures(reader):
    people = unit(reader, "Ủy ban nhân dân tỉnh Lai Châu", TWO_TIER)
    report = reader.staffing(people.id, D("2025-01-04"), TWO_TIER, "quota",
                             "công chức, viên chức hưởng lương từ ngân sách nhà nước").as_dict()
    (target,) = report["targets"]
    assert target["change_percent"] == -20 and target["baseline"] is None
    assert report["totals"]["from"] is None  # no figure is invented
