"""One behaviour suite, run on SQLite and on PostgreSQL (the ``database_url`` fixture)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from registry import bootstrap
from registry.domain.errors import ActRefused, Conflict
from registry.importers.fixtures import load

D = date.fromisoformat


@pytest.fixture
def loaded(registry, lai_chau_paths):
    load(registry, lai_chau_paths, "test")
    return registry


@pytest.fixture
def reader(loaded, database_url):
    reader = bootstrap.build_reader(database_url)
    yield reader
    reader.close()


def only(tl, code, on):
    (version,) = tl.by_code(code, on)
    return version


def test_lai_chau_before_the_reform_has_8_districts_holding_106_communes(reader):
    province = reader.by_code("12", D("2025-06-30")).unit
    tree = reader.subtree(province.id, D("2025-06-30"))
    districts = tree["children"]
    assert len(districts) == 8 and {d["level"] for d in districts} == {"district"}
    communes = [c for d in districts for c in d["children"]]
    assert len(communes) == 106
    assert Counter(c["type"] for c in communes) == {"xã": 94, "thị trấn": 7, "phường": 5}


def test_lai_chau_after_the_reform_has_38_communes_directly_under_the_province(reader):
    province = reader.by_code("12", D("2025-07-01")).unit
    tree = reader.subtree(province.id, D("2025-07-01"))
    assert len(tree["children"]) == 38
    assert Counter(c["type"] for c in tree["children"]) == {"xã": 36, "phường": 2}
    assert {c["level"] for c in tree["children"]} == {"commune"}
    assert all(c["children"] == [] for c in tree["children"])


def test_code_03388_means_quyet_tien_then_the_new_doan_ket(reader):
    before = reader.by_code("03388", D("2025-06-30")).unit
    after = reader.by_code("03388", D("2025-07-01")).unit
    assert before.name == "Phường Quyết Tiến"
    assert after.name == "Phường Đoàn Kết"
    assert before.id != after.id


def test_the_old_doan_ket_ends_on_2025_06_30_with_its_successor_named(reader):
    (old,) = reader.holders("03389")
    history = reader.history(old).as_dict()
    assert history["ended"] == "2025-07-01"  # exclusive: the last day is 2025-06-30
    (successor,) = history["successors"]
    assert successor["unit"]["name"] == "Phường Đoàn Kết"
    assert successor["unit"]["code"] == "03388"
    assert successor["act"]["number"] == "1670/NQ-UBTVQH15"
    assert successor["clause"] == "Điều 1 khoản 36"


def test_loading_the_fixtures_twice_changes_nothing(loaded, lai_chau_paths):
    events = loaded.log.last_id()
    results = load(loaded, lai_chau_paths, "test")
    assert [r.created for r in results] == [False, False]
    assert loaded.log.last_id() == events


def test_a_refused_act_stores_nothing_and_names_rule_units_and_date(loaded):
    events = loaded.log.last_id()
    doc = {"act": {"kind": "decision", "effective": "2025-08-01"},
           "changes": [{"dissolve": {"unit": {"code": "12", "level": "province"}}}]}
    with pytest.raises(ActRefused) as caught:
        loaded.record(doc, "test")
    violations = caught.value.violations
    assert {v.rule for v in violations} == {"ParentNotActive"}
    assert len(violations) == 38  # every commune left under the dissolved province
    assert all(v.on == D("2025-08-01") and "Tỉnh Lai Châu" in v.message for v in violations)
    assert loaded.log.last_id() == events
    with loaded.reading() as tl:
        assert only(tl, "12", D("2025-08-01")).name == "Tỉnh Lai Châu"


def test_dissolving_a_district_the_reform_already_ends_is_refused_as_ending_twice(loaded):
    events = loaded.log.last_id()
    doc = {"act": {"kind": "decision", "effective": "2025-03-01"},
           "changes": [{"dissolve": {"unit": {"code": "105", "level": "district"}}}]}
    with pytest.raises(ActRefused) as caught:
        loaded.record(doc, "test")
    assert caught.value.violations[0].rule == "AlreadyEnded"
    assert loaded.log.last_id() == events


def test_a_second_process_sees_the_same_state_from_the_log(loaded, database_url, clock):
    other = bootstrap.build(database_url, clock)
    try:
        with other.reading() as tl, loaded.reading() as mine:
            for on in (D("2025-06-30"), D("2025-07-01")):
                assert sorted(tl.existing(on), key=str) == sorted(mine.existing(on), key=str)
    finally:
        other.log.close()


def test_concurrent_recorders_cannot_both_pass_validation(loaded, database_url, clock):
    """Two processes validate against the same state; the second to append gets a conflict."""
    other = bootstrap.build(database_url, clock)
    try:
        other.catch_up()
        loaded.record({"act": {"kind": "decision", "effective": "2026-01-01"}, "changes": [
            {"recode": {"unit": {"code": "03388", "level": "commune"}, "code": "99999"}}]}, "a")
        stale = other.timeline.position
        # Validate against the stale state and append without catching up first.
        other.catch_up = lambda: 0  # type: ignore[method-assign]
        events = loaded.log.last_id()
        with pytest.raises(Conflict):
            other.record({"act": {"kind": "decision", "effective": "2026-01-01"}, "changes": [
                {"recode": {"unit": {"code": "03408", "level": "commune"}, "code": "99999"}}]},
                "b")
        assert loaded.log.last_id() == events
        assert other.timeline.position == stale
        del other.catch_up
        other.catch_up()
        with pytest.raises(ActRefused) as caught:  # retried against the current state
            other.record({"act": {"kind": "decision", "effective": "2026-01-01"}, "changes": [
                {"recode": {"unit": {"code": "03408", "level": "commune"}, "code": "99999"}}]},
                "b")
        assert caught.value.violations[0].rule == "CodeTaken"
    finally:
        other.log.close()


def test_every_event_carries_its_act_clause_and_actor(loaded):
    with loaded.reading() as tl:
        facts = list(tl.facts())
        numbers = {tl.acts[f.act].number for f in facts}
    assert numbers == {None, "1670/NQ-UBTVQH15"}
    assert {f.actor for f in facts} == {"test"}
    assert all(f.clause for f in facts if tl.acts[f.act].number)


def test_a_write_that_fails_midway_stores_nothing_and_leaves_memory_as_it_was(loaded):
    """The last event of the batch clashes with a stored one: the database rolls back the whole
    act, and the in-memory timeline is undone to match."""
    from registry.domain.events import event_from_fact

    events = loaded.log.last_id()
    with loaded.reading() as tl:
        before = sorted(tl.existing(D("2026-01-01")), key=str)
        stored = next(iter(tl.facts()))
    append = loaded.log.append

    def append_with_a_clash(batch):
        return append(list(batch) + [event_from_fact(stored)])

    loaded.log.append = append_with_a_clash
    with pytest.raises(Conflict):
        loaded.record({"act": {"kind": "decision", "effective": "2026-01-01"}, "changes": [
            {"rename": {"unit": {"code": "03388", "level": "commune"}, "name": "Phường Mới"}}]},
            "test")
    del loaded.log.append
    assert loaded.log.last_id() == events
    with loaded.reading() as tl:
        assert sorted(tl.existing(D("2026-01-01")), key=str) == before
    fresh = bootstrap.build(loaded.log.database.url)
    try:
        with fresh.reading() as tl:
            assert only(tl, "03388", D("2026-01-01")).name == "Phường Đoàn Kết"
    finally:
        fresh.log.close()


def test_the_chain_verifies_after_refused_appends(loaded):
    """A refused append stores nothing and leaves the chain whole; on PostgreSQL it consumed
    sequence values, and verify tells such gaps between acts from removed events."""
    from registry.domain.events import event_from_fact

    with loaded.reading() as tl:
        stored = next(iter(tl.facts()))
    append = loaded.log.append
    loaded.log.append = lambda batch: append(list(batch) + [event_from_fact(stored)])
    with pytest.raises(Conflict):
        loaded.record({"act": {"kind": "decision", "effective": "2026-01-01"}, "changes": [
            {"rename": {"unit": {"code": "03388", "level": "commune"}, "name": "Phường Mới"}}]},
            "test")
    del loaded.log.append
    loaded.record({"act": {"kind": "decision", "effective": "2026-01-01"}, "changes": [
        {"rename": {"unit": {"code": "03388", "level": "commune"}, "name": "Phường Mới"}}]},
        "test")
    result = loaded.log.verify()
    assert result.ok, result.problem
    assert result.acts == 3 and result.head_hash == loaded.chain_head
    if loaded.log.database.backend == "postgresql":
        assert result.gaps_between_acts >= 1
    else:
        assert result.gaps_between_acts == 0
