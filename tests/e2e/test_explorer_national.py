"""The explorer at national scale: ``registry import vn-2025`` of the shared data, served, and
driven by chromium. It opens on the whole country, drills down into a province, groups a
national act without clauses by new unit, and shows each search hit's superiors."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import (
    DESKTOP,
    ROOT,
    SCREENSHOTS,
    Server,
    Visit,
    _free_port,
    _visit,
    _wait_until_ready,
)


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = Path(os.environ.get("REGISTRY_SHARED_DATA", ROOT.parent / "shared" / "data"))
    if not (data / "vn").is_dir():
        pytest.fail(f"the shared data is not at {data} (set REGISTRY_SHARED_DATA)")
    db = tmp_path_factory.mktemp("national") / "registry.db"
    url = f"sqlite:///{db}"
    env = {**os.environ, "REGISTRY_DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
    subprocess.run([sys.executable, "-m", "registry.cli", "import", "vn-2025", str(data / "vn")],
                   cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    port = _free_port()
    log_path = db.parent / "serve.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "registry.cli", "serve", "--port", str(port),
             "--no-access-log"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_ready(proc, base, log_path)
            yield Server(base)
        finally:
            proc.terminate()
            proc.wait(timeout=15)


@pytest.fixture
def country(browser: Any, national: Server) -> Iterator[Visit]:
    yield from _visit(browser, national, DESKTOP)


def test_it_opens_on_the_whole_country_with_every_province_and_drills_down(
        country: Visit) -> None:
    country.open("#/tree?at=2025-07-01&lang=en")
    page = country.page
    assert page.input_value("#unit-picker") == ""
    rows = page.locator("table.country tbody tr")
    assert rows.count() == 34
    communes = page.locator('.counts [data-level="commune"]').get_attribute("data-count")
    assert communes == "3321"
    per_province = page.locator('table.country td[data-level="commune"]').all_inner_texts()
    assert sum(int(n) for n in per_province) == 3321
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "explorer-country-2025-07-01.png"), full_page=False)

    page.locator('table.country tr[data-code="08"] a.name').click()
    country.settled("unit=")
    assert "Tỉnh Tuyên Quang" in page.locator("h1.title").inner_text()
    assert page.locator(".tree > li").count() == 1

    country.open("#/tree?at=2025-06-30&lang=en")
    assert page.locator("table.country tbody tr").count() == 63


def test_a_national_act_without_clauses_is_grouped_by_new_unit(country: Visit) -> None:
    country.open("#/changes?unit=&from=2025-06-30&to=2025-07-01&lang=en")
    page = country.page
    section = page.locator('section.act[data-act="202/2025/QH15"]')
    made = section.locator(".new-units li.made")
    assert made.count() == 23  # 34 provinces, 11 of which stayed as they were
    tuyen_quang = section.locator("li.made", has_text="Tỉnh Tuyên Quang")
    assert "Tỉnh Hà Giang (02)" in tuyen_quang.inner_text()
    assert section.locator(".clauses").count() == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(SCREENSHOTS / "explorer-national-act-by-unit.png"),
                       style="header.top, nav.tabs { position: static !important; }")


def test_search_hits_show_their_superiors(country: Visit) -> None:
    country.open("#/tree?at=2025-07-01&lang=en")
    page = country.page
    page.fill("#search", "binh minh")
    page.wait_for_selector('#search-results[data-query="binh minh"]')
    superiors = page.locator("#search-results .superiors").all_inner_texts()
    assert "Huyện Thanh Oai · Thành phố Hà Nội" in superiors


def test_the_known_at_control_asks_as_the_registry_knew_it_then(country: Visit) -> None:
    country.open("#/tree?at=2025-07-01&known=2000-01-01T00:00Z&lang=en")
    page = country.page
    assert page.locator("table.country tbody tr").count() == 0  # nothing was recorded yet
    assert any("known_at=2000-01-01T00%3A00Z" in u for u in country.requests)
    assert page.input_value("#known")  # shown in the control (in the browser's time zone)
    page.fill("#known", "")
    page.dispatch_event("#known", "change")
    country.settled()
    page.wait_for_function("() => !location.hash.includes('known=')")
    country.settled("at=2025-07-01")
    page.wait_for_selector("table.country tbody tr")
    assert page.locator("table.country tbody tr").count() == 34
