"""Typed relations over HTTP and the command line, on both backends: REST's `relation` parameter
and a unit's `superiors`, GraphQL's `relation` arguments and `superior(s)`, `registry tree
--relation` and `show`; a refused act over HTTP stores nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from registry import bootstrap
from registry.cli import main
from tests.api.conftest import Api, start
from tests.relations_data import AFTER, BAD, BASELINE, BEFORE, MOVE


@pytest.fixture
def rel_api(database_url: str) -> Iterator[Api]:
    registry = bootstrap.build(database_url)
    registry.record(BASELINE, "test")
    registry.record(MOVE, "test")
    registry.log.close()
    yield from start(database_url)


def _get(api: Api, path: str, **params: str) -> Any:
    response = api.client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _id(api: Api, code: str, on: str = BEFORE) -> str:
    return _get(api, f"/v1/codes/{code}", at=on)["id"]


def gql(api: Api, query: str, **variables: Any) -> dict[str, Any]:
    response = api.client.post("/graphql", json={"query": query, "variables": variables})
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]


def test_rest_children_by_relation(rel_api: Api) -> None:
    dub, ub = _id(rel_api, "DUB9"), _id(rel_api, "UB9")
    codes = lambda page: [u["code"] for u in page["items"]]
    assert codes(_get(rel_api, f"/v1/units/{dub}/children", at=BEFORE, relation="party")) == [
        "SNV9", "UB9"]
    assert codes(_get(rel_api, f"/v1/units/{dub}/children", at=AFTER, relation="party")) == [
        "UB9"]
    assert codes(_get(rel_api, f"/v1/units/{ub}/children", at=AFTER,
                      relation="administrative")) == ["SNV9"]
    assert codes(_get(rel_api, f"/v1/units/{ub}/children", at=AFTER)) == ["SNV9"]
    assert codes(_get(rel_api, "/v1/units", at=BEFORE, parent=dub, relation="party")) == [
        "SNV9", "UB9"]
    bad = rel_api.client.get(f"/v1/units/{dub}/children", params={"relation": "kin"})
    assert bad.status_code == 422 and "relation" in bad.text


def test_rest_unit_names_its_superiors_and_ancestors_follow_a_relation(rel_api: Api) -> None:
    snv = _id(rel_api, "SNV9")
    unit = _get(rel_api, f"/v1/units/{snv}", at=AFTER)
    assert unit["party_id"] == _id(rel_api, "DCQ9")
    assert [(s["relation"], s["code"]) for s in unit["superiors"]] == [
        ("administrative", "UB9"), ("party", "DCQ9")]
    chain = _get(rel_api, f"/v1/units/{snv}/ancestors", at=BEFORE, relation="party")
    assert [u["code"] for u in chain["items"]] == ["DUB9", "TU9"]
    chain = _get(rel_api, f"/v1/units/{snv}/ancestors", at=BEFORE)
    assert [u["code"] for u in chain["items"]] == ["UB9"]


def test_graphql_relations(rel_api: Api) -> None:
    data = gql(rel_api, """query($at: Date) {
      unit(code: "TU9", at: $at) {
        children(relation: PARTY) { code children(relation: PARTY) { code partyId } }
      }
      dept: unit(code: "SNV9", at: $at) {
        superiors { relation unit { code } }
        party: superior(relation: PARTY) { code }
        territory: superior(relation: TERRITORY) { code }
        ancestors(relation: PARTY) { code }
        own: ancestors { code }
      }
    }""", at=AFTER)
    tree = {c["code"]: [g["code"] for g in c["children"]] for c in data["unit"]["children"]}
    assert tree == {"DCQ9": ["SNV9"], "DUB9": ["UB9"]}
    dept = data["dept"]
    assert [(s["relation"], s["unit"]["code"]) for s in dept["superiors"]] == [
        ("ADMINISTRATIVE", "UB9"), ("PARTY", "DCQ9")]
    assert dept["party"] == {"code": "DCQ9"} and dept["territory"] is None
    assert [u["code"] for u in dept["ancestors"]] == ["DCQ9", "TU9"]
    assert [u["code"] for u in dept["own"]] == ["UB9"]
    before = gql(rel_api, """{ unit(code: "SNV9", at: "2025-06-30") {
      superior(relation: PARTY) { code } } }""")
    assert before["unit"]["superior"] == {"code": "DUB9"}


def test_recording_a_bad_party_relation_over_http_stores_nothing(rel_api: Api) -> None:
    token = rel_api.token("recorder")
    before = rel_api.registry.log.last_id()
    response = rel_api.client.post("/v1/acts", json=BAD,
                                   headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (409, 422), response.text
    assert "NotAPartyOrganisation" in response.text
    assert rel_api.registry.log.last_id() == before


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_tree_by_relation_and_show(rel_api: Api, capsys: pytest.CaptureFixture[str]) -> None:
    db = rel_api.url
    code, out, _ = run(capsys, "tree", "TU9", "--at", AFTER, "--relation", "party", "--json",
                       "--database", db)
    assert code == 0
    tree = json.loads(out)
    assert {c["code"]: [g["code"] for g in c["children"]] for c in tree["children"]} == {
        "DCQ9": ["SNV9"], "DUB9": ["UB9"]}
    code, out, _ = run(capsys, "tree", "TU9", "--at", BEFORE, "--relation", "party",
                       "--database", db)
    assert code == 0
    assert out.splitlines() == [
        "Tỉnh ủy Thử (TU9)  [2]",
        "  Đảng bộ các cơ quan Đảng tỉnh Thử (DCQ9)",
        "  Đảng bộ Ủy ban nhân dân tỉnh Thử (DUB9)  [2]",
        "    Sở Nội vụ tỉnh Thử (SNV9)",
        "    Ủy ban nhân dân tỉnh Thử (UB9)"]
    code, out, _ = run(capsys, "tree", "UB9", "--at", AFTER, "--relation", "administrative",
                       "--json", "--database", db)
    assert code == 0 and [c["code"] for c in json.loads(out)["children"]] == ["SNV9"]
    code, out, _ = run(capsys, "show", "SNV9", "--at", AFTER, "--database", db)
    assert code == 0
    assert "    administrative Ủy ban nhân dân tỉnh Thử (UB9)" in out
    assert "    party          Đảng bộ các cơ quan Đảng tỉnh Thử (DCQ9)" in out
    code, out, _ = run(capsys, "show", "SNV9", "--at", AFTER, "--json", "--database", db)
    assert [s["relation"] for s in json.loads(out)["superiors"]] == ["administrative", "party"]
    with pytest.raises(SystemExit) as refused:
        run(capsys, "tree", "TU9", "--relation", "kin", "--database", db)
    assert refused.value.code == 2 and "--relation" in capsys.readouterr().err
