"""The explorer in a real browser against ``registry serve`` with the Lai Châu acts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS, Server, Visit

RESOLUTION = "1670/NQ-UBTVQH15"
DOAN_KET_PREDECESSORS = {"Phường Quyết Thắng", "Phường Quyết Tiến", "Phường Đoàn Kết",
                         "Xã Lả Nhì Thàng", "Xã Sùng Phài"}


def province(server: Server) -> str:
    items = [u for u in server.get("/v1/units?level=province&at=2025-07-01&limit=1000")["items"]
             if u["kind"] == "administrative_unit"]
    assert [u["code"] for u in items] == ["12"]
    return str(items[0]["id"])


def doan_ket(server: Server) -> str:
    return str(server.get("/v1/codes/03388?at=2025-07-01&level=commune")["id"])


def counts(visit: Visit) -> dict[str, int]:
    """The counts per level the tree view shows, as {level: count}."""
    found: dict[str, int] = visit.page.eval_on_selector_all(
        ".counts .count", "els => Object.fromEntries(els.map(e => [e.dataset.level, "
                          "Number(e.dataset.count)]))")
    return found


def tree_levels(visit: Visit) -> dict[str, int]:
    found: dict[str, int] = visit.page.eval_on_selector_all(
        ".tree li[data-id]", "els => els.reduce((n, e) => "
        "(n[e.dataset.level] = (n[e.dataset.level] || 0) + 1, n), {})")
    return found


def test_sliding_the_date_from_june_30_to_july_1_turns_8_districts_and_106_communes_into_38(
        desktop: Visit, server: Server) -> None:
    desktop.open(f"#/tree?unit={province(server)}&at=2025-06-30")
    assert counts(desktop) == {"district": 8, "commune": 106}
    assert tree_levels(desktop) == {"province": 1, "district": 8, "commune": 106}

    slider = desktop.page.locator("#slider")
    slider.focus()
    slider.press("ArrowRight")  # one day later
    desktop.settled("at=2025-07-01")

    assert counts(desktop) == {"commune": 38}
    assert tree_levels(desktop) == {"province": 1, "commune": 38}
    assert desktop.page.input_value("#date") == "2025-07-01"
    assert "at=2025-07-01" in desktop.page.url
    assert "36 xã · 2 phường" in desktop.page.inner_text(".counts")

    slider.press("ArrowLeft")  # back to the last day before the resolution
    desktop.settled("at=2025-06-30")
    assert counts(desktop) == {"district": 8, "commune": 106}


def test_the_date_field_and_the_change_buttons_step_between_the_two_structures(
        desktop: Visit, server: Server) -> None:
    desktop.open(f"#/tree?unit={province(server)}&at=2025-03-15")
    assert counts(desktop) == {"district": 8, "commune": 106}

    desktop.page.click("#next-change")  # to the last day before the resolution
    desktop.settled("at=2025-06-30")
    assert counts(desktop)["commune"] == 106
    desktop.page.click("#next-change")  # to the day it took effect
    desktop.settled("at=2025-07-01")
    assert counts(desktop) == {"commune": 38}

    desktop.page.fill("#date", "2025-01-04")
    desktop.page.dispatch_event("#date", "change")
    desktop.settled("at=2025-01-04")
    assert counts(desktop) == {"district": 8, "commune": 106}


def test_a_district_abolished_on_july_1_offers_the_tree_of_its_last_day(
        desktop: Visit, server: Server) -> None:
    tam_duong = server.get("/v1/codes/106?at=2025-06-30&level=district")["id"]
    desktop.open(f"#/tree?unit={tam_duong}&at=2025-07-01&lang=en")
    assert "Huyện Tam Đường did not exist on 2025-07-01" in desktop.page.inner_text(".absent")
    desktop.page.click(".absent a >> nth=0")
    desktop.settled("at=2025-06-30")
    assert counts(desktop) == {"commune": 13}


def test_a_deep_link_brings_back_the_unit_the_date_and_the_view(
        desktop: Visit, server: Server) -> None:
    link = f"#/tree?unit={province(server)}&at=2025-06-30&lang=en"
    desktop.open(link)
    desktop.page.reload()
    desktop.settled("at=2025-06-30")
    assert desktop.page.input_value("#date") == "2025-06-30"
    assert desktop.page.input_value("#unit-picker") == province(server)
    assert desktop.page.inner_text(".tabs a.active") == "Structure"
    assert counts(desktop) == {"district": 8, "commune": 106}


def test_what_changed_lists_resolution_1670_with_its_dates_and_clauses(
        desktop: Visit, server: Server) -> None:
    desktop.open(f"#/changes?unit={province(server)}&from=2025-06-30&to=2025-07-01&lang=en")
    acts = desktop.page.locator("section.act")
    assert acts.count() == 1
    act = desktop.page.locator(f'section.act[data-act="{RESOLUTION}"]')
    text = act.inner_text()
    assert RESOLUTION in text
    assert "signed 2025-06-16" in text and "effective 2025-07-01" in text
    clause = act.locator("dt", has_text="Điều 1 khoản 36")
    assert clause.count() == 1
    changes = clause.locator("xpath=following-sibling::dd[1]").inner_text()
    assert "Phường Đoàn Kết" in changes and "Phường Quyết Tiến" in changes
    kinds = {k: act.locator(f"li.change[data-kind={k}]").count()
             for k in ("begun", "ended", "moved")}
    assert kinds == {"begun": 36, "ended": 104 + 8, "moved": 2}


def test_nothing_changed_between_two_days_before_the_resolution(
        desktop: Visit, server: Server) -> None:
    desktop.open(f"#/changes?unit={province(server)}&from=2025-02-01&to=2025-06-30&lang=en")
    assert desktop.page.locator("section.act").count() == 0
    assert "Nothing changed" in desktop.page.inner_text("main")


def test_the_lineage_of_phuong_doan_ket_shows_its_five_predecessors(
        desktop: Visit, server: Server) -> None:
    desktop.open(f"#/lineage?unit={doan_ket(server)}&at=2025-07-01")
    svg = desktop.page.locator("svg.lineage")
    names = svg.locator("g.node[data-side=pred]").evaluate_all(
        "els => els.map(e => e.dataset.name)")
    assert sorted(names) == sorted(DOAN_KET_PREDECESSORS)
    assert svg.locator("g.node[data-side=root]").get_attribute("data-name") == "Phường Đoàn Kết"
    edges = svg.locator("g.edge")
    assert edges.count() == 5
    labels = edges.locator(".edge-label").all_text_contents()
    assert len(labels) == 5
    assert all(RESOLUTION in label and "hợp nhất · toàn bộ" in label for label in labels)
    # Predecessors stand to the left of the unit.
    root_x = _centre_x(svg.locator("g.node[data-side=root] rect"))
    assert all(_centre_x(r) < root_x
               for r in svg.locator("g.node[data-side=pred] rect").all())


def test_a_split_shows_one_edge_per_part_and_the_lineage_reaches_back_two_steps(
        desktop: Visit, server: Server) -> None:
    north = server.get("/v1/codes/99901?at=2026-01-01&level=commune")["id"]
    desktop.open(f"#/lineage?unit={north}&at=2026-01-01&lang=en")
    svg = desktop.page.locator("svg.lineage")
    preds = svg.locator("g.node[data-side=pred]").evaluate_all(
        "els => els.map(e => e.dataset.name)")
    # Xã Bình Lư (2025) one step back, the three units merged into it two steps back.
    assert sorted(preds) == sorted(["Xã Bình Lư", "Thị trấn Tam Đường", "Xã Bình Lư",
                                    "Xã Sơn Bình"])
    split = svg.locator("g.edge.e-area")
    assert split.count() == 1
    assert "split · part of the area 60%" in split.locator(".edge-label").text_content()

    binh_lu = server.get("/v1/codes/03390?at=2025-07-01&level=commune")["id"]
    desktop.open(f"#/lineage?unit={binh_lu}&at=2025-07-01&lang=en")
    succ = svg.locator("g.node[data-side=succ]").evaluate_all(
        "els => els.map(e => e.dataset.name)")
    assert sorted(succ) == ["Xã Bình Lư Bắc", "Xã Bình Lư Nam"]
    labels = sorted(svg.locator("g.edge.e-area .edge-label").all_text_contents())
    assert len(labels) == 2
    assert "part of the area 40%" in labels[0] and "part of the area 60%" in labels[1]
    root_x = _centre_x(svg.locator("g.node[data-side=root] rect"))
    assert all(_centre_x(r) > root_x for r in svg.locator("g.node[data-side=succ] rect").all())


def _centre_x(locator: Any) -> float:
    box = locator.bounding_box()
    return float(box["x"] + box["width"] / 2)


def test_searching_doan_ket_without_diacritics_finds_it_and_its_code_history(
        desktop: Visit, server: Server) -> None:
    desktop.open(f"#/tree?unit={province(server)}&at=2025-07-01&lang=en")
    desktop.page.fill("#search", "doan ket")
    hits = desktop.page.locator("#search-results a.hit")
    hits.first.wait_for(timeout=10000)
    texts = hits.all_inner_texts()
    current = [t for t in texts if "Phường Đoàn Kết" in t and "03388" in t]
    former = [t for t in texts if "Phường Đoàn Kết" in t and "03389" in t]
    assert len(current) == 1 and "current" in current[0] and "2025-07-01" in current[0]
    assert len(former) == 1 and "former name" in former[0] and "2025-06-30" in former[0]

    hits.filter(has_text="03388").click()
    desktop.settled(f"unit={doan_ket(server)}")
    meaning = desktop.page.inner_text('.meaning[data-code="03388"]')
    assert meaning == ("03388 meant Phường Quyết Tiến until 2025-06-30, then Phường Đoàn Kết")
    assert desktop.page.locator("section.relation.pred li").count() == 5


def test_the_labels_switch_between_vietnamese_and_english(desktop: Visit, server: Server) -> None:
    desktop.open(f"#/tree?unit={province(server)}&at=2025-07-01")
    assert desktop.page.inner_text(".tabs a[data-view=changes]") == "Thay đổi"
    assert "Cấp xã" in desktop.page.inner_text(".counts")
    desktop.page.click("#lang")
    desktop.settled("lang=en")
    assert desktop.page.inner_text(".tabs a[data-view=changes]") == "What changed"
    assert "Commune level" in desktop.page.inner_text(".counts")


VIEWS = {
    "tree": "#/tree?unit={province}&at=2025-06-30",
    "changes": "#/changes?unit={province}&from=2025-06-30&to=2025-07-01",
    "lineage": "#/lineage?unit={doan_ket}&at=2025-07-01",
}


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_screenshots_of_the_three_views_fit_the_screen(
        width: str, browser: Any, server: Server, request: pytest.FixtureRequest) -> None:
    visit: Visit = request.getfixturevalue(width)
    viewport = DESKTOP if width == "desktop" else PHONE
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    ids = {"province": province(server), "doan_ket": doan_ket(server)}
    for view, fragment in VIEWS.items():
        visit.open(fragment.format(**ids))
        # Readable on a phone: the page itself never scrolls sideways (a wide diagram scrolls
        # inside its own box).
        page_width = visit.page.evaluate("document.scrollingElement.scrollWidth")
        assert page_width <= viewport["width"], f"{view} is {page_width}px wide on {width}"
        path = SCREENSHOTS / f"{view}-{width}.png"
        visit.page.screenshot(path=str(path))
        assert path.stat().st_size > 10_000
