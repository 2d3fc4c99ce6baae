"""Recording acts over HTTP: bearer tokens with the recorder role, idempotency, refusals.

Runs on SQLite and on PostgreSQL (``database_url``): what is stored is checked in the database.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from registry.adapters.tokens import api_tokens
from registry.settings import Settings
from tests.api.conftest import Api, start

RENAME: dict[str, Any] = {
    "act": {"number": None, "kind": "decision", "issuer": "Ủy ban nhân dân tỉnh Lai Châu",
            "effective": "2026-01-01", "title": "a test renaming", "verified": False},
    "changes": [{"clause": "Điều 1", "rename": {"unit": {"code": "03388", "level": "commune"},
                                                 "name": "Phường Đoàn Kết Mới"}}],
}


def stored(api: Api) -> tuple[int, int]:
    """The event log's position and the number of acts: what a refused write must not move."""
    return api.registry.log.last_id(), len(api.client.get("/v1/acts",
                                                          params={"limit": "1000"}).json()["items"])


def post(api: Api, token: str | None, key: str | None = None, body: Any = RENAME) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if key:
        headers["Idempotency-Key"] = key
    return api.client.post("/v1/acts", json=body, headers=headers)


def test_without_a_token_is_401_and_nothing_is_stored(writable_api: Api) -> None:
    before = stored(writable_api)
    response = post(writable_api, None)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["type"].endswith(":unauthorized")
    assert post(writable_api, "rgt_not-a-token").status_code == 401
    assert stored(writable_api) == before


def test_a_revoked_token_is_403_an_expired_one_401_and_nothing_is_stored(
        writable_api: Api) -> None:
    recorder = writable_api.token("bob")
    writable_api.tokens.revoke("bob", datetime.now(UTC))
    long_ago = datetime.now(UTC) - timedelta(days=100)
    expired = writable_api.tokens.create("dave", long_ago, long_ago + timedelta(days=90))[1]
    legacy = writable_api.token("reporter")
    with writable_api.tokens.engine.begin() as conn:  # a reader token made before 0003
        conn.execute(api_tokens.update().where(api_tokens.c.name == "reporter")
                     .values(role="reader"))
    before = stored(writable_api)
    for token, status, kind, says in ((recorder, 403, "forbidden", "'bob#1' was revoked"),
                                      (legacy, 403, "forbidden", "grants nothing"),
                                      (expired, 401, "unauthorized", "'dave#2' expired at")):
        response = post(writable_api, token, key="k-1")
        assert response.status_code == status, response.text
        assert response.json()["type"].endswith(f":{kind}")
        assert says in response.json()["detail"]
    assert stored(writable_api) == before


def test_a_recorder_token_records_once_under_one_idempotency_key(writable_api: Api) -> None:
    token = writable_api.token("alice")
    position, acts = stored(writable_api)
    first = post(writable_api, token, key="rename-2026-01")
    assert first.status_code == 201, first.text
    after_first = stored(writable_api)
    again = post(writable_api, token, key="rename-2026-01")
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["act_id"] == first.json()["act_id"]
    assert stored(writable_api) == after_first
    assert after_first[0] > position and after_first[1] == acts + 1

    act = writable_api.client.get(first.headers["location"]).json()
    assert act["actor"] == "token:alice#1"
    renamed = writable_api.client.get("/v1/codes/03388", params={"at": "2026-01-01"}).json()
    assert renamed["name"] == "Phường Đoàn Kết Mới"
    events = writable_api.client.get(f"/v1/units/{renamed['id']}/history").json()["events"]
    assert events[-1]["actor"] == "token:alice#1" and events[-1]["kind"] == "renamed"


def test_the_same_key_for_another_act_is_refused(writable_api: Api) -> None:
    token = writable_api.token("alice")
    assert post(writable_api, token, key="k").status_code == 201
    other = {**RENAME, "changes": [{"rename": {"unit": {"code": "03388", "level": "commune"},
                                               "name": "Phường Khác"}}]}
    before = stored(writable_api)
    response = post(writable_api, token, key="k", body=other)
    assert response.status_code == 422
    assert response.json()["type"].endswith(":idempotency-key-reused")
    assert stored(writable_api) == before


def test_graphql_record_act_needs_the_recorder_role_and_names_the_holder(
        writable_api: Api) -> None:
    mutation = """mutation ($doc: JSON!) { recordAct(document: $doc, idempotencyKey: "g-1") {
      actId created events } }"""
    body = {"query": mutation, "variables": {"doc": RENAME}}
    anonymous = writable_api.client.post("/graphql", json=body).json()
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    revoked = writable_api.token("reporter")
    writable_api.tokens.revoke("reporter", datetime.now(UTC))
    refused = writable_api.client.post("/graphql", json=body,
                                       headers={"Authorization": f"Bearer {revoked}"}).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    token = writable_api.token("carol")
    auth = {"Authorization": f"Bearer {token}"}
    first = writable_api.client.post("/graphql", json=body, headers=auth).json()
    second = writable_api.client.post("/graphql", json=body, headers=auth).json()
    assert first["data"]["recordAct"]["created"] is True
    assert second["data"]["recordAct"] == {**first["data"]["recordAct"], "created": False,
                                           "events": 0}
    act = writable_api.client.get(f"/v1/acts/{first['data']['recordAct']['actId']}").json()
    assert act["actor"] == "token:carol#2"


@pytest.mark.parametrize("field, change", [
    ("act.effective", {"act": {**RENAME["act"], "effective": "2026-02-30"}}),
    ("act.colour", {"act": {**RENAME["act"], "colour": "red"}}),
    ("act.effective_stand_in", {"act": {**RENAME["act"], "effective_stand_in": "yes"}}),
    ("act.effective_stand_in", {"act": {**RENAME["act"], "effective_stand_in": True,
                                        "verified": True}}),
])
def test_malformed_dates_and_unknown_fields_are_refused_naming_the_field(
        fresh_copy: str, field: str, change: dict[str, Any]) -> None:
    for api in start(fresh_copy):
        token = api.token("alice")
        before = stored(api)
        response = post(api, token, body={**RENAME, **change})
        assert response.status_code == 422, response.text
        assert response.json()["field"] == field
        assert stored(api) == before


def test_an_act_that_breaks_an_invariant_is_refused_with_the_rule(fresh_copy: str) -> None:
    for api in start(fresh_copy):
        token = api.token("alice")
        communes = api.client.get("/v1/units", params={"at": "2026-01-01",
                                                       "level": "commune"}).json()["items"]
        other = next(u["code"] for u in communes if u["code"] != "03388")
        taken = {**RENAME, "changes": [{"recode": {
            "unit": {"code": "03388", "level": "commune"}, "code": other}}]}
        response = post(api, token, body=taken)
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["type"].endswith(":act-refused") and body["violations"][0]["rule"]


def test_bodies_over_the_limit_wrong_types_and_bad_json_are_problems(fresh_copy: str) -> None:
    for api in start(fresh_copy, Settings(database_url=fresh_copy, max_body_bytes=1000)):
        auth = {"Authorization": f"Bearer {api.token('alice')}"}
        big = api.client.post("/v1/acts", content=b"{" + b" " * 2000 + b"}",
                              headers={**auth, "Content-Type": "application/json"})
        assert big.status_code == 413 and big.json()["type"].endswith(":payload-too-large")

        def chunks() -> Any:
            for _ in range(10):
                yield b" " * 200

        streamed = api.client.post("/v1/acts", content=chunks(),
                                   headers={**auth, "Content-Type": "application/json"})
        assert streamed.status_code == 413
        text = api.client.post("/v1/acts", content=b"act: x",
                               headers={**auth, "Content-Type": "text/plain"})
        assert text.status_code == 415
        broken = api.client.post("/v1/acts", content=b"{not json",
                                 headers={**auth, "Content-Type": "application/json"})
        assert broken.status_code == 400 and broken.json()["field"] == "body"


def test_cors_answers_configured_origins_only(fresh_copy: str) -> None:
    settings = Settings(database_url=fresh_copy, cors_origins=("https://maps.example",))
    for api in start(fresh_copy, settings):
        allowed = api.client.get("/v1/ping", headers={"Origin": "https://maps.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://maps.example"
        other = api.client.get("/v1/ping", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        preflight = api.client.options("/v1/acts", headers={
            "Origin": "https://maps.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, Idempotency-Key"})
        assert preflight.status_code == 200


def test_a_stand_in_effective_date_is_said_wherever_the_act_is(writable_api: Api) -> None:
    token = writable_api.token("dora")
    body = {**RENAME, "act": {**RENAME["act"], "effective_stand_in": True}}
    response = post(writable_api, token, body=body)
    assert response.status_code == 201, response.text
    act_id = response.json()["act_id"]
    act = writable_api.client.get(f"/v1/acts/{act_id}").json()
    assert act["effective_stand_in"] is True and act["effective"] == "2026-01-01"
    unit = writable_api.client.get("/v1/codes/03388", params={"at": "2026-01-01"}).json()
    history = writable_api.client.get(f"/v1/units/{unit['id']}/history").json()
    cited = [e["act"] for e in history["events"] if e["act"]["id"] == act_id]
    assert cited and all(a["effective_stand_in"] is True for a in cited)
    others = [e["act"] for e in history["events"] if e["act"]["id"] != act_id]
    assert others and not any(a["effective_stand_in"] for a in others)
    query = f'{{ act(id: "{act_id}") {{ effective effectiveStandIn }} }}'
    data = writable_api.client.post("/graphql", json={"query": query}).json()["data"]
    assert data["act"] == {"effective": "2026-01-01", "effectiveStandIn": True}
