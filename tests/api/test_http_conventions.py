"""HTTP as integrators expect it: compression, Link headers, CSV as its own media type with the
export's columns, ``within`` by code or id, and a feed that refuses positions beyond its head."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.cli import main
from tests.api.conftest import Api


def test_a_large_answer_is_gzipped_for_a_client_that_accepts_it(api: Api) -> None:
    plain = api.client.get("/v1/snapshot", params={"at": "2025-07-01"},
                           headers={"Accept-Encoding": "identity"})
    zipped = api.client.get("/v1/snapshot", params={"at": "2025-07-01"},
                            headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) < len(plain.content) / 4
    assert zipped.json() == plain.json()  # httpx decoded it


def test_a_small_answer_is_not_compressed(api: Api) -> None:
    response = api.client.get("/v1/ping", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in response.headers


def test_every_page_links_to_the_next_one_and_following_the_links_reads_every_unit(
        api: Api) -> None:
    everything = api.client.get("/v1/units", params={"at": "2025-07-01", "limit": "1000"}).json()
    address: str | None = "/v1/units?at=2025-07-01&limit=7"
    seen: list[str] = []
    pages = 0
    while address:
        response = api.client.get(address)
        seen += [u["id"] for u in response.json()["items"]]
        pages += 1
        link = response.headers.get("link")
        if response.json()["next"] is None:
            assert link is None
            address = None
        else:
            assert link is not None and link.endswith('>; rel="next"')
            address = link[1:link.index(">")]
    assert seen == [u["id"] for u in everything["items"]]
    assert pages == -(-len(seen) // 7) and pages > 1


def test_the_feed_links_to_where_it_resumes(api: Api) -> None:
    response = api.client.get("/v1/feed", params={"after": "0", "limit": "3"})
    assert response.headers["link"] == f'</v1/feed?limit=3&after={response.json()["next"]}>; rel="next"'


def test_a_feed_position_beyond_the_log_head_is_refused(api: Api) -> None:
    head = api.client.get("/readyz").json()["position"]
    at_head = api.client.get("/v1/feed", params={"after": str(head)})
    assert at_head.status_code == 200 and at_head.json() == {"items": [], "next": head}
    beyond = api.client.get("/v1/feed", params={"after": str(head + 1)})
    assert beyond.status_code == 422
    assert beyond.json()["field"] == "after" and str(head) in beyond.json()["detail"]
    far = api.client.get("/v1/feed", params={"after": "99999999"})
    assert far.status_code == 422


@pytest.mark.parametrize("how", [{"headers": {"Accept": "text/csv"}},
                                 {"params": {"format": "csv"}},
                                 {"path": "/v1/snapshot.csv"}])
def test_csv_is_its_own_media_type_with_the_columns_of_registry_export(
        api: Api, loaded_sqlite: Path, capsys: pytest.CaptureFixture[str],
        how: dict[str, object]) -> None:
    path = str(how.get("path", "/v1/snapshot"))
    params = {"at": "2025-07-01", "within": "12", **how.get("params", {})}  # type: ignore[dict-item]
    response = api.client.get(path, params=params, headers=how.get("headers"))  # type: ignore[arg-type]
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert main(["export", "--at", "2025-07-01", "--within", "12",
                 "--database", f"sqlite:///{loaded_sqlite}"]) == 0
    exported = capsys.readouterr().out
    assert response.text == exported
    assert len(exported.splitlines()) > 30 and ",12," in exported.splitlines()[2]


def test_a_json_client_still_gets_json_and_csv_and_json_have_different_etags(api: Api) -> None:
    json_answer = api.client.get("/v1/snapshot", params={"at": "2025-06-30"},
                                 headers={"Accept": "application/json, */*"})
    csv_answer = api.client.get("/v1/snapshot", params={"at": "2025-06-30"},
                                headers={"Accept": "text/csv"})
    assert json_answer.headers["content-type"] == "application/json"
    assert csv_answer.headers["content-type"].startswith("text/csv")
    assert json_answer.headers["etag"] != csv_answer.headers["etag"]
    assert "Accept" in json_answer.headers["vary"].split(", ")


def test_within_takes_a_code_or_an_id_and_both_give_the_same_answer(api: Api) -> None:
    lai_chau = api.client.get("/v1/codes/12", params={"at": "2025-07-01"}).json()
    for path, params in [("/v1/snapshot", {"at": "2025-07-01"}),
                         ("/v1/changes", {"from": "2025-06-30", "to": "2025-07-01"})]:
        by_code = api.client.get(path, params={**params, "within": "12"})
        by_id = api.client.get(path, params={**params, "within": lai_chau["id"]})
        assert by_code.status_code == 200 and by_code.json() == by_id.json()
        assert by_code.json()["items"]
    unknown = api.client.get("/v1/snapshot", params={"at": "2025-07-01", "within": "77777"})
    assert unknown.status_code == 404
