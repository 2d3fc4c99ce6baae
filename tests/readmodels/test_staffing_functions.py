"""Staffing figures and targets, function holdings: recorded by acts, folded into their read models,
answered by the reader (both backends, the serving reader and a command's reader alike).

Every figure here is MADE UP for the test: none is a real staffing figure of any organisation.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from registry import bootstrap
from registry.domain.errors import ActRefused, InvalidInput
from tests.conftest import TickingClock
from tests.readmodels.conftest import fresh_database

D = date.fromisoformat
RELIGION = "Quản lý nhà nước về tôn giáo"


def act(effective: str, *changes: dict, number: str | None = None) -> dict:
    return {"act": {"number": number, "kind": "decision", "effective": effective},
            "changes": list(changes)}


def dept(key: str, name: str) -> dict:
    return {"key": key, "name": name, "type": "sở", "kind": "state_agency",
            "parent": {"code": "P1"}}


def named(name: str) -> dict:
    return {"name": name, "parent": {"code": "P1"}}


def staffing(unit: dict, value: int, measure: str = "quota") -> dict:
    return {"staffing": {"unit": unit, "measure": measure, "value": value}}


BASELINE = act("2020-01-01", {"register": {"units": [
    {"key": "P1", "code": "P1", "name": "Ủy ban nhân dân Tỉnh Thử", "type": "ủy ban",
     "kind": "state_agency", "level": "province"},
    dept("NV", "Sở Nội vụ"), dept("LD", "Sở Lao động"), dept("TC", "Sở Tài chính"),
    dept("KH", "Sở Kế hoạch"), dept("XD", "Sở Xây dựng"), dept("TN", "Sở Thanh niên"),
]}}, number="BASE")

# Made-up figures on 2024-12-31 (quota): 50 + 30 + 40 + 20 + 60 + 10 = 210.
FIGURES = act("2024-12-31", staffing(named("Sở Nội vụ"), 50),
              staffing(named("Sở Lao động"), 30), staffing(named("Sở Tài chính"), 40),
              staffing(named("Sở Kế hoạch"), 20), staffing(named("Sở Xây dựng"), 60),
              staffing(named("Sở Thanh niên"), 10), number="FIG-2024")

TARGET = act("2025-02-01", {"staffing_target": {
    "unit": {"code": "P1"}, "measure": "quota", "change_percent": -20, "baseline": "2024-12-31",
    "deadline": "2025-12-31", "description": "at least 20% fewer (test target)"}},
    {"staffing_target": {"unit": {"code": "P1"}, "measure": "quota",
                         "description": "streamline (no number stated)"}}, number="TARGET")

REFORM = act("2025-03-01",
             # Nội vụ + Lao động merge into a new Sở Nội vụ (a new organisation)
             {"merge": {"sources": [named("Sở Nội vụ"), named("Sở Lao động")],
                        "into": dept("NNV", "Sở Nội vụ")}},
             # Tài chính absorbs Kế hoạch
             {"absorb": {"sources": [named("Sở Kế hoạch")], "into": named("Sở Tài chính")}},
             # Xây dựng splits 0.75 / 0.25 into two new departments
             {"split": {"source": named("Sở Xây dựng"), "into": [
                 {**dept("XD1", "Sở Xây dựng mới"), "share": 0.75},
                 {**dept("XD2", "Sở Giao thông"), "share": 0.25}]}},
             # Thanh niên ends without a successor
             {"dissolve": {"unit": named("Sở Thanh niên")}},
             number="REFORM")

# Made-up figures after the reform: 60 + 45 + 40 + 10 = 155 (-26.19% against 210).
AFTER = act("2025-07-01", staffing(named("Sở Nội vụ"), 60),
            staffing(named("Sở Tài chính"), 45), staffing(named("Sở Xây dựng mới"), 40),
            staffing(named("Sở Giao thông"), 10), number="FIG-2025")


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path: Any):
    with fresh_database(request.param, tmp_path) as url:
        registry = bootstrap.build(url, TickingClock())
        try:
            yield url, registry
        finally:
            registry.log.close()


def record(registry: Any, *docs: dict) -> None:
    for doc in docs:
        registry.record(doc, "test")


def readers(url: str) -> list[Any]:
    """The serving reader (every row) and a command's reader (only what it asks), caught up."""
    bootstrap.settle(url)
    return [bootstrap.build_reader(url), bootstrap.question_reader(url)]


def question(url: str) -> Any:
    bootstrap.settle(url)
    return bootstrap.question_reader(url)


def root(reader: Any) -> Any:
    return reader.by_code("P1", D("2025-07-01")).unit


def test_staffing_report_is_lineage_aware_and_compares_the_targets(world):
    url, registry = world
    record(registry, BASELINE, FIGURES, TARGET, REFORM, AFTER)
    answers = []
    for reader in readers(url):
        with reader:
            r = reader.staffing(root(reader).id, D("2024-12-31"), D("2025-07-01")).as_dict()
        answers.append(r)
        lines = {ln["unit"]["name"]: ln for ln in r["lines"]}
        # the merged Sở Nội vụ: its baseline is its predecessors' sum
        nv = lines["Sở Nội vụ"]
        assert nv["status"] == "new" and nv["from"] == 80 and nv["to"] == 60
        assert sorted(p["name"] for p in nv["baseline"]) == ["Sở Lao động", "Sở Nội vụ"]
        # the absorbing department: its own figure plus the absorbed one's
        assert lines["Sở Tài chính"]["status"] == "continues"
        assert lines["Sở Tài chính"]["from"] == 60 and lines["Sở Tài chính"]["to"] == 45
        # a split with shares: each part's baseline is its share of the source's figure
        assert lines["Sở Xây dựng mới"]["from"] == 45 and lines["Sở Giao thông"]["from"] == 15
        assert not lines["Sở Xây dựng mới"]["estimate"]
        # ended without a successor: a line of its own, counted on the first date
        assert lines["Sở Thanh niên"]["status"] == "ended"
        assert lines["Sở Thanh niên"]["from"] == 10 and lines["Sở Thanh niên"]["to"] == 0
        assert r["totals"]["from"] == 210 and r["totals"]["to"] == 155
        assert r["totals"]["change"] == -55 and r["totals"]["change_percent"] == -26.19
        assert r["totals"]["complete"] and not r["missing"]
        assert sum(ln["from"] for ln in r["lines"]) == r["totals"]["from"]
        by_status = {t["description"]: t["status"] for t in r["targets"]}
        assert by_status == {"at least 20% fewer (test target)": "met",
                             "streamline (no number stated)": "not_measurable"}
        numbered = next(t for t in r["targets"] if t["change_percent"] == -20)
        assert numbered["act"]["number"] == "TARGET"
        assert nv["to_figure"]["act"]["number"] == "FIG-2025"
    assert answers[0] == answers[1]


def test_a_split_without_shares_is_reported_as_an_estimate(world):
    url, registry = world
    record(registry, BASELINE, FIGURES, act("2025-03-01", {"split": {
        "source": named("Sở Xây dựng"), "into": [dept("A", "Sở A"), dept("B", "Sở B")]}}))
    for reader in readers(url):
        with reader:
            r = reader.staffing(root(reader).id, D("2024-12-31"), D("2025-07-01")).as_dict()
        lines = {ln["unit"]["name"]: ln for ln in r["lines"]}
        assert lines["Sở A"]["estimate"] and lines["Sở A"]["from"] == 30
        assert any("estimate" in n for n in r["notes"])
        # no figure on the second date for the new departments: null, listed, never invented
        assert lines["Sở A"]["to"] is None and r["totals"]["to"] is None
        assert not r["totals"]["complete"]
        assert {m["on"] for m in r["missing"]} == {"2025-07-01"}
        assert all(t["status"] == "not_measurable" for t in r["targets"])


def test_a_later_figure_replaces_the_earlier_and_a_withdrawn_one_disappears(world):
    url, registry = world
    record(registry, BASELINE, FIGURES)
    wrong = registry.record(act("2025-01-15", staffing(named("Sở Nội vụ"), 999)), "test")
    with question(url) as reader:
        r = reader.staffing(root(reader).id, D("2024-12-31"), D("2025-02-01")).as_dict()
    assert r["totals"]["to"] == 210 - 50 + 999
    record(registry, act("2025-06-01", {"withdraw": {"act": str(wrong.act_id),
                                                     "reason": "typo"}}))
    for reader in readers(url):
        with reader:
            r = reader.staffing(root(reader).id, D("2024-12-31"), D("2025-02-01")).as_dict()
        assert r["totals"]["to"] == 210 and r["totals"]["change"] == 0


def test_function_transfer_who_held_before_and_after(world):
    url, registry = world
    record(registry, BASELINE,
           act("2020-01-01", {"assign_function": {"unit": named("Sở Nội vụ"),
                                                  "function": RELIGION}}, number="ASSIGN"),
           act("2025-03-01", {"establish": {"unit": dept("DT", "Sở Dân tộc và Tôn giáo")}},
               {"transfer_function": {"function": "quản lý nhà nước về tôn giáo",
                                      "from": named("Sở Nội vụ"), "to": {"key": "DT"}},
                "clause": "Điều 2"}, number="TRANSFER"))
    for reader in readers(url):
        with reader:
            before = reader.function_holders(RELIGION, D("2025-02-28"))
            after = reader.function_holders("QUẢN LÝ NHÀ NƯỚC VỀ TÔN GIÁO", D("2025-03-01"))
            nv = reader.by_code("P1", D("2025-02-28")).unit
            mine = reader.functions(before[0].unit.id, D("2025-02-28"))
            later = reader.functions(before[0].unit.id, D("2025-03-01"))
            never = reader.function_holders(RELIGION, D("2019-12-31"))
        assert [h.unit.name for h in before] == ["Sở Nội vụ"]
        assert before[0].since == D("2020-01-01") and before[0].until == D("2025-03-01")
        assert before[0].act.number == "ASSIGN"
        assert [h.unit.name for h in after] == ["Sở Dân tộc và Tôn giáo"]
        h = after[0].as_dict()
        assert h["since"] == "2025-03-01" and h["until"] is None
        assert h["source_id"] == str(before[0].unit.id) and h["act"]["number"] == "TRANSFER"
        assert h["clause"] == "Điều 2"
        assert [x.function for x in mine] == [RELIGION] and later == [] and never == []
        assert nv.name.startswith("Ủy ban")


def test_a_holder_that_ends_just_stops_holding(world):
    url, registry = world
    record(registry, BASELINE,
           act("2020-01-01", {"assign_function": {"unit": named("Sở Thanh niên"),
                                                  "function": "Công tác thanh niên"}}),
           act("2025-03-01", {"dissolve": {"unit": named("Sở Thanh niên")}}))
    with question(url) as reader:
        assert [h.unit.name for h in reader.function_holders("Công tác thanh niên",
                                                             D("2025-02-28"))] == ["Sở Thanh niên"]
        assert reader.function_holders("Công tác thanh niên", D("2025-03-01")) == []


def count(registry: Any) -> int:
    return registry.log.last_id()


@pytest.mark.parametrize("doc,rule", [
    # a transfer from a department that does not hold the function
    (act("2025-03-01", {"transfer_function": {"function": RELIGION,
                                              "from": named("Sở Lao động"),
                                              "to": named("Sở Tài chính")}}), "FunctionNotHeld"),
    # a function assigned twice
    (act("2021-01-01", {"assign_function": {"unit": named("Sở Nội vụ"),
                                            "function": RELIGION.upper()}}),
     "FunctionAlreadyHeld"),
    # removing a function not held
    (act("2021-01-01", {"remove_function": {"unit": named("Sở Tài chính"),
                                            "function": RELIGION}}), "FunctionNotHeld"),
    # a figure outside the organisation's lifetime (the department is named by id, so the
    # reference resolves; the fact falls before its beginning)
    (None, "OutsideLifetime"),
])
def test_refused_documents_store_nothing(world, doc, rule):
    url, registry = world
    record(registry, BASELINE, act("2020-01-01", {"assign_function": {
        "unit": named("Sở Nội vụ"), "function": RELIGION}}))
    if doc is None:
        with question(url) as reader:
            nv = reader.search("Sở Nội vụ", D("2020-01-01"))[0].unit.id
        doc = act("2019-06-01", staffing({"id": str(nv)}, 10))
    before = count(registry)
    with pytest.raises(ActRefused) as caught:
        registry.record(doc, "test")
    assert count(registry) == before
    assert {v.rule for v in caught.value.violations} == {rule}
    assert caught.value.violations[0].on is not None


@pytest.mark.parametrize("body,field", [
    ({"unit": {"code": "P1"}, "measure": "quota", "value": -1}, "value"),
    ({"unit": {"code": "P1"}, "measure": "quota", "value": 1.5}, "value"),
    ({"unit": {"code": "P1"}, "measure": "quota", "value": True}, "value"),
    ({"unit": {"code": "P1"}, "measure": "headcount", "value": 3}, "measure"),
    ({"unit": {"code": "P1"}, "measure": "quota", "value": 3, "extra": 1}, "extra"),
])
def test_malformed_figures_are_refused_with_their_field(world, body, field):
    _, registry = world
    record(registry, BASELINE)
    before = count(registry)
    with pytest.raises(InvalidInput) as caught:
        registry.record(act("2024-01-01", {"staffing": body}), "test")
    assert caught.value.field == f"changes[0].staffing.{field}"
    assert count(registry) == before


def test_rebuild_gives_the_same_rows(world):
    url, registry = world
    record(registry, BASELINE, FIGURES, TARGET, REFORM, AFTER,
           act("2020-01-01", {"assign_function": {"unit": named("Sở Nội vụ"),
                                                  "function": RELIGION}}))
    projection = bootstrap.build_projection(url)
    try:
        projection.catch_up()
        before = projection.store.dump()
        projection.rebuild()
        after = projection.store.dump()
    finally:
        projection.close()
    assert before == after
    assert len(after["staffing_figures"]) == 10 and len(after["staffing_targets"]) == 2
    assert len(after["function_holdings"]) == 1
    # the merged Sở Nội vụ ended holding the function: its holding is clipped to its lifetime
    assert after["function_holdings"][0][3] == D("2025-03-01")


# -- the command line --------------------------------------------------------------------

def run(capsys: Any, *args: str) -> tuple[int, str, str]:
    from registry.cli import main

    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_line_reports_staffing_and_function_holders(world, tmp_path, capsys):
    import json

    url, _ = world
    folder = tmp_path / "acts"
    folder.mkdir()
    docs = [BASELINE, FIGURES, TARGET, REFORM, AFTER,
            act("2020-01-01", {"assign_function": {"unit": named("Sở Nội vụ"),
                                                   "function": RELIGION}}, number="ASSIGN")]
    for i, doc in enumerate(docs):
        (folder / f"{i:02d}.json").write_text(json.dumps(doc, ensure_ascii=False))
    code, out, err = run(capsys, "load", str(folder), "--database", url)
    assert code == 0, err
    code, out, err = run(capsys, "staffing", "P1", "--from", "2024-12-31", "--to", "2025-07-01",
                         "--database", url)
    assert code == 0, err
    assert "Sở Nội vụ" in out and "-26.19%" in out and ": met" in out
    assert "Sở Thanh niên" in out and "ended" in out
    code, out, err = run(capsys, "staffing", "P1", "--from", "2024-12-31", "--to", "2025-07-01",
                         "--measure", "in_post", "--json", "--database", url)
    report = json.loads(out)
    assert code == 0 and report["measure"] == "in_post" and report["lines"] == []
    code, out, err = run(capsys, "function", RELIGION, "--at", "2024-06-01", "--json",
                         "--database", url)
    holders = json.loads(out)
    assert code == 0 and [h["name"] for h in holders] == ["Sở Nội vụ"]
    assert holders[0]["act"]["number"] == "ASSIGN" and holders[0]["since"] == "2020-01-01"
    code, out, err = run(capsys, "function", RELIGION, "--at", "2024-06-01", "--database", url)
    assert code == 0 and "Sở Nội vụ" in out and "since 2020-01-01" in out
    code, out, err = run(capsys, "staffing", "NOPE", "--from", "2024-12-31", "--to",
                         "2025-07-01", "--database", url)
    assert code == 1 and err.startswith("registry: ") and len(err.splitlines()) == 1
    code, out, err = run(capsys, "staffing", "P1", "--from", "2025-12-31", "--to",
                         "2025-07-01", "--measure", "in_post", "--category", "x", "--json",
                         "--database", url)
    assert code == 0 and json.loads(out)["from"] == "2025-07-01"
    with pytest.raises(SystemExit) as exited:
        run(capsys, "staffing", "P1", "--from", "2025-13-31", "--to", "2025-07-01",
            "--database", url)
    assert exited.value.code == 2 and "2025-13-31" in capsys.readouterr().err


def test_a_function_passes_on_from_a_department_that_ends_the_same_day(world):
    url, registry = world
    record(registry, BASELINE,
           act("2020-01-01", {"assign_function": {"unit": named("Sở Lao động"),
                                                  "function": "Giảm nghèo"}}),
           act("2025-03-01",
               {"merge": {"sources": [named("Sở Nội vụ"), named("Sở Lao động")],
                          "into": dept("NNV", "Sở Nội vụ")}},
               {"transfer_function": {"function": "Giảm nghèo", "from": named("Sở Lao động"),
                                      "to": {"key": "NNV"}}}))
    with question(url) as reader:
        before = reader.function_holders("giảm nghèo", D("2025-02-28"))
        after = reader.function_holders("giảm nghèo", D("2025-03-01"))
    assert [(h.unit.name, h.until) for h in before] == [("Sở Lao động", D("2025-03-01"))]
    assert [(h.unit.name, h.since) for h in after] == [("Sở Nội vụ", D("2025-03-01"))]
    assert after[0].source_id == before[0].unit.id


def test_a_unit_formed_between_the_dates_takes_its_predecessors_subtrees_as_baseline(world):
    url, registry = world
    province = {"type": "ủy ban", "kind": "state_agency", "level": "province"}
    record(registry, act("2020-01-01", {"register": {"units": [
        {"key": "P1", "code": "P1", "name": "Ủy ban Tỉnh Một", **province},
        {"key": "P2", "code": "P2", "name": "Ủy ban Tỉnh Hai", **province},
        {"key": "A", "name": "Sở Y tế", "type": "sở", "kind": "state_agency",
         "parent": {"key": "P1"}},
        {"key": "B", "name": "Sở Y tế", "type": "sở", "kind": "state_agency",
         "parent": {"key": "P2"}},
    ]}}), act("2024-12-31",
              staffing({"name": "Sở Y tế", "parent": {"code": "P1"}}, 30),
              staffing({"name": "Sở Y tế", "parent": {"code": "P2"}}, 20),
              {"staffing": {"unit": {"name": "Sở Y tế", "parent": {"code": "P1"}},
                            "measure": "in_post", "category": "viên chức", "value": 12}}),
        act("2025-07-01",
            {"merge": {"sources": [{"code": "P1"}, {"code": "P2"}], "into": {
                "key": "P3", "code": "P3", "name": "Ủy ban Tỉnh Mới", **province}}},
            {"merge": {"sources": [{"name": "Sở Y tế", "parent": {"code": "P1"}},
                                   {"name": "Sở Y tế", "parent": {"code": "P2"}}],
                       "into": {"key": "Y", "name": "Sở Y tế", "type": "sở",
                                "kind": "state_agency", "parent": {"key": "P3"}}}}),
        act("2025-08-01", staffing({"name": "Sở Y tế", "parent": {"code": "P3"}}, 44)))
    with question(url) as reader:
        new = reader.by_code("P3", D("2025-08-01")).unit.id
        r = reader.staffing(new, D("2024-12-31"), D("2025-08-01")).as_dict()
        viên = reader.staffing(new, D("2024-12-31"), D("2025-08-01"), "in_post",
                               "viên chức").as_dict()
    assert r["totals"]["from"] == 50 and r["totals"]["to"] == 44
    assert r["totals"]["change_percent"] == -12.0
    (line,) = r["lines"]
    assert line["status"] == "new" and line["from"] == 50
    # the committees have no figures (nor had their predecessors): outside the totals
    assert [u["name"] for u in r["unreported"]] == ["Ủy ban Tỉnh Mới"]
    # a category: its own figures only; the merged department has none yet: missing, no total
    assert viên["totals"]["from"] == 12 and viên["totals"]["to"] is None
    assert viên["missing"] == [{"id": line["unit"]["id"], "name": "Sở Y tế",
                                "on": "2025-08-01"}]
