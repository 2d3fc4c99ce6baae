"""Recording acts against the whole timeline: what is accepted, what is refused and why."""

from __future__ import annotations

from datetime import date

import pytest

from registry import bootstrap
from registry.application.service import Registry
from registry.domain.errors import (
    ActRefused,
    AmbiguousReference,
    IdempotencyKeyReused,
    InvalidInput,
    UnknownReference,
)

D = date.fromisoformat


def act(effective: str, *changes: dict, number: str | None = None, kind: str = "decision") -> dict:
    return {"act": {"number": number, "kind": kind, "effective": effective},
            "changes": list(changes)}


def unit(key: str, name: str, type_: str, level: str, parent: dict | None = None,
         code: str | None = None) -> dict:
    u = {"key": key, "name": name, "type": type_, "level": level, "code": code or key}
    if parent:
        u["parent"] = parent
    return u


@pytest.fixture
def reg(clock) -> Registry:
    r = bootstrap.build("memory://", clock)
    r.record(act("2020-01-01", {"register": {"units": [
        unit("P1", "Tỉnh Một", "tỉnh", "province"),
        unit("D1", "Huyện Một", "huyện", "district", {"key": "P1"}),
        unit("D2", "Huyện Hai", "huyện", "district", {"key": "P1"}),
        unit("C1", "Xã Một", "xã", "commune", {"key": "D1"}),
        unit("C2", "Xã Hai", "xã", "commune", {"key": "D1"}),
        unit("C3", "Xã Ba", "xã", "commune", {"key": "D2"}),
    ]}}, kind="baseline"), "test")
    return r


def count_events(r: Registry) -> int:
    return r.log.last_id()


def refusal(r: Registry, document: dict) -> ActRefused:
    before = count_events(r)
    with pytest.raises(ActRefused) as caught:
        r.record(document, "test")
    assert count_events(r) == before, "a refused act must store nothing"
    return caught.value


def name_on(r: Registry, code: str, on: str, level: str | None = None) -> str | None:
    with r.reading() as tl:
        found = tl.by_code(code, D(on), level)
        return found[0].name if found else None


def test_dissolving_a_district_with_communes_under_it_is_refused_and_names_the_rule(reg):
    err = refusal(reg, act("2021-01-01", {"dissolve": {"unit": "D1"}}))
    rules = {v.rule for v in err.violations}
    assert rules == {"ParentNotActive"}
    v = err.violations[0]
    assert v.on == D("2021-01-01")
    assert "Huyện Một" in v.message and "2021-01-01" in v.message


def test_merging_a_unit_that_no_longer_exists_is_refused(reg):
    reg.record(act("2021-01-01", {"absorb": {"sources": ["C2"], "into": "C1"}}), "test")
    with pytest.raises(UnknownReference) as caught:
        reg.record(act("2022-01-01", {"merge": {"sources": ["C2", "C1"], "into": unit(
            "N", "Xã Mới", "xã", "commune", {"code": "D1"}, "C9")}}), "test")
    assert "C2" in str(caught.value) and "2021-12-31" in str(caught.value)


def test_backfilled_merge_of_a_unit_already_ended_later_is_refused_as_ending_twice(reg):
    reg.record(act("2023-01-01", {"dissolve": {"unit": "C3"}}), "test")
    err = refusal(reg, act("2022-01-01", {"absorb": {"sources": ["C3"], "into": "C1"}}))
    assert "AlreadyEnded" in {v.rule for v in err.violations}


def test_an_ended_unit_cannot_end_again(reg):
    reg.record(act("2021-01-01", {"dissolve": {"unit": "C3"}}), "test")
    err = refusal(reg, act("2022-01-01", {"dissolve": {"unit": {"code": "C3", "at": "2020-06-01"}}}))
    assert {v.rule for v in err.violations} == {"AlreadyEnded"}


def test_a_code_is_held_by_one_unit_of_a_level_at_a_time(reg):
    err = refusal(reg, act("2021-01-01", {"establish": {"unit": unit(
        "X", "Xã Khác", "xã", "commune", {"code": "D2"}, "C1")}}))
    (v,) = err.violations
    assert v.rule == "CodeTaken" and v.on == D("2021-01-01") and v.details["code"] == "C1"


def test_a_backfilled_code_clash_is_found_in_the_past(reg):
    reg.record(act("2021-01-01", {"recode": {"unit": "C3", "code": "C7"}}), "test")
    err = refusal(reg, act("2020-06-01", {"recode": {"unit": "C2", "code": "C7"}}))
    assert [v.rule for v in err.violations] == ["CodeTaken"]
    assert err.violations[0].on == D("2021-01-01")


def office(name: str, district: str = "D1", key: str | None = None) -> dict:
    u = {"name": name, "type": "phòng", "kind": "state_agency", "level": "district",
         "parent": {"code": district}}
    return {**u, "key": key} if key else u


def test_uncoded_sibling_names_are_unique_ignoring_case_and_tone_placement(reg):
    reg.record(act("2021-01-01", {"establish": {"unit": office("Phòng Hoà Bình")}}), "test")
    err = refusal(reg, act("2021-06-01", {"establish": {"unit": office("phòng hòa bình")}}))
    assert [v.rule for v in err.violations] == ["SiblingNameTaken"]


def test_coded_siblings_may_share_a_name_as_history_had_them(reg):
    reg.record(act("2021-01-01", {"rename": {"unit": "C1", "name": "Xã Braye"}}), "test")
    reg.record(act("2021-01-01", {"rename": {"unit": "C2", "name": "Xã Braye"}}), "test")
    assert name_on(reg, "C1", "2021-01-01") == name_on(reg, "C2", "2021-01-01") == "Xã Braye"


def test_an_uncoded_unit_cannot_take_a_coded_siblings_name(reg):
    err = refusal(reg, act("2021-06-01", {"establish": {"unit": {
        "name": "Xã Một", "type": "xã", "level": "commune", "parent": {"code": "D1"}}}}))
    assert [v.rule for v in err.violations] == ["SiblingNameTaken"]


def test_the_same_name_under_different_superiors_is_fine(reg):
    reg.record(act("2021-01-01", {"rename": {"unit": "C3", "name": "Xã Một"}}), "test")
    assert name_on(reg, "C3", "2021-01-01") == "Xã Một"


def test_moving_a_unit_under_its_own_descendant_is_a_cycle(reg):
    err = refusal(reg, act("2021-01-01", {"reassign": {"unit": "D1", "parent": "C1"}}))
    assert "HierarchyCycle" in {v.rule for v in err.violations}


def test_a_cycle_formed_with_a_future_change_is_found(reg):
    reg.record(act("2022-01-01", {"reassign": {"unit": "D2", "parent": "C1"}}), "test")
    err = refusal(reg, act("2021-01-01", {"reassign": {"unit": "D1", "parent": "C3"}}))
    cycle = [v for v in err.violations if v.rule == "HierarchyCycle"]
    assert cycle and cycle[0].on == D("2022-01-01")


def test_a_change_before_a_unit_began_is_outside_its_lifetime(reg):
    err = refusal(reg, act("2019-01-01", {"rename": {"unit": {"code": "C1", "at": "2020-01-01"},
                                                     "name": "Xã Cũ"}}))
    assert [v.rule for v in err.violations] == ["OutsideLifetime"]


def test_references_resolve_on_the_day_before_so_a_new_unit_may_take_a_predecessors_code(reg):
    reg.record(act("2025-07-01", {"merge": {"sources": ["C1", "C2"], "into": unit(
        "N", "Xã Hợp Nhất", "xã", "commune", {"code": "D1"}, "C1")}}), "test")
    assert name_on(reg, "C1", "2025-06-30") == "Xã Một"
    assert name_on(reg, "C1", "2025-07-01") == "Xã Hợp Nhất"


def test_acts_may_arrive_out_of_effective_date_order(reg):
    reg.record(act("2024-01-01", {"rename": {"unit": "C1", "name": "Xã Muộn"}}), "test")
    reg.record(act("2022-01-01", {"rename": {"unit": "C1", "name": "Xã Sớm"}}), "test")
    assert name_on(reg, "C1", "2021-12-31") == "Xã Một"
    assert name_on(reg, "C1", "2023-06-30") == "Xã Sớm"
    assert name_on(reg, "C1", "2024-01-01") == "Xã Muộn"


def test_abolishing_a_level_moves_the_children_up_and_ends_the_level(reg):
    reg.record(act("2025-07-01", {"abolish_level": {"within": "P1", "level": "district"}}), "test")
    with reg.reading() as tl:
        (p1,) = tl.by_code("P1", D("2025-07-01"))
        children = tl.children(p1.id, D("2025-07-01"))
        assert sorted(c.code for c in children) == ["C1", "C2", "C3"]
        assert tl.by_code("D1", D("2025-07-01")) == []
        assert len(tl.children(p1.id, D("2025-06-30"))) == 2


def test_recording_the_same_act_twice_is_a_no_op(reg):
    doc = act("2021-01-01", {"rename": {"unit": "C1", "name": "Xã Mới"}})
    first = reg.record(doc, "test")
    events = count_events(reg)
    second = reg.record(doc, "test")
    assert first.created and not second.created and second.act_id == first.act_id
    assert count_events(reg) == events


def test_an_idempotency_key_cannot_be_reused_for_another_act(reg):
    reg.record(act("2021-01-01", {"rename": {"unit": "C1", "name": "Xã A"}}), "test", key="k1")
    with pytest.raises(IdempotencyKeyReused):
        reg.record(act("2021-01-01", {"rename": {"unit": "C2", "name": "Xã B"}}), "test", key="k1")


def test_a_withdrawn_act_is_void_now_but_still_known_at_the_moment_before(reg, clock):
    done = reg.record(act("2021-01-01", {"rename": {"unit": "C1", "name": "Xã Sai"}}), "test")
    before_withdrawal = clock.now
    reg.record(act("2021-02-01", {"withdraw": {"act": str(done.act_id), "reason": "typo"}},
                   kind="correction"), "test")
    assert name_on(reg, "C1", "2021-06-01") == "Xã Một"
    with reg.reading(known_at=before_withdrawal) as past:
        assert past.by_code("C1", D("2021-06-01"))[0].name == "Xã Sai"
    with reg.reading() as tl:
        assert tl.acts[done.act_id].withdrawn_by is not None


def test_a_correction_supersedes_one_event_without_erasing_it(reg):
    reg.record(act("2021-01-01", {"rename": {"unit": "C1", "name": "Xã Sai"}}), "test")
    with reg.reading() as tl:
        org = tl.by_code("C1", D("2021-01-01"))[0].id
        wrong = tl.records[org].facts[-1].version
    reg.record(act("2021-03-01", {"correct": {"unit": {"id": str(org)}, "version": wrong,
                                              "reason": "misspelt"}},
                   {"rename": {"unit": {"id": str(org)}, "name": "Xã Đúng"}, "effective": "2021-01-01"},
                   kind="correction"), "test")
    assert name_on(reg, "C1", "2021-01-01") == "Xã Đúng"
    with reg.reading() as tl:
        kinds = [f.kind for f in tl.records[org].facts]
        assert kinds.count("renamed") == 2 and "superseded" in kinds


def test_input_is_normalised_to_nfc(reg):
    decomposed = "Xã Đoàn Kết".replace("à", "a\u0300").replace("ế", "e\u0302\u0301")
    reg.record(act("2021-01-01", {"rename": {"unit": "C1", "name": decomposed}}), "test")
    assert name_on(reg, "C1", "2021-01-01") == "Xã Đoàn Kết"


@pytest.mark.parametrize("document, field", [
    ({"act": {"kind": "decision", "effective": "2025-02-30"}, "changes": [{"dissolve": {"unit": "C1"}}]}, "act.effective"),
    ({"act": {"kind": "decision", "effective": "2025-01-01", "colour": "red"}, "changes": [{"dissolve": {"unit": "C1"}}]}, "act.colour"),
    ({"act": {"kind": "decree-ish", "effective": "2025-01-01"}, "changes": [{"dissolve": {"unit": "C1"}}]}, "act.kind"),
    ({"act": {"kind": "decision", "effective": "2025-01-01"}, "changes": [{"dissolve": {"unit": 3388}}]}, "changes[0].dissolve.unit"),
    ({"act": {"kind": "decision", "effective": "2025-01-01"}, "changes": [{"explode": {}}]}, "changes[0]"),
    ({"act": {"kind": "decision", "effective": "2025-01-01"}, "changes": []}, "changes"),
])
def test_malformed_acts_are_refused_naming_the_field(reg, document, field):
    before = count_events(reg)
    with pytest.raises(InvalidInput) as caught:
        reg.record(document, "test")
    assert caught.value.field == field
    assert count_events(reg) == before


def test_an_ambiguous_reference_is_refused(reg):
    reg.record(act("2021-01-01", {"establish": {"unit": unit(
        "Z", "Xã Trùng", "xã", "commune", {"code": "D1"}, "C1X")}}), "test")
    reg.record(act("2021-01-01", {"establish": {"unit": unit(
        "Z", "Xã Trùng", "xã", "commune", {"code": "D2"}, "C2X")}}), "test")
    with pytest.raises(AmbiguousReference):
        reg.record(act("2022-01-01", {"dissolve": {"unit": {"name": "Xã Trùng"}}}), "test")


def test_a_backfill_extends_a_registered_units_history_instead_of_inventing_another(reg):
    reg.record(act("2010-05-01", {"establish": {"unit": {
        "name": "Tỉnh Một Cũ", "type": "tỉnh", "level": "province", "code": "P1",
        "same_as": {"code": "P1", "at": "2020-01-01"}}}}, number="1/ND"), "test")
    assert name_on(reg, "P1", "2010-04-30") is None
    assert name_on(reg, "P1", "2015-01-01") == "Tỉnh Một Cũ"
    assert name_on(reg, "P1", "2020-01-01") == "Tỉnh Một"  # the registration still asserts its state
    with reg.reading() as tl:
        (p1,) = tl.by_code("P1", D("2020-01-01"))
        record = tl.records[p1.id]
        assert record.began == D("2010-05-01") and not record.registered
        assert len(record.versions) == 2


def test_a_backfill_must_start_before_what_was_registered(reg):
    with pytest.raises(InvalidInput) as caught:
        reg.record(act("2021-05-01", {"establish": {"unit": {
            "name": "Tỉnh Một", "type": "tỉnh", "level": "province",
            "same_as": {"code": "P1", "at": "2020-01-01"}}}}), "test")
    assert caught.value.field == "changes[0].establish.unit.same_as"


def test_listeners_hear_of_a_batch_of_acts_once(reg):
    told = []
    reg.on_change(lambda: told.append(1))
    reg.record(act("2021-01-01", {"rename": {"unit": "C1", "name": "Xã A"}}), "test")
    assert told == [1]
    with reg.batch():
        reg.record(act("2021-02-01", {"rename": {"unit": "C1", "name": "Xã B"}}), "test")
        reg.record(act("2021-03-01", {"rename": {"unit": "C1", "name": "Xã C"}}), "test")
        assert told == [1]
    assert told == [1, 1]
