"""Plans over REST and GraphQL on both backends: the answers keep the OpenAPI schemas, a plan is
found by id, number (slashes and all) or title, an unknown one is a 404 problem, and GraphQL
agrees with REST."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema
import pytest
import yaml

from registry import bootstrap
from tests.api.conftest import Api, start
from tests.readmodels.test_plans import BASE, MERGE, PLAN, REPORT, Clock

OPENAPI = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi" / "openapi.yaml")
                         .read_text())


def valid(body: Any, schema: str) -> None:
    jsonschema.Draft202012Validator(
        {"$ref": f"#/components/schemas/{schema}", "components": OPENAPI["components"]}
    ).validate(body)


@pytest.fixture
def plans_api(database_url: str) -> Iterator[Api]:
    registry = bootstrap.build(database_url, Clock())
    for document in (BASE, PLAN, MERGE, REPORT):
        registry.record(document, "test")
    registry.log.close()
    yield from start(database_url)


def test_rest_answers_a_plan_on_a_date(plans_api: Api) -> None:
    client = plans_api.client
    for ref in ("12/KH-UBND", quote("12/KH-UBND", safe=""), "Kế hoạch sắp xếp đơn vị hành chính"):
        r = client.get(f"/v1/plans/{ref}?at=2025-08-01")
        assert r.status_code == 200, (ref, r.text)
        body = r.json()
        valid(body, "Plan")
        assert body["act"]["number"] == "12/KH-UBND"
    items = {i["id"]: i for i in body["items"]}
    assert items["2.2(1)"]["status"] == "done"
    assert [a["number"] for a in items["2.2(1)"]["acts"]] == ["20/NQ"]
    assert items["2.2(2)"]["overdue"] is True and items["2.3"]["status"] == "dropped"
    by_id = client.get(f"/v1/plans/{body['act']['id']}?at=2025-08-01")
    assert by_id.json() == body
    early = client.get("/v1/plans/12/KH-UBND?at=2025-06-01").json()
    assert {i["id"]: i["status"] for i in early["items"]}["2.2(1)"] == "planned"

    page = client.get("/v1/plans?at=2025-08-01")
    assert page.status_code == 200
    valid(page.json(), "PlanPage")
    assert [p["act"]["number"] for p in page.json()["items"]] == ["12/KH-UBND"]


def test_an_unknown_plan_is_a_404_problem(plans_api: Api) -> None:
    for ref in ("404/KH", "20/NQ", "00000000-0000-0000-0000-000000000000"):
        r = plans_api.client.get(f"/v1/plans/{ref}")
        assert r.status_code == 404, ref
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["type"] == "urn:registry:problem:not-found"
    r = plans_api.client.get("/v1/plans/12%2FKH-UBND?at=2025-13-01")
    assert r.status_code == 422 and r.json()["field"] == "at"
    assert plans_api.client.get("/v1/plans?nope=1").status_code == 422


QUERY = """query($id: String!, $at: Date) {
  plan(id: $id, at: $at) {
    act { id number kind title }
    at
    counts { planned inProgress done dropped overdue }
    items { id title deadline status since overdue lead { id name } coordinating { name }
            acts { number effective } change history { status since act { number } } }
  }
  plans(at: $at) { items { act { number } items counts { done } } next }
}"""


def test_graphql_agrees_with_rest(plans_api: Api) -> None:
    rest = plans_api.client.get("/v1/plans/12/KH-UBND?at=2025-08-01").json()
    r = plans_api.client.post("/graphql", json={"query": QUERY, "variables": {
        "id": "12/KH-UBND", "at": "2025-08-01"}})
    assert r.status_code == 200 and "errors" not in r.json(), r.text
    plan = r.json()["data"]["plan"]
    assert plan["act"]["number"] == rest["act"]["number"]
    assert plan["counts"]["inProgress"] == rest["counts"]["in_progress"]
    assert plan["counts"]["overdue"] == rest["counts"]["overdue"] == 1
    for g, i in zip(plan["items"], rest["items"], strict=True):
        assert (g["id"], g["status"], g["overdue"], g["deadline"]) == (
            i["id"], i["status"], i["overdue"], i["deadline"])
        assert [a["number"] for a in g["acts"]] == [a["number"] for a in i["acts"]]
        assert g["change"] == i["change"]
        assert (g["lead"] or {}).get("name") == (i["lead"] or {}).get("name")
    assert r.json()["data"]["plans"]["items"][0]["counts"]["done"] == 2
    missing = plans_api.client.post("/graphql", json={
        "query": '{ plan(id: "404/KH") { at } }'}).json()
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_plan_events_are_in_the_feed_but_never_among_the_changes(plans_api: Api) -> None:
    feed = plans_api.client.get("/v1/feed?after=0&limit=1000").json()
    valid(feed, "FeedPage")
    kinds = [i["type"] for i in feed["items"]]
    assert kinds.count("plan_item") == 4 and kinds.count("plan_status") == 3
    item = next(i for i in feed["items"] if i["type"] == "plan_item")
    assert item["data"]["item"] == "2.2(1)" and item["data"]["change"]["merge"]
    changes = plans_api.client.get("/v1/changes?from=2025-01-02&to=2025-12-31&limit=1000")
    assert changes.status_code == 200
    assert {c["kind"] for c in changes.json()["items"]} <= {
        "began", "ended", "derived", "reassigned", "renamed"}
    assert all(c["on"] == "2025-07-01" for c in changes.json()["items"])
