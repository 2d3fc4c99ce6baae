"""REST reads against the real application: units on dates, codes, lineage, pages, problems."""

from __future__ import annotations

from tests.api.conftest import Api

PROBLEM = "application/problem+json"


def by_code(api: Api, code: str, at: str) -> dict:
    response = api.client.get(f"/v1/codes/{code}", params={"at": at})
    assert response.status_code == 200, response.text
    return response.json()


def test_code_03388_is_quyet_tien_until_june_and_doan_ket_from_july(api: Api) -> None:
    before = by_code(api, "03388", "2025-06-30")
    after = by_code(api, "03388", "2025-07-01")
    assert before["name"] == "Phường Quyết Tiến"
    assert before["valid_to"] == "2025-07-01"
    assert after["name"] == "Phường Đoàn Kết"
    assert after["valid_from"] == "2025-07-01" and after["valid_to"] is None
    assert after["id"] != before["id"]
    assert any("Quyết Tiến" in w for w in after["warnings"])


def test_a_unit_carries_the_documented_fields_with_iso_dates(api: Api) -> None:
    unit = by_code(api, "03388", "2025-07-01")
    fetched = api.client.get(f"/v1/units/{unit['id']}", params={"at": "2025-07-01"}).json()
    assert set(fetched) >= {"id", "code", "name", "kind", "type", "level", "parent_id",
                            "valid_from", "valid_to"}
    assert fetched["level"] == "commune"
    province = api.client.get(f"/v1/units/{fetched['parent_id']}",
                              params={"at": "2025-07-01"}).json()
    assert province["code"] == "12" and province["parent_id"] is None


def test_units_are_paged_with_a_cursor_until_next_is_null(api: Api) -> None:
    seen: list[str] = []
    params = {"at": "2025-07-01", "level": "commune", "limit": "10"}
    while True:
        page = api.client.get("/v1/units", params=params).json()
        seen += [u["id"] for u in page["items"]]
        if page["next"] is None:
            break
        params["cursor"] = page["next"]
    assert len(seen) == len(set(seen)) == 38


def test_children_of_the_province_change_on_the_first_of_july(api: Api) -> None:
    province = by_code(api, "12", "2025-06-30")["id"]

    def levels(at: str) -> set[str]:
        page = api.client.get(f"/v1/units/{province}/children",
                              params={"at": at, "limit": "1000"}).json()
        return {u["level"] for u in page["items"]
                if u["kind"] == "administrative_unit"}

    assert levels("2025-06-30") == {"district"}
    assert levels("2025-07-01") == {"commune"}


def test_lineage_and_history_name_the_resolution_and_its_clause(api: Api) -> None:
    doan_ket = by_code(api, "03388", "2025-07-01")["id"]
    steps = api.client.get(f"/v1/units/{doan_ket}/lineage",
                           params={"direction": "predecessors"}).json()["items"]
    names = {s["unit"]["name"] for s in steps}
    assert "Phường Quyết Tiến" in names
    assert {s["act"]["number"] for s in steps} == {"1670/NQ-UBTVQH15"}
    assert all(s["clause"] for s in steps)
    history = api.client.get(f"/v1/units/{doan_ket}/history").json()
    assert history["began"] == "2025-07-01"
    assert {p["unit"]["name"] for p in history["predecessors"]} == names


def test_crosswalk_maps_an_old_commune_code_to_the_unit_of_today(api: Api) -> None:
    response = api.client.get("/v1/crosswalk", params={
        "code": "03388", "level": "commune", "from": "2025-06-30", "to": "2025-07-01"})
    assert response.status_code == 200, response.text
    targets = {i["target"]["name"] for i in response.json()["items"]}
    assert targets == {"Phường Đoàn Kết"}


def test_changes_snapshot_acts_and_feed_answer_in_their_documented_shapes(api: Api) -> None:
    changes = api.client.get("/v1/changes", params={"from": "2025-07-01", "to": "2025-07-01",
                                                    "limit": "5"}).json()
    assert len(changes["items"]) == 5 and changes["next"]
    csv = api.client.get("/v1/snapshot", params={"at": "2025-07-01", "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0] == ("type,code,name,parent_code,kind,level,valid_from,"
                                        "valid_to,id,parent_id")
    acts = api.client.get("/v1/acts").json()["items"]
    assert "1670/NQ-UBTVQH15" in {a["number"] for a in acts}
    one = api.client.get(f"/v1/acts/{acts[0]['id']}").json()
    assert "changes" in one["document"]
    feed = api.client.get("/v1/feed", params={"after": "0", "limit": "3"}).json()
    assert [i["position"] for i in feed["items"]] == sorted(i["position"] for i in feed["items"])
    resumed = api.client.get("/v1/feed", params={"after": str(feed["next"]), "limit": "3"}).json()
    assert resumed["items"][0]["position"] > feed["next"]


def test_a_past_date_carries_an_etag_and_a_matching_if_none_match_gets_304(api: Api) -> None:
    first = api.client.get("/v1/codes/03388", params={"at": "2025-06-30"})
    tag = first.headers["etag"]
    again = api.client.get("/v1/codes/03388", params={"at": "2025-06-30"},
                           headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.headers["etag"] == tag
    other = api.client.get("/v1/codes/03388", params={"at": "2025-07-01"})
    assert other.headers["etag"] != tag


def test_known_at_or_a_future_date_gets_no_etag(api: Api) -> None:
    known = api.client.get("/v1/codes/03388", params={"at": "2025-06-30",
                                                      "known_at": "2030-01-01T00:00:00Z"})
    future = api.client.get("/v1/codes/03388", params={"at": "2999-01-01"})
    assert known.status_code == 200 and "etag" not in known.headers
    assert future.status_code == 200 and "etag" not in future.headers


def test_an_unknown_parameter_is_refused_naming_it(api: Api) -> None:
    response = api.client.get("/v1/units", params={"at": "2025-07-01", "colour": "red"})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["field"] == "colour"


def test_a_malformed_date_is_refused_naming_the_field(api: Api) -> None:
    response = api.client.get("/v1/codes/03388", params={"at": "2025-02-30"})
    body = response.json()
    assert response.status_code == 422 and body["field"] == "at"
    assert body["type"].endswith(":invalid-input")


def test_an_unknown_unit_is_a_not_found_problem(api: Api) -> None:
    response = api.client.get("/v1/units/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response.json()["type"].endswith(":not-found")


def test_a_malformed_cursor_is_a_problem_not_a_crash(api: Api) -> None:
    response = api.client.get("/v1/units", params={"cursor": "%%%not-a-cursor"})
    assert response.status_code == 422 and response.json()["field"] == "cursor"


def test_a_wrong_method_gets_405_with_every_allowed_method(api: Api) -> None:
    response = api.client.delete("/v1/acts")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}
    assert response.headers["content-type"] == PROBLEM
    assert set(api.client.post("/v1/units").headers["allow"].split(", ")) == {"GET", "HEAD"}


def test_health_readiness_and_the_constant_endpoint(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    ready = api.client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["position"] > 0
    assert api.client.get("/v1/ping").json() == {"pong": True}


def test_a_code_lists_every_unit_that_held_it_with_dates(api: Api) -> None:
    after = by_code(api, "03388", "2025-07-01")
    assert [(m["name"], m["valid_from"], m["valid_to"]) for m in after["meanings"]] == [
        ("Phường Quyết Tiến", "2025-01-04", "2025-07-01"),
        ("Phường Đoàn Kết", "2025-07-01", None)]
    assert after["meanings"][1]["id"] == after["id"]
    assert after["warnings"] == [(f"code 03388 meant Phường Quyết Tiến "
                                 f"({after['meanings'][0]['id']}) from 2025-01-04 to 2025-06-30")]
