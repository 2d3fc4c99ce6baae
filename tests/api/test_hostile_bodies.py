"""What a hostile client sends is refused with a problem, never a 500, and stores nothing."""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import Api, start

NUL_ACT = {"act": {"kind": "decision", "effective": "2025-09-01", "title": "Quyết định"},
           "changes": [{"rename": {"unit": "03388", "name": "Phường Đoàn Kết"}}]}
READS = ["/v1/units?level=commune&at=2025-07-01&limit=5", "/v1/codes/03388?at=2025-07-01",
         "/v1/acts", "/v1/feed", "/v1/search?q=doan", "/v1/snapshot?at=2025-07-01&format=csv",
         "/v1/changes?from=2025-06-30&to=2025-07-01&limit=5", "/v1/log/head", "/readyz"]


@pytest.fixture
def hostile(writable_api: Api) -> Api:
    return writable_api


_TOKENS: dict[int, str] = {}


def post_act(api: Api, body: bytes, media: str = "application/json") -> dict:
    if id(api) not in _TOKENS:
        _TOKENS[id(api)] = api.token("mallory")
    reply = api.client.post("/v1/acts", content=body, headers={
        "Authorization": f"Bearer {_TOKENS[id(api)]}", "Content-Type": media})
    assert reply.status_code < 500, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")
    return {"status": reply.status_code, **reply.json()}


def head(api: Api) -> int:
    return int(api.client.get("/v1/log/head").json()["position"])


def test_an_act_holding_nul_is_refused_and_every_read_still_answers(hostile: Api) -> None:
    before = head(hostile)
    for field in ("title", "number", "issuer"):
        act = json.loads(json.dumps(NUL_ACT))
        act["act"][field] = "x\u0000y"
        problem = post_act(hostile, json.dumps(act).encode())
        assert problem["status"] == 422 and problem["field"] == f"act.{field}"
        assert "U+0000" in problem["detail"]
    renamed = json.loads(json.dumps(NUL_ACT))
    renamed["act"]["title"] = "ok"
    renamed["changes"][0]["rename"]["name"] = "Đoàn\u0000Kết"
    problem = post_act(hostile, json.dumps(renamed).encode())
    assert problem["field"] == "changes[0].rename.name"
    assert head(hostile) == before
    for path in READS:
        assert hostile.client.get(path).status_code == 200, path


def test_lone_surrogates_and_bidi_overrides_name_their_field(hostile: Api) -> None:
    act = json.loads(json.dumps(NUL_ACT))
    act["act"]["title"] = "\ud800"
    problem = post_act(hostile, json.dumps(act).encode())  # sent escaped: "\ud800"
    assert problem["status"] == 422 and problem["field"] == "act.title"
    act["act"]["title"] = "ok"
    act["act"]["note"] = "abc\u202edef"
    problem = post_act(hostile, json.dumps(act).encode())
    assert problem["field"] == "act.note" and "bidirectional" in problem["detail"]


def test_deep_nesting_and_bad_bytes_are_400s_naming_the_body(hostile: Api) -> None:
    deep_json = b"[" * 100_000 + b"]" * 100_000
    assert post_act(hostile, deep_json)["status"] == 400
    deep_yaml = ("act:\n  note: " + "[" * 50_000 + "]" * 50_000 + "\n").encode()
    problem = post_act(hostile, deep_yaml, "application/yaml")
    assert problem["status"] == 400 and "deeper" in problem["detail"]
    laughs = b"a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    assert "aliases" in post_act(hostile, laughs, "application/yaml")["detail"]
    problem = post_act(hostile, b'{"act": "\xff\xfe"}')
    assert problem["status"] == 400 and "UTF-8" in problem["detail"] and problem["field"] == "body"


def test_graphql_refuses_bad_bytes_and_deep_variables_without_a_token(writable_api: Api) -> None:
    client = writable_api.client
    bad = client.post("/graphql", content=b'{"query": "{ acts { items { id } } }\xff"}',
                      headers={"Content-Type": "application/json"})
    assert bad.status_code == 400 and "UTF-8" in bad.json()["detail"]
    nested = '{"a":' * 5_000 + "1" + "}" * 5_000
    body = '{"query": "query($d: JSON) { acts { next } }", "variables": {"d": ' + nested + "}}"
    deep = client.post("/graphql", content=body.encode(),
                       headers={"Content-Type": "application/json"})
    assert deep.status_code == 400 and "deeper" in deep.json()["detail"]
    shallower = '{"a":' * 3_000 + "1" + "}" * 3_000  # what fits in a URL
    via_get = client.get("/graphql", params={
        "query": "query($d: JSON) { acts { next } }", "variables": '{"d": ' + shallower + "}"})
    assert via_get.status_code < 500


def test_dates_outside_the_calendar_the_registry_keeps_are_refused(hostile: Api) -> None:
    act = json.loads(json.dumps(NUL_ACT))
    act["act"]["title"] = "ok"
    for bad in ("0001-01-01", "9999-12-31"):
        act["act"]["effective"] = bad
        problem = post_act(hostile, json.dumps(act).encode())
        assert problem["field"] == "act.effective" and "dates run from" in problem["detail"]


def test_a_registry_started_on_a_file_with_refused_input_keeps_serving(fresh_copy: str) -> None:
    for api in start(fresh_copy):
        act = json.loads(json.dumps(NUL_ACT))
        act["act"]["title"] = "Quyết\u0000định"
        assert post_act(api, json.dumps(act).encode())["status"] == 422
        assert api.client.get("/readyz").status_code == 200
