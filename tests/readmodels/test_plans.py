"""Plans (ADR 0008) on SQLite and PostgreSQL: a plan's items, later acts that carry them out, the
status of each item on a date, overdue items; the structure never includes a planned change;
refused documents store nothing; a rebuild answers the same; the log still verifies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from registry import bootstrap
from registry.application.service import Registry
from registry.cli import main
from registry.domain.errors import ActRefused, InvalidInput, NotFound, UnknownReference
from registry.domain.events import Plan
from registry.domain.plans import stream_of

D = date.fromisoformat

BASE = {"act": {"number": "1/BASE", "kind": "baseline", "effective": "2025-01-01"},
        "changes": [{"register": {"units": [
            {"key": "p", "name": "Tỉnh Thử", "type": "tỉnh", "level": "province", "code": "01"},
            {"name": "Sở Nội vụ", "type": "sở", "kind": "state_agency", "parent": {"key": "p"}},
            {"name": "Sở Tài chính", "type": "sở", "kind": "state_agency",
             "parent": {"key": "p"}},
            {"name": "Xã Một", "type": "xã", "level": "commune", "code": "001",
             "parent": {"key": "p"}},
            {"name": "Xã Hai", "type": "xã", "level": "commune", "code": "002",
             "parent": {"key": "p"}},
            {"name": "Xã Ba", "type": "xã", "level": "commune", "code": "003",
             "parent": {"key": "p"}},
        ]}}]}

PLANNED_MERGE = {"merge": {"sources": ["001", "002"],
                           "into": {"name": "Xã Mới", "type": "xã", "level": "commune",
                                    "code": "004", "parent": "01"}}}

PLAN = {"act": {"number": "12/KH-UBND", "kind": "plan", "effective": "2025-02-01",
                "title": "Kế hoạch sắp xếp đơn vị hành chính"},
        "changes": [
            {"clause": "2.2", "plan_item": {
                "id": "2.2(1)", "title": "Nhập Xã Một và Xã Hai", "deadline": "2025-06-30",
                "lead": {"name": "Sở Nội vụ"}, "coordinating": [{"name": "Sở Tài chính"}],
                "change": PLANNED_MERGE}},
            {"clause": "2.2", "plan_item": {
                "id": "2.2(2)", "title": "Đổi tên Xã Ba", "deadline": "2025-03-31",
                "lead": {"name": "Sở Nội vụ"},
                "change": {"rename": {"unit": "003", "name": "Xã Ba Mới"}}}},
            {"clause": "2.3", "plan_item": {
                "id": "2.3", "title": "Một việc bỏ dở", "deadline": "2025-12-31"}},
            {"clause": "2.4", "plan_item": {
                "id": "2.4", "title": "Rà soát", "status": "in_progress",
                "acts": [{"number": "1/BASE"}]}},
        ]}

# The merge happens, and the act says which item it carries out (without acts: itself).
MERGE = {"act": {"number": "20/NQ", "kind": "resolution", "effective": "2025-07-01",
                 "title": "Nghị quyết nhập xã"},
         "changes": [{"clause": "1", **PLANNED_MERGE},
                     {"plan_status": {"plan": {"number": "12/KH-UBND"}, "item": "2.2(1)",
                                      "status": "done"}}]}

# A report: one item done by an earlier act (cited by number), one dropped.
REPORT = {"act": {"number": "30/BC", "kind": "other", "effective": "2025-08-01",
                  "title": "Báo cáo"},
          "changes": [{"plan_status": {"plan": {"title": "Kế hoạch sắp xếp đơn vị hành chính"},
                                       "item": "2.4", "status": "done",
                                       "acts": [{"number": "20/NQ"}]}},
                      {"plan_status": {"plan": {"number": "12/KH-UBND"}, "item": "2.3",
                                       "status": "dropped"}}]}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def record_all(registry: Registry, *documents: dict) -> list[Any]:
    return [registry.record(d, "test") for d in documents]


@pytest.fixture
def planned(database_url: str) -> Iterator[tuple[str, Registry]]:
    registry = bootstrap.build(database_url, Clock())
    record_all(registry, BASE, PLAN, MERGE, REPORT)
    bootstrap.settle(database_url, registry.log)
    yield database_url, registry
    registry.log.close()


def items(view: Any) -> dict[str, dict[str, Any]]:
    return {i["id"]: i for i in view.as_dict()["items"]}


def structure(reader: Any, on: date) -> set[tuple[Any, ...]]:
    units = reader.snapshot(on)
    codes = {u.id: u.code or u.name for u in units}
    return {(u.code, u.name, u.type, u.level, codes.get(u.parent_id)) for u in units}


def test_a_plan_on_a_date_says_what_is_done_by_which_act_and_what_is_overdue(planned):
    url, _ = planned
    with bootstrap.question_reader(url) as reader:
        before = items(reader.plan("12/KH-UBND", D("2025-06-01")))
        merged = items(reader.plan("12/KH-UBND", D("2025-07-01")))
        later = items(reader.plan("12/KH-UBND", D("2025-08-01")))
        too_early = items(reader.plan("12/KH-UBND", D("2025-01-15")))
        whole = reader.plan("12/KH-UBND", D("2025-08-01")).as_dict()

    one = before["2.2(1)"]
    assert (one["status"], one["overdue"], one["acts"]) == ("planned", False, [])
    assert one["lead"]["name"] == "Sở Nội vụ"
    assert [b["name"] for b in one["coordinating"]] == ["Sở Tài chính"]
    assert one["deadline"] == "2025-06-30" and one["clause"] == "2.2"
    assert one["change"] == {"merge": {"sources": ["001", "002"], "into": {
        "name": "Xã Mới", "type": "xã", "level": "commune", "code": "004", "parent": "01"}}}
    assert before["2.2(2)"]["overdue"] is True  # 2025-03-31 passed, nothing done
    assert before["2.4"]["status"] == "in_progress"
    assert [a["number"] for a in before["2.4"]["acts"]] == ["1/BASE"]

    done = merged["2.2(1)"]
    assert (done["status"], done["since"], done["overdue"]) == ("done", "2025-07-01", False)
    assert [(a["number"], a["effective"]) for a in done["acts"]] == [("20/NQ", "2025-07-01")]
    assert [s["status"] for s in done["history"]] == ["planned", "done"]
    assert merged["2.3"]["status"] == "planned"

    assert later["2.3"]["status"] == "dropped" and later["2.3"]["overdue"] is False
    assert later["2.4"]["status"] == "done"
    assert [a["number"] for a in later["2.4"]["acts"]] == ["1/BASE", "20/NQ"]
    assert later["2.4"]["history"][-1]["act"]["number"] == "30/BC"  # who said so
    assert later["2.2(2)"]["overdue"] is True and later["2.2(2)"]["status"] == "planned"
    assert whole["counts"] == {"planned": 1, "in_progress": 0, "done": 2, "dropped": 1,
                               "overdue": 1}
    assert all(i["status"] is None and not i["overdue"] for i in too_early.values())


def test_a_plan_is_found_by_id_number_or_title_and_listed(planned):
    url, registry = planned
    plan_id = next(a.id for a in registry.timeline.acts.values() if a.number == "12/KH-UBND")
    with bootstrap.question_reader(url) as reader:
        by_number = reader.plan("12/KH-UBND", D("2025-08-01")).as_dict()
        assert reader.plan(str(plan_id), D("2025-08-01")).as_dict() == by_number
        assert reader.plan("kế hoạch sắp xếp đơn vị hành chính",
                           D("2025-08-01")).as_dict() == by_number
        with pytest.raises(NotFound):
            reader.plan("20/NQ", D("2025-08-01"))  # an act, but not a plan
        with pytest.raises(NotFound):
            reader.plan("99/KH", D("2025-08-01"))
        listed = reader.plans(D("2025-08-01")).as_dict()
    assert [(p["act"]["number"], p["items"]) for p in listed["items"]] == [("12/KH-UBND", 4)]
    assert listed["items"][0]["counts"]["done"] == 2


def test_the_structure_on_every_date_never_holds_a_planned_change(planned):
    """The same acts without their plan parts give the same structure on every date."""
    url, _ = planned
    twin = bootstrap.build("memory://", Clock())
    record_all(twin, BASE, {**MERGE, "changes": MERGE["changes"][:1]})
    days = [D("2024-12-31") + timedelta(days=n) for n in range(0, 260, 3)]
    with bootstrap.question_reader(url) as reader:
        for day in days:
            expected = {(v.code, v.name, v.type, v.level) for v in twin.timeline.existing(day)}
            assert {s[:4] for s in structure(reader, day)} == expected, day
        assert ("004", "Xã Mới") not in {s[:2] for s in structure(reader, D("2025-06-30"))}
        assert ("003", "Xã Ba Mới") not in {s[:2] for s in structure(reader, D("2025-09-01"))}
        assert not reader.changes(D("2025-02-01"), D("2025-02-01")).items  # the plan's date
    serving = bootstrap.build_reader(url)
    try:
        assert {s[:4] for s in structure(serving, D("2025-02-01"))} == {
            (v.code, v.name, v.type, v.level) for v in twin.timeline.existing(D("2025-02-01"))}
    finally:
        serving.close()


def test_plan_events_live_in_the_plans_stream_and_nowhere_else(planned):
    _url, registry = planned
    plan_id = next(a.id for a in registry.timeline.acts.values() if a.number == "12/KH-UBND")
    events = registry.log.stream(stream_of(plan_id))
    assert [type(e).__qualname__ for e in events] == [
        "Plan.ItemPlanned"] * 4 + ["Plan.ItemStatusChanged"] * 3
    assert [e.originator_version for e in events] == list(range(1, 8))
    assert all(isinstance(e, Plan.Event) for e in events)
    planned_facts = [f for f in registry.timeline.facts() if f.act == plan_id]
    assert planned_facts == []  # the plan act touched no organisation


REFUSED = [
    ("unknown item", {"act": {"kind": "decision", "effective": "2025-09-01"}, "changes": [
        {"plan_status": {"plan": {"number": "12/KH-UBND"}, "item": "9.9", "status": "done"}}]},
     ActRefused, "PlanItemUnknown"),
    ("unknown plan", {"act": {"kind": "decision", "effective": "2025-09-01"}, "changes": [
        {"plan_status": {"plan": {"number": "404/KH"}, "item": "2.3", "status": "done"}}]},
     InvalidInput, "no recorded act"),
    ("an act that is no plan", {"act": {"kind": "decision", "effective": "2025-09-01"},
                                "changes": [{"plan_status": {"plan": {"number": "20/NQ"},
                                                             "item": "2.3", "status": "done"}}]},
     ActRefused, "PlanUnknown"),
    ("plan_item outside a plan", {"act": {"kind": "decision", "effective": "2025-09-01"},
                                  "changes": [{"plan_item": {"id": "1", "title": "x"}}]},
     InvalidInput, "act of kind plan"),
    ("a fact inside a plan", {"act": {"kind": "plan", "effective": "2025-09-01"}, "changes": [
        {"plan_item": {"id": "1", "title": "x"}},
        {"rename": {"unit": "003", "name": "Xã Ba Khác"}}]},
     InvalidInput, "holds only plan_item"),
    ("bad status", {"act": {"kind": "decision", "effective": "2025-09-01"}, "changes": [
        {"plan_status": {"plan": {"number": "12/KH-UBND"}, "item": "2.3",
                         "status": "finished"}}]},
     InvalidInput, "must be one of planned"),
    ("an item twice", {"act": {"kind": "plan", "effective": "2025-09-01"}, "changes": [
        {"plan_item": {"id": "1", "title": "x"}}, {"plan_item": {"id": "1", "title": "y"}}]},
     InvalidInput, "given twice"),
    ("an unknown lead", {"act": {"kind": "plan", "effective": "2025-09-01"}, "changes": [
        {"plan_item": {"id": "1", "title": "x", "lead": {"name": "Sở Không Có"}}}]},
     UnknownReference, "Sở Không Có"),
    ("a lead ended by then", {"act": {"kind": "plan", "effective": "2025-09-01"}, "changes": [
        {"plan_item": {"id": "1", "title": "x", "lead": "001"}}]},
     UnknownReference, "001"),
    ("a bad planned change", {"act": {"kind": "plan", "effective": "2025-09-01"}, "changes": [
        {"plan_item": {"id": "1", "title": "x", "change": {"merge": {"sources": []}}}}]},
     InvalidInput, "plan_item.change"),
    ("an unquoted item id", {"act": {"kind": "plan", "effective": "2025-09-01"}, "changes": [
        {"plan_item": {"id": 2.3, "title": "x"}}]},
     InvalidInput, "quote it"),
    ("a bad deadline", {"act": {"kind": "plan", "effective": "2025-09-01"}, "changes": [
        {"plan_item": {"id": "1", "title": "x", "deadline": "2025-02-30"}}]},
     InvalidInput, "deadline"),
    ("a status before the plan", {"act": {"kind": "decision", "effective": "2025-01-15"},
                                  "changes": [{"plan_status": {
                                      "plan": {"number": "12/KH-UBND"}, "item": "2.3",
                                      "status": "done"}}]},
     ActRefused, "PlanStatusBeforePlan"),
    ("an unknown implementing act", {"act": {"kind": "decision", "effective": "2025-09-01"},
                                     "changes": [{"plan_status": {
                                         "plan": {"number": "12/KH-UBND"}, "item": "2.3",
                                         "status": "done", "acts": [{"number": "77/QD"}]}}]},
     InvalidInput, "77/QD"),
]


@pytest.mark.parametrize("what, document, error, says", REFUSED, ids=[r[0] for r in REFUSED])
def test_a_refused_plan_document_stores_nothing(planned, what, document, error, says):
    _url, registry = planned
    before = registry.log.last_id()
    with pytest.raises(error) as caught:
        registry.record(document, "test")
    assert says in str(caught.value)
    assert registry.log.last_id() == before
    assert len(registry.timeline.plans) == 1


def test_a_withdrawn_plan_answers_nothing_but_as_known_before_it_does(planned):
    url, registry = planned
    plan_id = next(a.id for a in registry.timeline.acts.values() if a.number == "12/KH-UBND")
    with bootstrap.question_reader(url) as reader:
        shown = reader.plan("12/KH-UBND", D("2025-08-01")).as_dict()
    moment = registry.clock.now
    registry.record({"act": {"kind": "correction", "effective": "2025-09-01"}, "changes": [
        {"withdraw": {"act": str(plan_id), "reason": "thử"}}]}, "test")
    bootstrap.settle(url, registry.log)
    with bootstrap.question_reader(url) as reader:
        with pytest.raises(NotFound, match="withdrawn"):
            reader.plan("12/KH-UBND", D("2025-08-01"))
        assert reader.plans(D("2025-08-01")).items == []
        assert reader.plan("12/KH-UBND", D("2025-08-01"), moment).as_dict() == shown
    with pytest.raises(InvalidInput, match="12/KH-UBND"):
        registry.record({"act": {"kind": "decision", "effective": "2025-09-02"}, "changes": [
            {"plan_status": {"plan": {"number": "12/KH-UBND"}, "item": "2.3",
                             "status": "done"}}]}, "test")


def test_a_withdrawn_status_change_no_longer_counts(planned):
    url, registry = planned
    report = next(a.id for a in registry.timeline.acts.values() if a.number == "30/BC")
    registry.record({"act": {"kind": "correction", "effective": "2025-09-01"}, "changes": [
        {"withdraw": {"act": str(report), "reason": "sai"}}]}, "test")
    bootstrap.settle(url, registry.log)
    with bootstrap.question_reader(url) as reader:
        later = items(reader.plan("12/KH-UBND", D("2025-08-01")))
    assert later["2.3"]["status"] == "planned" and later["2.4"]["status"] == "in_progress"


def test_a_rebuild_answers_the_same_and_the_log_verifies(planned, capsys):
    url, registry = planned
    dates = [D("2025-01-15"), D("2025-06-01"), D("2025-07-01"), D("2025-08-01")]

    def answers() -> list[Any]:
        with bootstrap.question_reader(url) as reader:
            return [reader.plan("12/KH-UBND", d).as_dict() for d in dates] + [
                reader.plans(d).as_dict() for d in dates]

    serving = bootstrap.build_reader(url)
    try:  # a server's reader (its index) answers as a command's does
        assert [serving.plan("12/KH-UBND", d).as_dict() for d in dates] + [
            serving.plans(d).as_dict() for d in dates] == answers()
    finally:
        serving.close()
    store = bootstrap.build_projection(url)
    before, rows = answers(), store.store.dump()
    assert rows["plan_items"] and len(rows["plan_statuses"]) == 3
    try:
        assert store.rebuild() == registry.log.last_id()
    finally:
        store.close()
    store = bootstrap.build_projection(url)
    try:
        assert store.store.dump() == rows
    finally:
        store.close()
    assert answers() == before

    capsys.readouterr()
    assert main(["verify", "--database", url, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["acts"] == 4 and report["unhashed_acts"] == 0

    # and a fresh recorder folds the plan back in from the log
    again = bootstrap.build(url, Clock())
    try:
        again.catch_up()
        assert again.timeline.plans == registry.timeline.plans
    finally:
        again.log.close()


def test_plan_show_on_the_command_line(planned, capsys):
    url, _ = planned
    capsys.readouterr()
    assert main(["plan", "show", "12/KH-UBND", "--at", "2025-08-01", "--database", url]) == 0
    out = capsys.readouterr().out
    assert "12/KH-UBND" in out and "OVERDUE" in out
    line = next(x for x in out.splitlines() if "2.2(1)" in x)
    assert "done 2025-07-01" in line and "20/NQ" in line and "Sở Nội vụ" in line
    assert main(["plan", "show", "12/KH-UBND", "--at", "2025-08-01", "--json",
                 "--database", url]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["overdue"] == 1
    assert main(["plan", "list", "--at", "2025-08-01", "--database", url]) == 0
    assert "12/KH-UBND" in capsys.readouterr().out
    assert main(["plan", "show", "404/KH", "--database", url]) == 1
    assert "no plan" in capsys.readouterr().err
