"""Which date a list is from, the common geography of two dates, and a code's trajectory; through
the command line as a user runs them."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from registry.application.analysis.dating import which_date
from registry.application.analysis.geography import common_geography
from registry.application.reading import Reader
from registry.cli import main
from registry.importers.insee import read_units
from registry.projections.index import ReadIndex
from tests.analysis.conftest import read_csv

BEFORE, AFTER = date(2025, 6, 30), date(2025, 7, 1)


def holds(ranges: list[dict[str, str | None]], day: date) -> bool:
    return any(date.fromisoformat(r["from"]) <= day  # type: ignore[arg-type]
               and (r["to"] is None or day < date.fromisoformat(r["to"])) for r in ranges)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_lai_chau_2024_list_is_from_2025_01_04_to_2025_06_30(
        lai_chau_db: str, data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = data / "vn" / "lai_chau_units_2024.csv"
    code, out, _ = run(capsys, "which-date", str(path), "--code-column", "code", "--json",
                       "--database", lai_chau_db)
    found = json.loads(out)
    assert code == 0 and found["misfits"] == []
    assert found["ranges"] == [{"from": "2025-01-04", "to": "2025-07-01", "missing": 0}]
    assert holds(found["ranges"], date(2025, 1, 4)) and holds(found["ranges"], BEFORE)
    assert not holds(found["ranges"], AFTER)


def test_lai_chau_2025_07_list_is_from_2025_07_01(
        lai_chau_db: str, data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The new communes kept old codes: by codes alone the list fits both sides, but only from
    2025-07-01 does it lack nothing; with names, only from 2025-07-01."""
    path = str(data / "vn" / "lai_chau_units_2025_07.csv")
    _, out, _ = run(capsys, "which-date", path, "--code-column", "code", "--json",
                    "--database", lai_chau_db)
    by_codes = json.loads(out)["ranges"]
    assert by_codes == [{"from": "2025-01-04", "to": "2025-07-01", "missing": 68},
                        {"from": "2025-07-01", "to": None, "missing": 0}]
    _, out, _ = run(capsys, "which-date", path, "--code-column", "code", "--name-column",
                    "name", "--json", "--database", lai_chau_db)
    assert json.loads(out)["ranges"] == [{"from": "2025-07-01", "to": None, "missing": 0}]
    code, out, _ = run(capsys, "which-date", path, "--code-column", "code", "--name-column",
                       "name", "--database", lai_chau_db)
    assert code == 0 and "2025-07-01 to today and on: the list lacks no unit" in out


def test_a_list_of_two_dates_gets_the_dates_most_rows_fit_and_why_the_others_do_not(
        lai_chau_index: ReadIndex, data: Path) -> None:
    old = read_csv(data / "vn" / "lai_chau_units_2024.csv")
    codes = [r["code"] for r in old] + ["03388", "99999"]
    names = [r["name"] for r in old] + ["Phường Đoàn Kết", "Xã Không Có"]
    found = which_date(lai_chau_index, codes, names).as_dict()
    assert found["ranges"] == [{"from": "2025-01-04", "to": "2025-07-01", "missing": 0}]
    why = {m["code"]: m["why"] for m in found["misfits"]}
    assert why == {"03388": "name differs: on 2025-01-04 code 03388 is Phường Quyết Tiến, "
                            "not Phường Đoàn Kết",
                   "99999": "no unit ever held code 99999"}
    new = read_csv(data / "vn" / "lai_chau_units_2025_07.csv")
    found = which_date(lai_chau_index, [r["code"] for r in new] + ["03386"],
                       [r["name"] for r in new] + ["Phường Quyết Thắng"]).as_dict()
    assert found["ranges"] == [{"from": "2025-07-01", "to": None, "missing": 0}]
    assert found["misfits"] == [{"row": 40, "code": "03386", "name": "Phường Quyết Thắng",
                                 "why": "code 03386 ended on 2025-07-01 (last held on "
                                        "2025-06-30)"}]


def test_insee_2019_list_holds_2019_01_01(fr_index: ReadIndex, data: Path) -> None:
    communes = [u for u in read_units(data / "fr" / "commune2019.csv") if u.typecom == "COM"]
    found = which_date(fr_index, [u.code for u in communes], level="commune")
    assert found.misfits == [] and found.fits == 34_970
    complete = [r for r, m in zip(found.ranges, found.missing, strict=True) if m == 0]
    assert complete == [(date(2019, 1, 1), None)]
    assert found.ranges[0][0] == date(2018, 1, 1)  # the codes alone also fit 2018, which
    assert found.missing[0] == 387                  # had 387 communes more
    older = which_date(fr_index, [u.code for u in read_units(data / "fr" / "comsimp2018.txt")],
                       level="commune")
    assert older.misfits == [] and older.missing == [0]
    assert older.ranges == [(date(2018, 1, 1), date(2018, 3, 1))]  # a commune ended then


# -- common geography --------------------------------------------------------------------

def test_lai_chau_groups_partition_the_106_old_and_the_38_new_communes(
        lai_chau_db: str, lai_chau_reader: Reader, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "common-geography", "--from", str(BEFORE), "--to", str(AFTER),
                       "--within", "12", "--json", "--database", lai_chau_db)
    groups = json.loads(out)["groups"]
    assert code == 0
    olds = [c for g in groups for c in g["from"]]
    news = [c for g in groups for c in g["to"]]
    idx = lai_chau_reader.source.index()
    assert sorted(olds) == sorted(v.code for v in idx.existing(BEFORE, None, "commune")
                                  if v.level == "commune") and len(olds) == 106
    assert sorted(news) == sorted(v.code for v in idx.existing(AFTER, None, "commune")
                                  if v.level == "commune") and len(news) == 38
    assert len(set(olds)) == 106 and len(set(news)) == 38
    for g in groups:  # each old commune's crosswalk lands inside its own group
        for old in g["from"]:
            targets = {i.target.code for i in lai_chau_reader.crosswalk(old, "commune", BEFORE,
                                                                        AFTER)}
            assert targets <= set(g["to"])
    doan_ket = next(g for g in groups if "03388" in g["to"])
    assert doan_ket["from"] == ["03386", "03388", "03389", "03391", "03403"]


def test_common_geography_joins_communes_that_shared_a_split_one(vn_index: ReadIndex) -> None:
    groups = common_geography(vn_index, BEFORE, AFTER, "commune")
    olds = [v.code for g in groups for v in g.from_units]
    news = [v.code for g in groups for v in g.to_units]
    assert len(olds) == len(set(olds)) == 10_035 and len(news) == len(set(news)) == 3_321
    assert any(len(g.to_units) > 1 for g in groups)  # joined by partly split communes
    assert sum(1 for g in groups if not g.from_units) == 5  # the island districts' zones


def test_common_geography_as_csv(lai_chau_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "common-geography", "--from", str(BEFORE), "--to", str(AFTER),
                       "--database", lai_chau_db)
    rows = list(csv.DictReader(out.splitlines()))
    assert code == 0 and list(rows[0]) == ["group", "side", "code", "name", "id"]
    assert sum(r["side"] == "from" for r in rows) == 106
    assert sum(r["side"] == "to" for r in rows) == 38


# -- harmonize and trajectory through the command line -----------------------------------

def test_harmonize_command_writes_the_table_and_the_report(
        lai_chau_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = tmp_path / "table.csv"
    table.write_text("ma,dan_so\n03386,100\n03388,300\n03389,200\n99999,7\n105,1\n",
                     encoding="utf-8")
    report = tmp_path / "report.json"
    code, out, err = run(capsys, "harmonize", str(table), "--code-column", "ma", "--from",
                         str(BEFORE), "--to", str(AFTER), "--sum", "dan_so", "--report",
                         str(report), "--database", lai_chau_db)
    assert code == 0
    rows = list(csv.reader(out.splitlines()))
    assert rows[0] == ["code", "name", "dan_so"] and len(rows) == 39
    assert ["03388", "Phường Đoàn Kết", "600"] in rows
    assert "total dan_so: 608 before, 600 after (NOT equal)" in err
    assert "row 4 (99999)" in err and "row 5 (105): exists on 2025-06-30 at level district" \
        in err
    saved = json.loads(report.read_text(encoding="utf-8"))
    assert saved["totals"]["dan_so"] == {"before": 608, "after": 600, "equal": False}
    assert len(saved["no_data"]) == 37


def test_harmonize_command_refuses_a_missing_column_in_one_line(
        lai_chau_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = tmp_path / "table.csv"
    table.write_text("code,n\n03386,1\n", encoding="utf-8")
    code, out, err = run(capsys, "harmonize", str(table), "--code-column", "ma", "--from",
                         str(BEFORE), "--to", str(AFTER), "--sum", "n", "--database",
                         lai_chau_db)
    assert code == 2 and out == "" and err.startswith("registry: code_column: no column 'ma'")
    assert len(err.strip().splitlines()) == 1


def test_trajectory_of_03388_has_both_holders_and_their_lineage(
        lai_chau_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "trajectory", "03388", "--database", lai_chau_db)
    holders = json.loads(out)["holders"]
    assert code == 0 and [h["unit"]["name"] for h in holders] == ["Phường Quyết Tiến",
                                                                  "Phường Đoàn Kết"]
    assert holders[0]["held"] == [{"from": "2025-01-04", "to": "2025-07-01"}]
    assert {s["unit"]["code"] for s in holders[1]["predecessors"]} == {
        "03386", "03388", "03389", "03391", "03403"}
    assert [s["unit"]["code"] for s in holders[0]["successors"]] == ["03388"]
    code, out, _ = run(capsys, "trajectory", "03388", "--format", "csv", "--database",
                       lai_chau_db)
    rows = list(csv.DictReader(out.splitlines()))
    assert sum(r["direction"] == "held" for r in rows) == 2
    assert sum(r["direction"] == "predecessor" for r in rows) == 5
    assert {r["act"] for r in rows if r["direction"] != "held"} == {"1670/NQ-UBTVQH15"}
    code, _, err = run(capsys, "trajectory", "77777", "--database", lai_chau_db)
    assert code == 1 and "no unit ever held code 77777" in err
