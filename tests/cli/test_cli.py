"""The command line, as a user runs it: output, JSON shapes, and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from registry.cli import main
from tests.conftest import LAI_CHAU_UNITS

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(database_url, capsys) -> str:
    code, out, _ = run(capsys, "load", *map(str, LAI_CHAU_UNITS), "--database", database_url)
    assert code == 0, out
    return database_url


def test_tree_of_lai_chau_on_both_sides_of_the_reform(db, capsys):
    code, out, _ = run(capsys, "tree", "12", "--at", "2025-06-30", "--json", "--database", db)
    tree = json.loads(out)
    assert code == 0 and set(tree) == {"id", "code", "name", "kind", "type", "level",
                                       "valid_from", "valid_to", "children", "illustrative",
                                       "valid_from_stand_in", "valid_to_stand_in"}
    assert len(tree["children"]) == 8
    assert sum(len(d["children"]) for d in tree["children"]) == 106
    code, out, _ = run(capsys, "tree", "12", "--at", "2025-07-01", "--json", "--database", db)
    tree = json.loads(out)
    assert len(tree["children"]) == 38
    assert {c["level"] for c in tree["children"]} == {"commune"}


def test_show_03388_before_and_after(db, capsys):
    _, out, _ = run(capsys, "show", "03388", "--at", "2025-06-30", "--database", db)
    assert out.startswith("Phường Quyết Tiến (03388)")
    _, out, _ = run(capsys, "show", "03388", "--at", "2025-07-01", "--json", "--database", db)
    assert json.loads(out)["name"] == "Phường Đoàn Kết"
    assert json.loads(out)["parent_code"] == "12"


def test_history_of_the_old_doan_ket_names_its_end_and_successor(db, capsys):
    code, out, _ = run(capsys, "history", "03389", "--database", db)
    assert code == 0
    assert "ended 2025-07-01 (last day 2025-06-30)" in out
    assert "into  Phường Đoàn Kết (03388) on 2025-07-01: merge, whole — 1670/NQ-UBTVQH15" in out


def test_loading_twice_records_nothing_new(db, capsys):
    _, out, _ = run(capsys, "load", *map(str, LAI_CHAU_UNITS), "--database", db)
    assert out.strip().endswith("2 acts: 0 recorded, 2 already there")


def test_a_refused_act_is_one_line_naming_the_rule(db, capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("act: {kind: decision, effective: 2025-08-01}\n"
                   "changes:\n  - dissolve: {unit: {code: '12', level: province}}\n",
                   encoding="utf-8")
    code, _, err = run(capsys, "load", str(bad), "--database", db)
    assert code == 1
    assert err.startswith("registry: refused, nothing stored: ParentNotActive on 2025-08-01")
    assert "Traceback" not in err


def test_unknown_code_and_bad_date_are_clear_errors(tmp_path):
    env = {**os.environ, "REGISTRY_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    cmd = [sys.executable, "-m", "registry.cli"]
    unknown = subprocess.run(cmd + ["show", "99999", "--at", "2025-01-01"],
                             capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == ("registry: no unit holds code 99999 on 2025-01-01, nor "
                                      "ever did")
    bad = subprocess.run(cmd + ["show", "03388", "--at", "2025-02-30"],
                         capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
    assert bad.returncode == 2 and "'2025-02-30' is not a date" in bad.stderr
    assert "Traceback" not in unknown.stderr + bad.stderr


def test_an_unsupported_database_url_is_one_line(capsys):
    code, _, err = run(capsys, "show", "12", "--database", "mysql://nowhere/db")
    assert code == 2 and err.startswith("registry: database: unsupported database URL scheme 'mysql'")
    assert err.count("\n") == 1


def test_an_unreachable_database_is_one_line(capsys):
    code, _, err = run(capsys, "show", "12", "--database", "postgresql://postgres@127.0.0.1:1/x")
    assert code == 1 and err.startswith("registry: OperationalError") and err.count("\n") == 1


def test_the_help_reads_as_plain_text_with_examples(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage: registry [-h] COMMAND ...")
    assert "``" not in out and "examples:" in out
    assert "crosswalk --file codes.csv" in out


@pytest.fixture
def political(database_url, capsys) -> str:
    code, out, _ = run(capsys, "load", str(ROOT / "fixtures"), "--database", database_url)
    assert code == 0, out
    return database_url


def test_every_command_takes_an_id_or_an_unambiguous_name(political, capsys):
    db = political
    code, out, _ = run(capsys, "tree", "Tỉnh ủy Lai Châu", "--at", "2025-07-01", "--depth", "1",
                       "--json", "--database", db)
    tree = json.loads(out)
    assert code == 0 and tree["name"] == "Tỉnh ủy Lai Châu"
    assert "Ban Tuyên giáo và Dân vận Tỉnh ủy" in {c["name"] for c in tree["children"]}
    # Case and diacritics do not matter; the id names the same unit.
    code, out, _ = run(capsys, "show", "tinh uy lai chau", "--at", "2025-07-01", "--json",
                       "--database", db)
    assert code == 0 and json.loads(out)["id"] == tree["id"]
    code, out, _ = run(capsys, "show", tree["id"], "--at", "2025-07-01", "--json",
                       "--database", db)
    assert code == 0 and json.loads(out)["name"] == "Tỉnh ủy Lai Châu"
    code, out, _ = run(capsys, "history", "Ban Tuyên giáo và Dân vận Tỉnh ủy", "--database", db)
    assert code == 0 and "merge, whole — 1676-QĐ/TU" in out
    code, out, _ = run(capsys, "lineage", "Phường Đoàn Kết", "--at", "2025-07-01", "--json",
                       "--database", db)
    assert code == 0 and json.loads(out)["unit"]["code"] == "03388"


def test_an_ambiguous_or_unknown_name_is_a_one_line_error(political, capsys):
    db = political
    # Two communes were called Xã Tả Lèng (03400 until 2025-06-30, 03405 from 2025-07-01).
    code, out, err = run(capsys, "history", "Xã Tả Lèng", "--database", db)
    assert code == 2 and out == ""
    assert "'Xã Tả Lèng' names 2 units" in err and "03400" in err and "03405" in err
    assert len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "show", "Xã Tả Lèng", "--at", "2025-06-30", "--json",
                       "--database", db)
    assert code == 0
    code, _, err = run(capsys, "tree", "Nowhere at all", "--at", "2025-07-01", "--database", db)
    assert code == 1 and "no unit holds the code or bears the name 'Nowhere at all'" in err
    # A code no unit holds on the date still says what became of it.
    code, _, err = run(capsys, "show", "03389", "--at", "2025-07-01", "--database", db)
    assert code == 1 and "ended 2025-07-01" in err
