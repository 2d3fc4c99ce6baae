"""The explorer's relations and plans in a real browser: start from the political system's top
organisations, switch the relation a tree follows, see a unit's superiors by relation, and read a
plan's items on a date (status, deadline, lead, implementing acts, overdue; a stand-in date shown
as one).

The Lai Châu fixtures record no party affiliation and no plan yet, so the server here also loads
three acts MADE UP FOR THESE TESTS (issuer "end-to-end tests", `verified: false`, titles saying
so): a plan with three items, a report that the first was carried out by Resolution
1670/NQ-UBTVQH15, and an affiliation of Sở Nội vụ to the Đảng bộ Ủy ban nhân dân tỉnh whose
effective date is a stand-in (it also reports the plan's second item done). They are loaded only
into this test's own database.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS, Server, Visit, _visit, serve

TEST_PLAN = """\
act:
  number: TEST-1/KH
  kind: plan
  issuer: end-to-end tests
  effective: 2025-04-15
  title: A plan made up for the explorer's tests (not a real plan)
  verified: false
changes:
  - clause: test item 1
    plan_item:
      id: "1"
      title: Sắp xếp đơn vị hành chính cấp xã (test item)
      deadline: 2025-07-31
      lead: {name: Ủy ban nhân dân tỉnh Lai Châu}
  - clause: test item 2
    plan_item:
      id: "2"
      title: Kiện toàn tổ chức đảng của Sở Nội vụ (test item)
      deadline: 2025-09-30
      lead: {name: Tỉnh ủy Lai Châu}
      status: in_progress
  - clause: test item 3
    plan_item:
      id: "3"
      title: Một nhiệm vụ chưa làm (test item)
      deadline: 2025-05-31
"""

TEST_REPORT = """\
act:
  number: null
  kind: other
  issuer: end-to-end tests
  effective: 2025-07-01
  title: A plan report made up for the explorer's tests (not a real act)
  verified: false
changes:
  - plan_status: {plan: {number: TEST-1/KH}, item: "1", status: done,
                  acts: [{number: 1670/NQ-UBTVQH15}]}
"""

TEST_AFFILIATION = """\
act:
  number: null
  kind: other
  issuer: end-to-end tests
  effective: 2025-08-01
  effective_stand_in: true
  title: A party affiliation made up for the explorer's tests (not a real act)
  verified: false
changes:
  - clause: test clause 1
    reassign:
      unit: {name: Sở Nội vụ, parent: {name: Ủy ban nhân dân tỉnh Lai Châu}}
      party: {name: Đảng bộ Ủy ban nhân dân tỉnh Lai Châu}
  - plan_status: {plan: {number: TEST-1/KH}, item: "2", status: done}
"""

AT = "2025-09-01"
PROVINCIAL_TOPS = {"Tỉnh ủy Lai Châu", "Ủy ban nhân dân tỉnh Lai Châu",
                   "Hội đồng nhân dân tỉnh Lai Châu",
                   "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Lai Châu"}


@pytest.fixture(scope="module")
def relations_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serve(tmp_path_factory, "explorer-relations", {
        "test-plan.yaml": TEST_PLAN, "test-report.yaml": TEST_REPORT,
        "test-affiliation.yaml": TEST_AFFILIATION})


@pytest.fixture
def desk(browser: Any, relations_server: Server) -> Iterator[Visit]:
    yield from _visit(browser, relations_server, DESKTOP)


@pytest.fixture
def phone_visit(browser: Any, relations_server: Server) -> Iterator[Visit]:
    yield from _visit(browser, relations_server, PHONE)


def named(server: Server, name: str, kind: str) -> str:
    items = server.get(f"/v1/units?at={AT}&kind={kind}&limit=1000")["items"]
    [unit] = [u for u in items if u["name"] == name]
    return str(unit["id"])


def ids(server: Server) -> dict[str, str]:
    return {
        "tinh_uy": named(server, "Tỉnh ủy Lai Châu", "party_organisation"),
        "dang_bo_ubnd": named(server, "Đảng bộ Ủy ban nhân dân tỉnh Lai Châu",
                              "party_organisation"),
        "ubnd": named(server, "Ủy ban nhân dân tỉnh Lai Châu", "state_agency"),
        "so_noi_vu": named(server, "Sở Nội vụ", "state_agency"),
        "plan": str(next(p["act"]["id"] for p in server.get(f"/v1/plans?at={AT}")["items"]
                         if p["act"]["number"] == "TEST-1/KH")),
    }


def top_names(visit: Visit, level: str = "province") -> set[str]:
    found: list[str] = visit.page.locator(
        f'.top-organisations details[data-level="{level}"] li a.name').all_inner_texts()
    return set(found)


def under(visit: Visit, parent: str, child: str) -> int:
    """How many times the tree shows ``child`` directly under ``parent``."""
    count: int = visit.page.locator(
        f'.tree li[data-id="{parent}"] > details > ul > li[data-id="{child}"]').count()
    return count


def test_the_country_lists_the_political_systems_top_organisations_per_relation(
        desk: Visit, relations_server: Server) -> None:
    desk.open(f"#/tree?at={AT}&lang=en")
    assert desk.page.locator("table.country tr[data-code='12']").count() == 1
    assert PROVINCIAL_TOPS <= top_names(desk)
    assert "Sở Nội vụ" not in top_names(desk)  # under its People's Committee
    assert desk.page.locator(".relation-switch a.active").get_attribute("data-relation") == ""

    desk.page.click(".relation-switch a[data-relation=party]")
    desk.settled("relation=party")
    assert "relation=party" in desk.page.url
    # The fixtures record the party committees that lead the People's Committee, the council
    # and the Front: along the party line only the Tỉnh ủy heads the province's system.
    assert "Tỉnh ủy Lai Châu" in top_names(desk)
    assert not (PROVINCIAL_TOPS - {"Tỉnh ủy Lai Châu"}) & top_names(desk)
    # Along the territory line each provincial organisation serves the province: none is a top.
    desk.page.click(".relation-switch a[data-relation=territory]")
    desk.settled("relation=territory")
    assert top_names(desk) == set()
    assert "Bộ Công an" in top_names(desk, "central")
    # The province, along the territory line: the organisations that serve it.
    desk.page.click("table.country a.name")
    desk.settled("relation=territory")
    tinh_uy = ids(relations_server)["tinh_uy"]
    assert desk.page.locator(f'.tree li[data-id="{tinh_uy}"]').count() == 1


def test_from_the_tinh_uy_along_the_party_line_to_so_noi_vu_and_back_along_the_state_line(
        desk: Visit, relations_server: Server) -> None:
    u = ids(relations_server)
    desk.open(f"#/tree?at={AT}&relation=party&lang=en")
    desk.page.click(f'.top-organisations li[data-id="{u["tinh_uy"]}"] a.name')
    desk.settled(f"unit={u['tinh_uy']}")
    assert "relation=party" in desk.page.url
    assert desk.page.inner_text("h1.title").startswith("Tỉnh ủy Lai Châu")
    # The test affiliation: Sở Nội vụ under the Đảng bộ Ủy ban nhân dân tỉnh.
    assert under(desk, u["dang_bo_ubnd"], u["so_noi_vu"]) == 1
    assert under(desk, u["tinh_uy"], u["dang_bo_ubnd"]) == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    desk.page.screenshot(path=str(SCREENSHOTS / "tree-party-desktop.png"))

    # Along the administrative line the Tỉnh ủy leads no department.
    desk.page.click(".relation-switch a[data-relation=administrative]")
    desk.settled("relation=administrative")
    assert desk.page.locator(f'.tree li[data-id="{u["so_noi_vu"]}"]').count() == 0

    # Sở Nội vụ's superiors by relation, each a link to the superior's tree along it.
    desk.open(f"#/tree?unit={u['ubnd']}&at={AT}&relation=administrative&lang=en")
    assert under(desk, u["ubnd"], u["so_noi_vu"]) == 1
    desk.page.click(f'.tree li[data-id="{u["so_noi_vu"]}"] a.name')
    desk.settled(f"unit={u['so_noi_vu']}")
    superiors = desk.page.locator("section.superiors")
    assert superiors.locator('dd[data-relation=administrative] a.superior').inner_text() \
        == "Ủy ban nhân dân tỉnh Lai Châu"
    assert superiors.locator('dd[data-relation=party] a.superior').inner_text() \
        == "Đảng bộ Ủy ban nhân dân tỉnh Lai Châu"
    assert superiors.locator('dd[data-relation=territory] a.superior').inner_text() \
        == "Tỉnh Lai Châu"
    # From the test affiliation on, its versions name the party organisation too.
    assert "Party: Đảng bộ Ủy ban nhân dân tỉnh Lai Châu" in desk.page.inner_text("ol.timeline")
    # The affiliation's date is a stand-in, and says so.
    assert "≈ 2025-08-01 (stand-in)" in desk.page.inner_text("ol.events")
    superiors.locator("dd[data-relation=party] a.along").click()
    desk.settled("relation=party")
    assert f"unit={u['dang_bo_ubnd']}" in desk.page.url
    assert under(desk, u["dang_bo_ubnd"], u["so_noi_vu"]) == 1

    # Back to each unit's own line: Sở Nội vụ stands under its People's Committee only.
    desk.page.click(".relation-switch a[data-relation='']")
    desk.settled(f"unit={u['dang_bo_ubnd']}")
    assert "relation=" not in desk.page.url
    assert desk.page.locator(f'.tree li[data-id="{u["so_noi_vu"]}"]').count() == 0

    # Before the test affiliation the fixtures already put Sở Nội vụ there (act 19, 2025-03-01).
    desk.open(f"#/tree?unit={u['dang_bo_ubnd']}&at=2025-07-15&relation=party&lang=en")
    assert desk.page.locator(f'.tree li[data-id="{u["so_noi_vu"]}"]').count() == 1


def test_the_plans_view_shows_each_item_on_a_date(desk: Visit, relations_server: Server) -> None:
    u = ids(relations_server)
    desk.open(f"#/plans?at={AT}&lang=en")
    plan = desk.page.locator('ul.plans li[data-number="TEST-1/KH"]')
    assert "3 items" in plan.inner_text()
    assert desk.page.inner_text(".tabs a.active") == "Plans"
    plan.locator("a.name").click()
    desk.settled(f"plan={u['plan']}")
    assert f"#/plan?plan={u['plan']}&at={AT}" in desk.page.url

    rows = {r.get_attribute("data-item"): r for r in desk.page.locator("tr.item").all()}
    assert set(rows) == {"1", "2", "3"}
    assert rows["1"].get_attribute("data-status") == "done"
    assert "1670/NQ-UBTVQH15" in rows["1"].inner_text()
    assert "2025-07-01" in rows["1"].locator("td.acts").inner_text()
    assert "≈" not in rows["1"].locator("td.acts").inner_text()
    assert rows["1"].locator("td.lead").inner_text() == "Ủy ban nhân dân tỉnh Lai Châu"
    assert rows["2"].get_attribute("data-status") == "done"
    assert "≈ 2025-08-01 (stand-in)" in rows["2"].locator("td.acts").inner_text()
    assert rows["3"].get_attribute("data-overdue") == "true"
    assert "overdue" in rows["3"].inner_text()
    assert rows["3"].locator("td.deadline").inner_text() == "2025-05-31"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    desk.page.screenshot(path=str(SCREENSHOTS / "plan-desktop.png"))

    # In Vietnamese.
    desk.page.click("#lang")
    desk.settled("plan=")
    text = desk.page.inner_text("table.plan-items")
    assert "≈ 01/08/2025 (ngày ước định)" in text and "quá hạn" in text and "hoàn thành" in text

    # Earlier: before its deadline the third item was not overdue, and nothing was done.
    desk.open(f"#/plan?plan={u['plan']}&at=2025-05-01&lang=en")
    assert desk.page.locator("tr.item[data-overdue=true]").count() == 0
    assert desk.page.locator("tr.item[data-status=done]").count() == 0

    # An implementing act links to what changed on its day.
    desk.open(f"#/plan?plan={u['plan']}&at={AT}&lang=en")
    desk.page.click('tr.item[data-item="1"] td.acts a.act-link')
    desk.settled("from=2025-06-30")
    assert desk.page.locator('section.act[data-act="1670/NQ-UBTVQH15"]').count() == 1


def test_the_stand_in_affiliation_is_a_change_with_an_approximate_date(
        desk: Visit, relations_server: Server) -> None:
    desk.open("#/changes?from=2025-07-31&to=2025-08-01&lang=en")
    act = desk.page.locator("section.act")
    assert act.count() == 1
    assert "effective ≈ 2025-08-01 (stand-in)" in act.inner_text()
    assert act.locator("li.change[data-kind=affiliated]").inner_text().endswith("Sở Nội vụ")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_screenshots_of_the_relation_and_plan_views_fit_the_screen(
        width: str, relations_server: Server, request: pytest.FixtureRequest) -> None:
    visit: Visit = request.getfixturevalue("desk" if width == "desktop" else "phone_visit")
    viewport = DESKTOP if width == "desktop" else PHONE
    u = ids(relations_server)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    views = {
        "top-organisations": f"#/tree?at={AT}&relation=party",
        "tree-party": f"#/tree?unit={u['tinh_uy']}&at={AT}&relation=party",
        "superiors": f"#/unit?unit={u['so_noi_vu']}",
        "plans": f"#/plans?at={AT}",
        "plan": f"#/plan?plan={u['plan']}&at={AT}",
    }
    for view, fragment in views.items():
        visit.open(fragment)
        page_width = visit.page.evaluate("document.scrollingElement.scrollWidth")
        assert page_width <= viewport["width"], f"{view} is {page_width}px wide on {width}"
        path = SCREENSHOTS / f"{view}-{width}.png"
        visit.page.screenshot(path=str(path))
        assert path.stat().st_size > 10_000
