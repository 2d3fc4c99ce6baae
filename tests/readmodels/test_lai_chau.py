"""Resolution 1670/NQ-UBTVQH15 in Lai Châu, answered from the read models on both backends.

The expected lineage is the official mapping (``data/lai_chau_commune_mapping_2025.csv``, a copy of
the NSO conversion table with the resolution's clauses): 106 old communes, 38 new ones.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from registry.cli import main
from registry.domain.errors import InvalidInput, NotFound

BEFORE, AFTER = date(2025, 6, 30), date(2025, 7, 1)
MAPPING = Path(__file__).parent / "data" / "lai_chau_commune_mapping_2025.csv"


def mapping() -> list[dict[str, str]]:
    with MAPPING.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def clause(legal_basis: str) -> str:
    found = re.search(r"Điều \d+ khoản \d+", legal_basis)
    assert found, legal_basis
    return found.group(0)


def test_the_mapping_has_106_old_and_38_new_communes():
    rows = mapping()
    assert len({r["old_code"] for r in rows}) == 106
    assert len({r["new_code"] for r in rows}) == 38


def test_each_old_commune_leads_transitively_to_exactly_its_new_commune(lai_chau):
    reader = lai_chau.reader
    for row in mapping():
        old = reader.by_code(row["old_code"], BEFORE, "commune").unit
        new = reader.by_code(row["new_code"], AFTER, "commune").unit
        steps = reader.lineage(old.id, "successors", depth=None)
        if row["kind"] == "unchanged":
            assert steps == [] and new.id == old.id, row
            continue
        assert {s.unit.id for s in steps} == {new.id}, row
        assert all(s.edge == "whole" and s.on == AFTER for s in steps)


def test_each_new_commune_comes_from_exactly_its_mapped_old_communes_with_clauses(lai_chau):
    reader = lai_chau.reader
    expected: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for row in mapping():
        if row["kind"] != "unchanged":
            expected[row["new_code"]].add((row["old_code"], clause(row["legal_basis"])))
    assert len(expected) == 36
    for new_code, sources in expected.items():
        new = reader.by_code(new_code, AFTER, "commune").unit
        steps = reader.lineage(new.id, "predecessors", depth=None)
        assert {(s.unit.code, s.clause) for s in steps} == sources, new_code
        assert all(s.act is not None and s.act.number == "1670/NQ-UBTVQH15" for s in steps)
        assert all(s.unit.valid_to == AFTER for s in steps)  # as they stood the day before


def test_the_diff_across_the_reform_within_lai_chau(lai_chau):
    reader = lai_chau.reader
    province = reader.by_code("12", AFTER, "province").unit
    diff = reader.diff(BEFORE, AFTER, within=province.id)
    ended_units = [i.unit for i in diff.ended if i.unit.kind == "administrative_unit"]
    begun_units = [i.unit for i in diff.begun if i.unit.kind == "administrative_unit"]
    assert sum(u.level == "district" for u in ended_units) == 8
    assert sum(u.level == "commune" for u in ended_units) == 104
    assert len(ended_units) == 112
    assert len(begun_units) == 36 and all(u.level == "commune" for u in begun_units)
    assert {i.unit.name for i in diff.moved} == {"Xã Mù Cả", "Xã Tà Tổng"}
    assert all(a.number == "1670/NQ-UBTVQH15" for i in diff.begun for a in i.acts)
    assert not diff.renamed and not diff.recoded


def test_a_reused_code_is_resolved_by_date_with_a_warning(lai_chau):
    reader = lai_chau.reader
    match = reader.by_code("03388", AFTER, "commune")
    assert match.unit.name == "Phường Đoàn Kết"
    assert any("Phường Quyết Tiến" in w for w in match.warnings)
    assert reader.by_code("03388", BEFORE, "commune").unit.name == "Phường Quyết Tiến"
    with pytest.raises(NotFound):
        reader.by_code("03388", date(2024, 1, 1), "commune")


def test_crosswalk_goes_from_an_old_address_to_today_and_back(lai_chau):
    reader = lai_chau.reader
    forward = reader.crosswalk("03386", "commune", BEFORE, date(2026, 1, 1))
    assert [(i.target.code, i.target.name, i.edges) for i in forward] == [
        ("03388", "Phường Đoàn Kết", ["whole"])]
    back = reader.crosswalk("03388", "commune", date(2026, 1, 1), BEFORE)
    assert {i.target.code for i in back} == {"03386", "03388", "03389", "03391", "03403"}
    same = reader.crosswalk("03451", "commune", BEFORE, AFTER)
    assert len(same) == 1 and not same[0].path and same[0].target.name == "Xã Mù Cả"


def test_snapshots_trees_and_ancestors_on_both_sides(lai_chau):
    reader = lai_chau.reader
    province = reader.by_code("12", BEFORE, "province").unit
    before = [u for u in reader.snapshot(BEFORE, province.id) if u.kind == "administrative_unit"]
    after = [u for u in reader.snapshot(AFTER, province.id) if u.kind == "administrative_unit"]
    assert len(before) == 1 + 8 + 106 and len(after) == 1 + 38
    commune = reader.by_code("03451", BEFORE, "commune").unit
    assert [a.level for a in reader.ancestors(commune.id, BEFORE)] == ["district", "province"]
    assert [a.level for a in reader.ancestors(commune.id, AFTER)] == ["province"]
    tree = reader.subtree(province.id, AFTER, depth=1)
    assert sum(c["level"] == "commune" for c in tree["children"]) == 38


def test_history_lists_every_version_and_the_act_behind_each_event(lai_chau):
    reader = lai_chau.reader
    mu_ca = reader.by_code("03451", AFTER, "commune").unit
    history = reader.history(mu_ca.id)
    assert [(v.valid_from, v.valid_to) for v in history.versions] == [
        (date(2025, 1, 4), AFTER), (AFTER, None)]
    assert history.history_before_unknown
    assert all(e.act is not None for e in history.events)
    assert json.dumps(history.as_dict(), ensure_ascii=False)


def test_the_change_feed_pages_through_the_whole_log_once_in_order(lai_chau):
    reader = lai_chau.reader
    seen, after = [], 0
    while True:
        page = reader.feed(after, 97)
        if not page.items:
            break
        seen += [i.position for i in page.items]
        after = page.next
    assert seen == sorted(set(seen))
    assert len(seen) == lai_chau.registry.log.last_id() == seen[-1]


def test_pages_of_units_follow_their_cursor_and_refuse_a_forged_one(lai_chau):
    reader = lai_chau.reader
    seen, cursor = [], None
    while True:
        page = reader.units(AFTER, level="commune", limit=10, cursor=cursor)
        seen += [u.code for u in page.items]
        cursor = page.next
        if cursor is None:
            break
    assert len(seen) == 38 == len(set(seen)) and seen == sorted(seen)
    with pytest.raises(InvalidInput) as e:
        reader.units(AFTER, cursor="not a cursor!")
    assert e.value.field == "cursor"


def run(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return code, out


def test_search_ignores_diacritics_and_finds_historical_names(lai_chau, capsys):
    _, out = run(capsys, "search", "doan ket", "--at", "2025-06-30", "--database", lai_chau.url)
    assert out.splitlines()[0].startswith(
        "Phường Đoàn Kết · Thành phố Lai Châu · Tỉnh Lai Châu (03389)")
    _, out = run(capsys, "search", "lai chau", "--database", lai_chau.url)
    assert out.splitlines()[0].startswith("Tỉnh Lai Châu (12)")
    hits = lai_chau.reader.search("PHUONG DOAN KET")
    assert {(h.unit.code, h.valid_to) for h in hits} == {("03389", AFTER), ("03388", None)}
    stored_as = lai_chau.reader.search("Pa Khoá")  # the name as stored
    assert stored_as and stored_as == lai_chau.reader.search("pa khóa")  # tone on the other vowel
    assert stored_as[0].name == "Xã Pa Khoá" and stored_as[0].score == 0


def test_export_writes_the_units_of_a_date_as_csv(lai_chau, capsys):
    _, out = run(capsys, "export", "--at", "2025-07-01", "--within", "12", "--format", "csv",
                 "--database", lai_chau.url)
    rows = list(csv.DictReader(out.splitlines()))
    assert list(rows[0])[:8] == ["type", "code", "name", "parent_code", "kind", "level",
                                 "valid_from", "valid_to"]
    communes = [r for r in rows if r["level"] == "commune"]
    assert len(communes) == 38 and all(r["parent_code"] == "12" for r in communes)


def test_lineage_and_diff_on_the_command_line(lai_chau, capsys):
    _, out = run(capsys, "lineage", "03388", "--at", "2025-07-01", "--json",
                 "--database", lai_chau.url)
    found = json.loads(out)
    assert len(found["predecessors"]) == 5 and found["successors"] == []
    _, out = run(capsys, "diff", "--from", "2025-06-30", "--to", "2025-07-01", "--within", "12",
                 "--json", "--database", lai_chau.url)
    assert json.loads(out)["counts"]["begun"] == 36


def test_migrate_and_rebuild_on_the_command_line_leave_the_same_rows(lai_chau, capsys):
    store = lai_chau.reader.source.store
    before = store.dump()
    _, out = run(capsys, "migrate", "--database", lai_chau.url)
    assert "newest revision" in out
    _, out = run(capsys, "rebuild", "--database", lai_chau.url)
    assert f"position {lai_chau.registry.log.last_id()}" in out
    assert store.dump() == before and len(before["unit_versions"]) > 150


def test_acts_recorded_later_reach_the_reader_with_their_recording_time(lai_chau):
    reader = lai_chau.reader
    first = reader.last_change()
    mu_ca = reader.by_code("03451", AFTER, "commune").unit
    lai_chau.registry.record({
        "act": {"kind": "decision", "effective": "2026-03-01", "number": None,
                "note": "test only: a made-up renaming"},
        "changes": [{"rename": {"unit": {"id": str(mu_ca.id)}, "name": "Xã Mù Cả Mới"}}]},
        "test")
    reader.refresh()
    assert reader.unit(mu_ca.id, date(2026, 3, 1)).name == "Xã Mù Cả Mới"
    assert reader.unit(mu_ca.id, date(2026, 3, 1), known_at=first).name == "Xã Mù Cả"
    assert [(i.before.name, i.after.name) for i in reader.diff(AFTER, date(2026, 3, 1)).renamed
            ] == [("Xã Mù Cả", "Xã Mù Cả Mới")]
