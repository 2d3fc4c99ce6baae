"""POST /v1/harmonize (CSV and JSON) and GET /v1/codes/{code}/trajectory on the Lai Châu acts;
registry.harmonize for pandas DataFrames."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

import registry
from tests.api.conftest import Api

QUERY = "code_column=ma&from=2025-06-30&to=2025-07-01"
TABLE = "ma,dan_so,loai\n03386,100,A\n03388,300,B\n03389,200,A\n99999,5,C\n"


def test_a_csv_table_comes_back_as_csv_on_the_new_communes(api: Api) -> None:
    response = api.client.post(f"/v1/harmonize?{QUERY}&sum=dan_so&category=loai",
                               content=TABLE.encode(), headers={"Content-Type": "text/csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(response.text.splitlines()))
    assert rows[0] == ["code", "name", "dan_so", "loai"] and len(rows) == 39
    assert ["03388", "Phường Đoàn Kết", "600", "A"] in rows


def test_a_json_table_comes_back_with_the_report(api: Api) -> None:
    body = {"rows": [{"ma": "03386", "dan_so": 100}, {"ma": "03388", "dan_so": 300.5},
                     {"ma": "99999", "dan_so": None}]}
    response = api.client.post(f"/v1/harmonize?{QUERY}&sum=dan_so&rule=absorbing", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["columns"] == ["code", "name", "dan_so"]
    assert {"code": "03388", "name": "Phường Đoàn Kết", "dan_so": 400.5} in answer["rows"]
    report = answer["report"]
    assert report["totals"] == {"dan_so": {"before": 400.5, "after": 400.5, "equal": True}}
    assert [u["code"] for u in report["unknown_codes"]] == ["99999"]
    as_csv = api.client.post(f"/v1/harmonize?{QUERY}&sum=dan_so&format=csv", json=body)
    assert as_csv.headers["content-type"].startswith("text/csv")


@pytest.mark.parametrize("query, body, content_type, status, field", [
    ("from=2025-06-30&to=2025-07-01&sum=x", TABLE, "text/csv", 422, "code_column"),
    (f"{QUERY}&sum=nothing", TABLE, "text/csv", 422, "sum"),
    (f"{QUERY}&sum=dan_so&rule=loudest", TABLE, "text/csv", 422, "rule"),
    (f"{QUERY}&sum=dan_so", "ma,dan_so\n03386,many\n", "text/csv", 422, "dan_so"),
    (f"{QUERY}&sum=dan_so", '{"rows": 3}', "application/json", 422, "rows"),
    (f"{QUERY}&sum=dan_so", TABLE, "application/xml", 415, None),
])
def test_bad_tables_and_options_are_problems(api: Api, query: str, body: str,
                                             content_type: str, status: int,
                                             field: str | None) -> None:
    response = api.client.post(f"/v1/harmonize?{query}", content=body.encode(),
                               headers={"Content-Type": content_type})
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if field is not None:
        assert response.json()["field"] == field


def test_the_trajectory_of_03388_over_http(api: Api) -> None:
    response = api.client.get("/v1/codes/03388/trajectory")
    assert response.status_code == 200
    holders = response.json()["holders"]
    assert [h["unit"]["name"] for h in holders] == ["Phường Quyết Tiến", "Phường Đoàn Kết"]
    assert holders[1]["held"] == [{"from": "2025-07-01", "to": None}]
    assert len(holders[1]["predecessors"]) == 5
    as_csv = api.client.get("/v1/codes/03388/trajectory?format=csv")
    rows = list(csv.DictReader(as_csv.text.splitlines()))
    assert sum(r["direction"] == "successor" for r in rows) == 1
    assert api.client.get("/v1/codes/77777/trajectory").status_code == 404


def test_registry_harmonize_takes_and_gives_a_dataframe(api: Api) -> None:
    frame = pd.DataFrame({"ma": ["03386", "03388", "03389"], "dan_so": [100, 300, 200],
                          "ty_le": [10.0, 20.0, 40.0], "loai": ["A", "B", "A"]})
    out = registry.harmonize(frame, code_column="ma", from_date="2025-06-30",
                             to_date="2025-07-01", sum="dan_so", mean="ty_le",
                             weight="dan_so", category="loai", rule="largest",
                             reader=api.reader)
    assert list(out.columns) == ["code", "name", "dan_so", "ty_le", "loai"] and len(out) == 38
    row = out.set_index("code").loc["03388"]
    assert (row["dan_so"], row["ty_le"], row["loai"]) == (600.0, pytest.approx(25.0), "B")
    assert out["dan_so"].sum() == 600 and out["dan_so"].isna().sum() == 37
    assert out.attrs["report"]["totals"]["dan_so"]["equal"]


def test_the_common_geography_of_lai_chau_over_http(api: Api) -> None:
    province = api.client.get("/v1/codes/12?at=2025-06-30&level=province").json()["id"]
    response = api.client.get(f"/v1/common-geography?from=2025-06-30&to=2025-07-01"
                              f"&within={province}")
    assert response.status_code == 200
    groups = response.json()["groups"]
    assert sorted(c for g in groups for c in g["to"]) == sorted(
        u["code"] for u in api.client.get("/v1/snapshot?at=2025-07-01").json()["items"]
        if u["level"] == "commune")
    assert sum(len(g["from"]) for g in groups) == 106 and len(groups) == 38
    unknown = "00000000-0000-4000-8000-000000000000"
    assert api.client.get(f"/v1/common-geography?from=2025-06-30&to=2025-07-01"
                          f"&within={unknown}").status_code == 404
