"""Staffing and function holders over REST and GraphQL, against the real app on both backends.

Every figure is MADE UP for the test (tests/readmodels/test_staffing_functions.py's data)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from registry import bootstrap
from tests.api.conftest import Api, start
from tests.readmodels.test_staffing_functions import (
    AFTER,
    BASELINE,
    FIGURES,
    REFORM,
    RELIGION,
    TARGET,
    act,
    dept,
    named,
)

ASSIGN = act("2020-01-01", {"assign_function": {"unit": named("Sở Nội vụ"),
                                               "function": RELIGION}}, number="ASSIGN")


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    registry = bootstrap.build(database_url)
    for doc in (BASELINE, FIGURES, TARGET, ASSIGN):
        registry.record(doc, "test")
    # the religion function goes to the new department on the day of the reform
    reform = {**REFORM, "changes": [*REFORM["changes"],
                                    {"establish": {"unit": dept("DT", "Sở Dân tộc và Tôn giáo")}},
                                    {"transfer_function": {"function": RELIGION,
                                                           "from": named("Sở Nội vụ"),
                                                           "to": {"key": "DT"}}}]}
    registry.record(reform, "test")
    registry.record(AFTER, "test")
    registry.log.close()
    yield from start(database_url)


def p1(api: Api) -> str:
    r = api.client.get("/v1/codes/P1", params={"at": "2025-07-01"})
    assert r.status_code == 200, r.text
    return str(r.json()["id"])


def test_rest_staffing_report(api: Api) -> None:
    unit = p1(api)
    r = api.client.get(f"/v1/units/{unit}/staffing",
                       params={"from": "2024-12-31", "to": "2025-07-01"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["totals"]["from"] == 210 and body["totals"]["to"] == 155
    assert {t["status"] for t in body["targets"]} == {"met", "not_measurable"}
    nv = next(ln for ln in body["lines"] if ln["unit"]["name"] == "Sở Nội vụ")
    assert nv["from"] == 80
    r = api.client.get(f"/v1/units/{unit}/staffing",
                       params={"from": "2024-12-31", "to": "2025-07-01", "measure": "in_post"})
    assert r.status_code == 200 and r.json()["lines"] == []
    r = api.client.get(f"/v1/units/{unit}/staffing", params={"from": "2024-12-31"})
    assert r.status_code == 422
    r = api.client.get(f"/v1/units/{unit}/staffing",
                       params={"from": "2025-07-01", "to": "2024-12-31"})
    assert r.status_code == 200 and r.json()["totals"] == body["totals"]
    r = api.client.get("/v1/units/00000000-0000-0000-0000-000000000000/staffing",
                       params={"from": "2024-12-31", "to": "2025-07-01"})
    assert r.status_code == 404


def test_rest_function_holders_before_and_after_the_transfer(api: Api) -> None:
    before = api.client.get("/v1/functions", params={"name": RELIGION, "at": "2025-02-28"})
    after = api.client.get("/v1/functions", params={"name": RELIGION.upper(),
                                                    "at": "2025-03-01"})
    assert before.status_code == 200 and after.status_code == 200
    (b,) = before.json()["items"]
    (a,) = after.json()["items"]
    assert b["name"] == "Sở Nội vụ" and b["until"] == "2025-03-01"
    assert b["act"]["number"] == "ASSIGN"
    assert a["name"] == "Sở Dân tộc và Tôn giáo" and a["since"] == "2025-03-01"
    assert a["source_id"] == b["id"] and a["act"]["number"] == "REFORM"
    r = api.client.get(f"/v1/units/{a['id']}/functions", params={"at": "2025-03-01"})
    assert [h["function"] for h in r.json()["items"]] == [RELIGION]
    r = api.client.get(f"/v1/units/{b['id']}/functions", params={"at": "2025-02-28"})
    assert [h["function"] for h in r.json()["items"]] == [RELIGION]
    assert api.client.get("/v1/functions", params={"at": "2025-03-01"}).status_code == 422


def graphql(api: Api, query: str, **variables: Any) -> dict[str, Any]:
    r = api.client.post("/graphql", json={"query": query, "variables": variables})
    assert r.status_code == 200, r.text
    body = r.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


def test_graphql_staffing_and_function_holders(api: Api) -> None:
    data = graphql(api, """query($f: String!) {
        before: functionHolders(function: $f, at: "2025-02-28") {
            unit { name functions(at: "2025-02-28") { function } } since until act { number } }
        after: functionHolders(function: $f, at: "2025-03-01") { unit { name } sourceId }
        staffing(unit: "P1", from: "2024-12-31", to: "2025-07-01")
    }""", f=RELIGION)
    assert [h["unit"]["name"] for h in data["before"]] == ["Sở Nội vụ"]
    assert data["before"][0]["unit"]["functions"] == [{"function": RELIGION}]
    assert data["before"][0]["act"] == {"number": "ASSIGN"}
    assert [h["unit"]["name"] for h in data["after"]] == ["Sở Dân tộc và Tôn giáo"]
    assert data["staffing"]["totals"]["change_percent"] == -26.19
