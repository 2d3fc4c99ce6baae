"""Typed relations on the write side: a department under the People's Committee (its own line,
relation administrative) and in the party committee of the People's Committee (relation party)."""

from __future__ import annotations

from datetime import date

import pytest

from registry import bootstrap
from registry.application.acts import parse_act
from registry.application.service import Registry
from registry.domain.errors import ActRefused, InvalidInput
from registry.domain.model import ADMINISTRATIVE, PARTY, TERRITORY, superior

D = date.fromisoformat


def act(effective: str, *changes: dict, kind: str = "decision") -> dict:
    return {"act": {"kind": kind, "effective": effective}, "changes": list(changes)}


def org(key: str, name: str, type_: str, kind: str, **more: object) -> dict:
    return {"key": key, "name": name, "type": type_, "kind": kind, "code": key, **more}


PARTY_ORG = "party_organisation"
STATE = "state_body"


@pytest.fixture
def reg(clock) -> Registry:
    r = bootstrap.build("memory://", clock)
    r.record(act("2020-01-01", {"register": {"units": [
        {"key": "T", "name": "Tỉnh Một", "type": "tỉnh", "level": "province", "code": "T"},
        org("TU", "Tỉnh ủy Một", "tỉnh ủy", PARTY_ORG, territory={"key": "T"}),
        org("DUB", "Đảng bộ Ủy ban nhân dân tỉnh", "đảng bộ", PARTY_ORG, parent={"key": "TU"}),
        org("DUK", "Đảng bộ Khối tỉnh", "đảng bộ", PARTY_ORG, parent={"key": "TU"}),
        org("UB", "Ủy ban nhân dân tỉnh", "ủy ban nhân dân", STATE, territory={"key": "T"},
            party={"key": "DUB"}),
        org("SNV", "Sở Nội vụ", "sở", STATE, parent={"key": "UB"}, party={"key": "DUB"}),
    ]}}, kind="baseline"), "test")
    return r


def refusal(r: Registry, document: dict) -> ActRefused:
    before = r.log.last_id()
    with pytest.raises(ActRefused) as caught:
        r.record(document, "test")
    assert r.log.last_id() == before, "a refused act must store nothing"
    return caught.value


def ids(r: Registry) -> dict[str, object]:
    with r.reading() as tl:
        return {v.code: v.id for v in tl.existing(D("2020-01-01"))}


def test_a_department_has_a_superior_in_each_relation(reg):
    i = ids(reg)
    with reg.reading() as tl:
        dept = tl.version(i["SNV"], D("2020-06-01"))
        assert dept.party == i["DUB"] and dept.parent == i["UB"]
        assert superior(dept, ADMINISTRATIVE) == i["UB"]
        assert superior(dept, PARTY) == i["DUB"]
        assert superior(dept, TERRITORY) is None
        cell = tl.version(i["DUB"], D("2020-06-01"))
        assert superior(cell, ADMINISTRATIVE) is None and superior(cell, PARTY) == i["TU"]
        assert [v.code for v in tl.children(i["UB"], D("2020-06-01"))] == ["SNV"]
        assert [v.code for v in tl.children(i["UB"], D("2020-06-01"), PARTY)] == []
        assert [v.code for v in tl.children(i["DUB"], D("2020-06-01"), PARTY)] == ["SNV", "UB"]
        assert [v.code for v in tl.children(i["TU"], D("2020-06-01"), PARTY)] == ["DUB", "DUK"]
        assert [v.code for v in tl.children(i["TU"], D("2020-06-01"), ADMINISTRATIVE)] == []
        assert sorted(v.code for v in tl.children(i["T"], D("2020-06-01"), TERRITORY)) == [
            "TU", "UB"]
        assert tl.version(i["SNV"], D("2020-06-01")).as_dict()["party_id"] == str(i["DUB"])


def test_began_then_affiliated_on_the_same_day_fold_into_one_version(reg):
    i = ids(reg)
    with reg.reading() as tl:
        record = tl.record(i["SNV"])
        assert [f.kind for f in record.facts] == ["began", "affiliated"]
        assert len(record.versions) == 1


def test_reassigning_the_party_relation_on_a_date_and_ending_it(reg):
    i = ids(reg)
    reg.record(act("2021-03-01", {"reassign": {"unit": "SNV", "party": "DUK"}}), "test")
    reg.record(act("2022-01-01", {"reassign": {"unit": "SNV", "party": None}}), "test")
    with reg.reading() as tl:
        assert tl.version(i["SNV"], D("2021-02-28")).party == i["DUB"]
        assert tl.version(i["SNV"], D("2021-03-01")).party == i["DUK"]
        assert tl.version(i["SNV"], D("2021-03-01")).parent == i["UB"]  # own line unchanged
        assert tl.version(i["SNV"], D("2022-01-01")).party is None
        assert [v.code for v in tl.children(i["DUK"], D("2021-06-01"), PARTY)] == ["SNV"]


def test_the_party_key_is_parsed_strictly():
    doc = act("2021-01-01", {"reassign": {"unit": "SNV", "party": None}})
    change = parse_act(doc).changes[0]
    assert change.party is None and change.party_ends
    with pytest.raises(InvalidInput) as caught:
        parse_act(act("2021-01-01", {"reassign": {"unit": "SNV", "party": 12}}))
    assert caught.value.field == "changes[0].reassign.party"
    with pytest.raises(InvalidInput):
        parse_act(act("2021-01-01", {"reassign": {"unit": "SNV"}}))


def test_ending_a_party_committee_with_members_is_refused(reg):
    err = refusal(reg, act("2021-01-01", {"dissolve": {"unit": "DUK"}},
                           {"dissolve": {"unit": "DUB"}}))
    rules = {v.rule for v in err.violations}
    assert "PartyNotActive" in rules
    v = next(v for v in err.violations if v.rule == "PartyNotActive")
    assert "relation party" in v.message and v.on == D("2021-01-01")


def test_moving_the_members_first_lets_the_committee_end(reg):
    reg.record(act("2021-01-01", {"reassign": {"unit": "SNV", "party": "DUK"}},
                   {"reassign": {"unit": "UB", "party": "DUK"}},
                   {"dissolve": {"unit": "DUB"}}), "test")


def test_belonging_to_a_state_body_is_refused(reg):
    err = refusal(reg, act("2021-01-01", {"reassign": {"unit": "SNV", "party": "UB"}}))
    assert [v.rule for v in err.violations] == ["NotAPartyOrganisation"]
    assert "Ủy ban nhân dân tỉnh" in err.violations[0].message


def test_reclassifying_a_party_committee_with_members_is_refused(reg):
    err = refusal(reg, act("2021-01-01", {"reclassify": {"unit": "DUB", "kind": STATE}}))
    assert "NotAPartyOrganisation" in {v.rule for v in err.violations}


def test_a_cycle_along_the_party_relation_is_refused(reg):
    err = refusal(reg, act("2021-01-01", {"reassign": {"unit": "DUB", "parent": "SNV"}}))
    assert "HierarchyCycle" in {v.rule for v in err.violations}
    err = refusal(reg, act("2021-01-01", {"reassign": {"unit": "SNV", "party": "SNV"}}))
    assert "HierarchyCycle" in {v.rule for v in err.violations}


def test_a_new_unit_names_its_party_by_reference(reg):
    i = ids(reg)
    reg.record(act("2025-03-01", {"establish": {"unit": org(
        "SDT", "Sở Dân tộc và Tôn giáo", "sở", STATE, parent="UB", party="DUB")}}), "test")
    with reg.reading() as tl:
        (v,) = tl.by_code("SDT", D("2025-03-01"))
        assert v.party == i["DUB"] and v.valid_from == D("2025-03-01")
    err = refusal(reg, act("2019-01-01", {"establish": {"unit": org(
        "X", "Sở X", "sở", STATE, party={"id": str(i["DUB"])})}}))
    assert "PartyNotActive" in {v.rule for v in err.violations}
