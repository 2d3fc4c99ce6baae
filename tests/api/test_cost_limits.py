"""Bounded cost: what would be too expensive is a problem answer at once, never a slow one.

GraphQL queries are priced before anything is read (lists multiplied through nesting, aliases
added up, variables included); answers over the size cap become one error; a search matching too
many names is refused; a page of changes reads about a page of the change list.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from graphql import parse

from registry.api.graphql.cost import MAX_COST, operation_cost
from registry.api.graphql.schema import schema
from registry.application import reading
from registry.settings import Settings
from tests.api.conftest import Api, start
from tests.api.test_graphql import gql

# The query of issue 9: 72 MB in 2 s on the national data; with 5 aliases, 359 MB.
ISSUE_QUERY = """{ units(filter: {level: "commune"}, at: "2025-06-30", first: 1000) {
  items { history { events { act { document } } } } } }"""


def cost(query: str, **variables: Any) -> int | None:
    return operation_cost(schema._schema, parse(query), None, variables)


def assert_too_costly(body: dict[str, Any]) -> dict[str, Any]:
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "TOO_COSTLY"
    assert error["extensions"]["type"] == "urn:registry:problem:too-costly"
    return dict(error["extensions"])


def test_the_issues_query_and_its_aliases_are_refused_before_any_read(api: Api) -> None:
    api.reader.calls.clear()
    refused = assert_too_costly(gql(api, ISSUE_QUERY))
    assert refused["limit"] == MAX_COST and refused["cost"] > 1000 * 10 * 1000
    aliased = "{ " + " ".join(f"a{i}: " + ISSUE_QUERY.strip()[1:-1] for i in range(5)) + " }"
    assert assert_too_costly(gql(api, aliased))["cost"] > 5 * refused["cost"] - 5
    assert not api.reader.calls


def test_variables_are_priced_as_sent(api: Api) -> None:
    query = """query ($n: Int!) { units(filter: {level: "commune"}, at: "2025-06-30", first: $n)
      { items { history { events { act { document } } } } } }"""
    api.reader.calls.clear()
    assert_too_costly(gql(api, query, n=1000))
    assert not api.reader.calls
    small = gql(api, query, n=2)
    assert "errors" not in small, small
    assert len(small["data"]["units"]["items"]) == 2


def test_lists_multiply_through_nesting_fragments_and_pages() -> None:
    flat = cost('{ units(first: 1000) { items { code name } } }')
    assert flat == 1 + 1000 * (1 + 2)
    assert cost('query { units(first: 1000) { ...u } } fragment u on UnitPage { items { code name } }'
                ) == flat
    assert cost('{ units(first: 1000) { items { ... on Unit { code name } } } }') == flat
    nested = cost('{ unit(code: "12") { children { children { code } } } }')
    assert nested == 1 + 1 + 50 * (1 + 50)  # unit, children, then 50 × (children + 50 codes)
    assert cost('{ units(first: 10) { items { code } } }') * 10 < flat
    assert cost('{ act(id: "00000000-0000-0000-0000-000000000000") { document } }') == 1 + 1000
    assert cost("{ __schema { types { name } } }") is not None  # GraphiQL's introspection passes


def test_a_province_tree_and_a_page_of_units_are_well_within_the_limit(api: Api) -> None:
    tree = """{ unit(code: "12", at: "2025-06-30") { name
      children { id name parent { id } ancestors { id } children { id name } } } }"""
    assert cost(tree) < MAX_COST / 2
    body = gql(api, tree)
    assert "errors" not in body and len(body["data"]["unit"]["children"]) == 8


def test_an_answer_over_the_size_cap_is_one_error(fresh_copy: str) -> None:
    for small in start(fresh_copy, Settings(database_url=fresh_copy, max_response_bytes=4000)):
        query = '{ units(filter: {level: "commune"}, at: "2025-06-30", first: 200) { items { id name code } } }'
        body = small.client.post("/graphql", json={"query": query}).json()
        refused = assert_too_costly(body)
        assert refused["limit"] == 4000 and refused["cost"] > 4000
        assert "bytes" in body["errors"][0]["message"]
        few = small.client.post("/graphql", json={"query": query.replace("200", "3")}).json()
        assert "errors" not in few


def test_a_search_matching_too_many_names_is_a_problem_naming_the_parameter(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Searching current knowledge walks a structure ranked once (bounded by ``limit``); a
    search "as known at" a past moment ranks every matching name, so it is bounded."""
    matching = len(api.client.get("/v1/search", params={"q": "a", "limit": 100}).json()["items"])
    assert matching == 100  # Lai Châu alone has more than 100 names with an "a"
    monkeypatch.setattr(reading, "MAX_SEARCH_NAMES", 50)
    assert api.client.get("/v1/search", params={"q": "a"}).status_code == 200
    known_at = "2100-01-01T00:00:00Z"
    response = api.client.get("/v1/search", params={"q": "a", "known_at": known_at})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:registry:problem:too-costly"
    assert problem["field"] == "q" and problem["limit"] == 50 and problem["cost"] > 100
    assert api.client.get("/v1/search", params={"q": "doan ket",
                                                "known_at": known_at}).status_code == 200
    assert_too_costly(gql(api, f'{{ search(text: "a", knownAt: "{known_at}") {{ name }} }}'))


class CountingRows:
    """The reader's source, counting the change-list rows each page of changes reads."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.rows = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.source, name)

    def facts_between(self, *args: Any, **kwargs: Any) -> Any:
        rows = self.source.facts_between(*args, **kwargs)
        self.rows += len(rows)
        return rows


def test_a_page_of_changes_reads_a_page_whatever_the_range(api: Api) -> None:
    reader = api.reader.reader
    counting = CountingRows(reader.source)
    reader.source = counting
    try:
        everything = reader.changes(date(1900, 1, 1), date(2100, 1, 1), limit=1000)
        assert everything.next is None and len(everything.items) > 300
        assert counting.rows >= len(everything.items)
        counting.rows = 0
        first = reader.changes(date(1900, 1, 1), date(2100, 1, 1), limit=10)
        assert counting.rows <= reading.FACTS_READ
        pages, cursor = list(first.items), first.next
        while cursor:
            page = reader.changes(date(1900, 1, 1), date(2100, 1, 1), limit=7, cursor=cursor)
            pages += page.items
            cursor = page.next
        assert [c.as_dict() for c in pages] == [c.as_dict() for c in everything.items]
    finally:
        reader.source = counting.source
    rest = api.client.get("/v1/changes", params={"from": "1900-01-01", "to": "2100-01-01",
                                                 "limit": "5"})
    assert rest.status_code == 200 and len(rest.json()["items"]) == 5
