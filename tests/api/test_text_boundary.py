"""Whatever the write side accepts, every read path can hold (both backends).

Hypothesis sends acts whose texts are drawn from every Unicode category — controls, lone
surrogates, format characters, unassigned code points — over HTTP, as a hostile client would
(JSON with \\u escapes). Each act is either refused with the field named and nothing stored, or
accepted and then readable through the unit, its history, search, the snapshot, the feed and
GraphQL; at the end a rebuild from the log reproduces what was served and `verify` passes.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry import bootstrap
from registry.cli import main
from tests.api.conftest import Api, start

ANY_CHARACTER = st.characters(exclude_categories=())  # surrogates (Cs) included
# Half the texts from every category, half without controls and surrogates, so that both
# refusals and acceptances are common.
TEXT = (st.text(ANY_CHARACTER, max_size=40)
        | st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=40))
SOMETIMES = st.none() | TEXT

PROVINCE = {"act": {"kind": "baseline", "effective": "2020-01-01", "number": "BASE"},
            "changes": [{"register": {"units": [
                {"key": "p", "name": "Tỉnh Thử", "type": "tỉnh", "level": "province",
                 "code": "99"}]}}]}


@pytest.fixture
def boundary_api(database_url: str) -> Iterator[Api]:
    registry = bootstrap.build(database_url)
    registry.record(PROVINCE, "test")
    registry.log.close()
    yield from start(database_url)


def act_for(n: int, name: str, title: str | None, note: str | None, issuer: str | None,
            clause: str | None, code: str | None) -> dict[str, Any]:
    unit: dict[str, Any] = {"name": name, "type": "xã", "level": "commune",
                            "parent": {"code": "99", "level": "province"}}
    if code is not None:
        unit["code"] = code
    change: dict[str, Any] = {"establish": {"unit": unit}}
    if clause is not None:
        change["clause"] = clause
    return {"act": {"kind": "decision", "effective": f"2021-01-{1 + n % 28:02d}",
                    "number": f"{n}/T", "title": title, "note": note, "issuer": issuer},
            "changes": [change]}


def test_every_text_is_refused_with_its_field_or_readable_everywhere(boundary_api: Api) -> None:
    api = boundary_api
    auth = {"Authorization": f"Bearer {api.token('fuzz')}",
            "Content-Type": "application/json"}
    accepted: list[tuple[str, str]] = []
    counter = iter(range(10**6))

    @settings(max_examples=80, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(name=TEXT, title=SOMETIMES, note=SOMETIMES, issuer=SOMETIMES, clause=SOMETIMES,
           code=st.none() | st.text(ANY_CHARACTER, min_size=1, max_size=6))
    def one_act(name: str, title: str | None, note: str | None, issuer: str | None,
                clause: str | None, code: str | None) -> None:
        n = next(counter)
        document = act_for(n, name, title, note, issuer, clause, code)
        before = api.client.get("/v1/log/head").json()["position"]
        body = json.dumps(document, ensure_ascii=True)  # lone surrogates travel as \ud800
        reply = api.client.post("/v1/acts", content=body, headers=auth)
        assert reply.status_code < 500, reply.text
        if reply.status_code not in (200, 201):
            problem = reply.json()
            assert problem["status"] in (400, 409, 422), problem
            assert problem.get("field") or problem.get("violations"), problem
            assert api.client.get("/v1/log/head").json()["position"] == before
            return
        act_id = reply.json()["act_id"]
        act = api.client.get(f"/v1/acts/{act_id}")
        assert act.status_code == 200
        unit_id = act.json()["document"] and _unit_of(api, act_id, before)
        unit = api.client.get(f"/v1/units/{unit_id}", params={"at": "2021-02-01"})
        assert unit.status_code == 200
        stored = unit.json()["name"]
        assert stored == unicodedata.normalize("NFC", stored)
        assert stored == " ".join(unicodedata.normalize("NFC", name).split())
        accepted.append((unit_id, stored))
        assert api.client.get(f"/v1/units/{unit_id}/history").status_code == 200
        search = api.client.get("/v1/search", params={"q": stored[:50], "at": "2021-02-01"})
        assert search.status_code in (200, 422), search.text  # 422: a query too short to search
        assert api.client.get("/v1/feed", params={"after": before}).status_code == 200
        graphql = api.client.post("/graphql", json={"query": (
            "query($id: ID!) { unit(id: $id, at: \"2021-02-01\") { name code history { "
            "events { act { title note issuer hash } } } } }"), "variables": {"id": unit_id}})
        assert graphql.status_code == 200 and "errors" not in graphql.json(), graphql.text
        assert graphql.json()["data"]["unit"]["name"] == stored

    one_act()
    print(f"accepted {len(accepted)} of {next(counter)} acts")
    assert accepted, "some acts must be accepted for this test to mean anything"
    snapshot = api.client.get("/v1/snapshot", params={"at": "2021-02-01", "format": "csv"})
    assert snapshot.status_code == 200
    served = {unit_id: api.client.get(f"/v1/units/{unit_id}",
                                      params={"at": "2021-02-01"}).json()
              for unit_id, _ in accepted}

    assert main(["rebuild", "--database", api.url]) == 0
    assert main(["verify", "--database", api.url]) == 0
    assert main(["export", "--database", api.url, "--at", "2021-02-01"]) == 0
    rebuilt = bootstrap.build_reader(api.url)
    for unit_id, stored in accepted:
        assert rebuilt.unit(_uuid(unit_id), _date("2021-02-01")).name == stored
        assert served[unit_id]["name"] == stored


def _unit_of(api: Api, act_id: str, after: int) -> str:
    items = api.client.get("/v1/feed", params={"after": after}).json()["items"]
    (began,) = [i for i in items if i["type"] == "began" and i["act_id"] == act_id]
    return str(began["stream_id"])


def _uuid(value: str) -> Any:
    from uuid import UUID
    return UUID(value)


def _date(value: str) -> Any:
    from datetime import date
    return date.fromisoformat(value)
