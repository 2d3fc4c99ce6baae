"""Lookups that finish the job, on the Lai Châu acts: search by name or code with each hit's
superiors, a code no unit holds explained (what became of it, or near codes), an abolished
district crosswalked to the units that cover its area, and many codes converted at once."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from registry.cli import main
from tests.api.conftest import Api

BEFORE, AFTER = "2025-06-30", "2025-07-01"


def test_search_finds_a_code_and_every_hit_carries_its_level_and_superiors(api: Api) -> None:
    hits = api.client.get("/v1/search", params={"q": "03391"}).json()["items"]
    assert [(h["name"], h["score"]) for h in hits] == [("Xã Lả Nhì Thàng", 0)]
    hit = hits[0]
    assert hit["unit"]["level"] == "commune"
    assert [s["name"] for s in hit["superiors"]] == ["Huyện Phong Thổ", "Tỉnh Lai Châu"]
    assert [s["level"] for s in hit["superiors"]] == ["district", "province"]
    assert hit["label"] == "Xã Lả Nhì Thàng · Huyện Phong Thổ · Tỉnh Lai Châu"
    now = api.client.get("/v1/search", params={"q": "doan ket", "at": AFTER}).json()["items"]
    assert now[0]["label"] == "Phường Đoàn Kết · Tỉnh Lai Châu"


def test_search_filters_by_level_and_within_a_code_or_an_id(api: Api) -> None:
    districts = api.client.get("/v1/search", params={"q": "tam duong", "level": "district"})
    assert {h["unit"]["level"] for h in districts.json()["items"]} == {"district"}
    under = api.client.get("/v1/search", params={"q": "xa", "within": "106", "at": BEFORE,
                                                 "limit": "100"}).json()["items"]
    assert under and all("Huyện Tam Đường" in h["label"] for h in under)
    tam_duong = api.client.get("/v1/codes/106", params={"at": BEFORE}).json()["id"]
    by_id = api.client.get("/v1/search", params={"q": "xa", "within": tam_duong, "at": BEFORE,
                                                 "limit": "100"}).json()["items"]
    assert by_id == under


def test_a_code_that_ended_says_what_became_of_it(api: Api) -> None:
    response = api.client.get("/v1/codes/03391", params={"at": AFTER})
    assert response.status_code == 404
    problem = response.json()
    assert problem["detail"].startswith(
        "03391 Xã Lả Nhì Thàng ended 2025-07-01, merged into 03388 Phường Đoàn Kết "
        "(1670/NQ-UBTVQH15)")
    assert [s["code"] for s in problem["successors"]] == ["03388"]


def test_an_unknown_code_suggests_near_codes(api: Api) -> None:
    problem = api.client.get("/v1/codes/3388", params={"at": AFTER}).json()
    assert problem["candidates"][0] == "03388"
    assert "did you mean 03388" in problem["detail"]


def test_the_cli_says_what_became_of_a_code_and_exits_1(
        loaded_sqlite: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "106", "--at", AFTER, "--database", f"sqlite:///{loaded_sqlite}"]) == 1
    err = capsys.readouterr().err
    assert "106 Huyện Tam Đường ended 2025-07-01 without a successor" in err
    assert "Tỉnh Lai Châu" in err


def test_an_abolished_district_crosswalks_to_the_units_covering_its_area(api: Api) -> None:
    items = api.client.get("/v1/crosswalk", params={"code": "106", "level": "district",
                                                    "from": BEFORE, "to": AFTER}).json()["items"]
    communes = api.client.get("/v1/snapshot", params={"at": BEFORE, "within": "106"}).json()
    olds = {u["id"] for u in communes["items"] if u["level"] == "commune"}
    assert items and {i["target"]["level"] for i in items} == {"commune"}
    assert all(i["via"]["id"] in olds and i["source"]["code"] == "106" for i in items)
    assert not any(i["same_unit"] for i in items)
    for i in items:  # each is where one of its communes went
        went = api.client.get("/v1/crosswalk", params={
            "code": i["via"]["code"], "from": BEFORE, "to": AFTER}).json()["items"]
        assert i["target"]["id"] in {w["target"]["id"] for w in went}
    assert len({i["target"]["id"] for i in items}) == len(items)


def bulk(api: Api, body: dict[str, object] | str, accept: str = "application/json",
         **params: str) -> object:
    headers = {"Accept": accept}
    if isinstance(body, str):
        headers["Content-Type"] = "text/csv"
        return api.client.post("/v1/crosswalk", content=body, headers=headers,
                               params={"from": BEFORE, "to": AFTER, **params})
    return api.client.post("/v1/crosswalk", json=body, headers=headers,
                           params={"from": BEFORE, "to": AFTER, **params})


def test_many_codes_at_once_one_row_per_code_and_covering_unit(api: Api) -> None:
    codes = ["03388", "03391", "106", "77777"]
    response = bulk(api, {"codes": codes})
    assert response.status_code == 200  # type: ignore[attr-defined]
    rows = response.json()["items"]  # type: ignore[attr-defined]
    assert [r["code"] for r in rows][:2] == ["03388", "03391"]
    by_code: dict[str, list[dict[str, object]]] = {}
    for r in rows:
        by_code.setdefault(str(r["code"]), []).append(r)
    assert [(r["target_code"], r["edge"]) for r in by_code["03391"]] == [("03388", "whole")]
    assert by_code["77777"][0]["status"] == "not-found"
    assert {r["via_code"] for r in by_code["106"]} <= {
        u["code"] for u in api.client.get("/v1/snapshot", params={
            "at": BEFORE, "within": "106"}).json()["items"]}
    assert {r["edge"] for r in by_code["106"]} == {"area"}
    singles = {c: api.client.get("/v1/crosswalk", params={
        "code": c, "from": BEFORE, "to": AFTER}).json()["items"] for c in ("03388", "03391")}
    for code, items in singles.items():
        assert [r["target_id"] for r in by_code[code]] == [i["target"]["id"] for i in items]


def test_many_codes_as_csv_in_and_out(api: Api) -> None:
    response = bulk(api, "name,code\nx,03391\ny,03388\n", accept="text/csv")
    assert response.headers["content-type"].startswith("text/csv")  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(response.text)))  # type: ignore[attr-defined]
    assert [(r["code"], r["target_code"], r["status"]) for r in rows] == [
        ("03391", "03388", "ok"), ("03388", "03388", "ok")]


def test_more_than_100000_codes_or_a_body_without_codes_is_refused(api: Api) -> None:
    too_many = bulk(api, {"codes": ["03388"] * 100_001})
    assert too_many.status_code == 422 and too_many.json()["field"] == "codes"  # type: ignore[attr-defined]
    assert bulk(api, "name\nx\n").status_code == 422  # type: ignore[attr-defined]
    assert bulk(api, "code\n").json() == {"items": []}  # type: ignore[attr-defined]
    assert bulk(api, {"codes": []}).status_code == 422  # type: ignore[attr-defined]
    plain = api.client.post("/v1/crosswalk", content="03388",
                            params={"from": BEFORE, "to": AFTER},
                            headers={"Content-Type": "text/plain"})
    assert plain.status_code == 415


def test_the_cli_converts_a_file_of_codes(loaded_sqlite: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    codes = tmp_path / "codes.csv"
    codes.write_text("code\n03391\n106\n77777\n", encoding="utf-8")
    assert main(["crosswalk", "--file", str(codes), "--from", BEFORE, "--to", AFTER,
                 "--database", f"sqlite:///{loaded_sqlite}"]) == 0
    out = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(out.out)))
    assert rows[0]["code"] == "03391" and rows[0]["target_code"] == "03388"
    assert rows[-1]["code"] == "77777" and rows[-1]["status"] == "not-found"
    assert "3 codes, 2 covered" in out.err
