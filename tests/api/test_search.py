"""Search by name over REST and GraphQL: no accents needed, historical names with their dates."""

from __future__ import annotations

from tests.api.conftest import Api
from tests.api.test_graphql import gql


def test_doan_ket_without_accents_finds_the_old_and_the_new_ward_with_their_dates(api: Api) -> None:
    response = api.client.get("/v1/search", params={"q": "doan ket"})
    assert response.status_code == 200, response.text
    hits = [(h["unit"]["code"], h["name"], h["valid_from"], h["valid_to"])
            for h in response.json()["items"]]
    assert ("03388", "Phường Đoàn Kết", "2025-07-01", None) in hits
    assert ("03389", "Phường Đoàn Kết", "2025-01-04", "2025-07-01") in hits


def test_search_on_a_date_keeps_only_names_carried_then(api: Api) -> None:
    hits = api.client.get("/v1/search", params={"q": "doan ket", "at": "2025-06-30"}).json()
    assert [h["unit"]["code"] for h in hits["items"]] == ["03389"]


def test_graphql_search_agrees_with_rest(api: Api) -> None:
    data = gql(api, 'query { search(text: "lai chau", first: 3) { name validTo unit { code level } } }')
    assert "errors" not in data, data
    first = data["data"]["search"][0]
    assert first == {"name": "Tỉnh Lai Châu", "validTo": None,
                     "unit": {"code": "12", "level": "province"}}


def test_search_needs_text(api: Api) -> None:
    response = api.client.get("/v1/search")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "q" in response.json()["detail"] or response.json().get("field") == "q"


def test_graphql_search_filters_by_level_and_within_and_names_the_superiors(api: Api) -> None:
    rest = api.client.get("/v1/search", params={"q": "tam duong", "at": "2025-06-30",
                                                "level": "commune", "within": "12"}).json()
    data = gql(api, 'query { search(text: "tam duong", at: "2025-06-30", level: "commune", '
                    'within: "12") { name label unit { code level } superiors { code level } } }')
    assert "errors" not in data, data
    hits = data["data"]["search"]
    assert hits and all(h["unit"]["level"] == "commune" for h in hits)
    assert [h["label"] for h in hits] == [h["label"] for h in rest["items"]]
    for h in hits:
        assert h["superiors"][-1] == {"code": "12", "level": "province"}
        assert h["label"].startswith(h["name"] + " · ")
    outside = gql(api, 'query { search(text: "tam duong", within: "99") { name } }')
    assert outside["errors"][0]["extensions"]["code"] in ("NOT_FOUND", "BAD_USER_INPUT")
