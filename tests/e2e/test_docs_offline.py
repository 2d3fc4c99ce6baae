"""The REST reference (``/docs``, Redoc) and GraphiQL (``/graphql``) work on a network without
internet: every request to another host is aborted, and both pages still load from the
registry's vendored files; GraphiQL runs a query."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.e2e.conftest import DESKTOP, SCREENSHOTS, Server


@dataclass
class Offline:
    page: Any
    asked: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def offline(browser: Any, server: Server) -> Iterator[Offline]:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    visit = Offline(page)

    def route(r: Any) -> None:
        url = r.request.url
        visit.asked.append(url)
        if url.startswith((server.base + "/", "data:", "blob:")):
            r.continue_()
        else:
            visit.blocked.append(url)
            r.abort()

    context.route("**/*", route)
    page.on("pageerror", lambda e: visit.errors.append(str(e)))
    yield visit
    context.close()
    assert not visit.blocked, f"the page asked other hosts: {visit.blocked}"
    assert not visit.errors, f"script errors: {visit.errors}"


def test_the_rest_reference_renders_the_openapi_document_offline(
        offline: Offline, server: Server) -> None:
    page = offline.page
    page.goto(f"{server.base}/docs")
    page.get_by_role("heading", name="Registry of administrative units").first.wait_for(
        timeout=30000)
    page.get_by_role("heading", name="The unit holding an official code on a date").wait_for()
    assert page.get_by_text("/v1/feed/stream").count() >= 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "docs-redoc.png"))
    assert any(u.endswith("/openapi.yaml") for u in offline.asked)


def test_graphiql_loads_offline_and_runs_a_query(offline: Offline, server: Server) -> None:
    page = offline.page
    page.goto(f"{server.base}/graphql", wait_until="load")
    page.locator(".graphiql-execute-button").wait_for(timeout=30000)
    page.locator(".graphiql-execute-button").click()
    result = page.locator(".graphiql-response")
    result.get_by_text("Phường Đoàn Kết").wait_for(timeout=30000)
    assert '"code": "03388"' in result.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "graphiql.png"))
