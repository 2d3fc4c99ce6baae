"""GraphQL against the real application: the same answers as REST, bounded reads, limits."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api, start

CODE_QUERY = """
query ($at: Date!) { unit(code: "03388", level: "commune", at: $at) {
  id name code validFrom validTo parent { code name } } }
"""


def gql(api: Api, query: str, **variables: Any) -> dict[str, Any]:
    response = api.client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    return response.json()


def test_graphql_agrees_with_rest_about_code_03388(api: Api) -> None:
    for at in ("2025-06-30", "2025-07-01"):
        unit = gql(api, CODE_QUERY, at=at)["data"]["unit"]
        rest = api.client.get("/v1/codes/03388", params={"at": at}).json()
        assert (unit["id"], unit["name"], unit["validFrom"]) == (
            rest["id"], rest["name"], rest["valid_from"])
    assert gql(api, CODE_QUERY, at="2025-06-30")["data"]["unit"]["name"] == "Phường Quyết Tiến"
    after = gql(api, CODE_QUERY, at="2025-07-01")["data"]["unit"]
    assert after["name"] == "Phường Đoàn Kết"
    assert after["parent"]["code"] == "12"  # no district level any more


def province_of_150_units() -> dict[str, Any]:
    """A baseline act: one province, 9 districts, 140 communes (150 units)."""
    units: list[dict[str, Any]] = [{"key": "p", "name": "Tỉnh Thử Nghiệm", "type": "tỉnh",
                                    "level": "province", "code": "98"}]
    for d in range(9):
        units.append({"key": f"d{d}", "name": f"Huyện Số {d}", "type": "huyện",
                      "level": "district", "code": f"9{d:02d}", "parent": {"key": "p"}})
    for c in range(140):
        units.append({"name": f"Xã Số {c}", "type": "xã", "level": "commune",
                      "code": f"98{c:03d}", "parent": {"key": f"d{c % 9}"}})
    return {"act": {"kind": "baseline", "effective": "2020-01-01", "verified": False,
                    "title": "a test province"}, "changes": [{"register": {"units": units}}]}


def test_a_province_tree_of_150_units_costs_a_bounded_number_of_reads(
        fresh_copy: str) -> None:
    for api in start(fresh_copy):
        api.registry.record(province_of_150_units(), "test")
        query = """query { unit(code: "98", at: "2024-01-01") { name
          children { id name parent { id } ancestors { id }
            children { id name parent { id name } ancestors { id } } } } }"""
        api.reader.calls.clear()
        data = gql(api, query)
        assert "errors" not in data, data["errors"]

        def count(node: dict[str, Any]) -> int:
            return 1 + sum(count(c) for c in node.get("children") or [])

        assert count(data["data"]["unit"]) == 150
        assert sum(api.reader.calls.values()) <= 2, api.reader.calls  # by_code, snapshot


def test_lineage_history_and_the_act_behind_them(api: Api) -> None:
    query = """query { unit(code: "03388", at: "2025-07-01") {
      predecessors { unit { name } edge change on clause act { number kind title } }
      history { began versions { name validFrom } events { kind act { number } } } } }"""
    unit = gql(api, query)["data"]["unit"]
    assert "Phường Quyết Tiến" in {s["unit"]["name"] for s in unit["predecessors"]}
    assert {s["act"]["number"] for s in unit["predecessors"]} == {"1670/NQ-UBTVQH15"}
    assert unit["history"]["began"] == "2025-07-01"
    assert unit["history"]["events"][0]["act"]["number"] == "1670/NQ-UBTVQH15"


def test_successors_of_a_commune_that_ended(api: Api) -> None:
    query = """query { unit(code: "03388", at: "2025-06-30") {
      name successors(depth: 0) { unit { name at } edge } } }"""
    unit = gql(api, query)["data"]["unit"]
    assert {s["unit"]["name"] for s in unit["successors"]} == {"Phường Đoàn Kết"}


def test_units_changes_and_acts_are_paged(api: Api) -> None:
    first = gql(api, """{ units(filter: {level: "commune"}, at: "2025-07-01", first: 30) {
      items { code } next } }""")["data"]["units"]
    rest = gql(api, """query ($after: String) { units(filter: {level: "commune"},
      at: "2025-07-01", first: 30, after: $after) { items { code } next } }""",
               after=first["next"])["data"]["units"]
    assert len(first["items"]) + len(rest["items"]) == 38 and rest["next"] is None
    changes = gql(api, """{ changes(from: "2025-07-01", to: "2025-07-01", first: 3) {
      items { on kind unit { name } act { number } } next } }""")["data"]["changes"]
    assert len(changes["items"]) == 3 and changes["next"]
    acts = gql(api, "{ acts { items { id number actor recordedAt } } }")["data"]["acts"]["items"]
    one = gql(api, "query ($id: ID!) { act(id: $id) { number document } }", id=acts[0]["id"])
    assert "changes" in one["data"]["act"]["document"]


def test_errors_carry_the_codes_of_the_problem_table(api: Api) -> None:
    missing = gql(api, '{ unit(code: "99999", at: "2025-07-01") { id } }')
    assert missing["data"]["unit"] is None
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    bad = gql(api, '{ unit(id: "not-a-uuid") { id } }')
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert bad["errors"][0]["extensions"]["field"] == "id"


def test_too_deep_too_long_or_too_many_aliases_is_refused_before_any_read(api: Api) -> None:
    deep = "{ unit(code: \"12\") { " + "children { " * 12 + "id" + " }" * 12 + " } }"
    api.reader.calls.clear()
    body = gql(api, deep)
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]
    aliases = "{ " + " ".join(f'a{i}: unit(code: "12") {{ id }}' for i in range(40)) + " }"
    assert "aliases" in gql(api, aliases)["errors"][0]["message"]
    long = "{ " + " ".join(f'unit(code: "{i}") {{ id name code }}' for i in range(400)) + " }"
    assert "token" in gql(api, long)["errors"][0]["message"].lower()
    assert not api.reader.calls


def test_graphiql_is_served_to_a_browser(api: Api) -> None:
    page = api.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
