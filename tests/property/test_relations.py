"""Random affiliations, party-relation ends, committees ending or changing kind, and party
organisations moving under one another, recorded in random effective-date order: whatever the
registry accepts, on every day of the calendar every unit's party superior exists, is a party
organisation, and no chain of party superiors comes back to where it started; whatever it
refuses stores nothing."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from registry import bootstrap
from registry.domain.errors import ActRefused, InvalidInput, UnknownReference
from registry.domain.model import PARTY, PARTY_ORGANISATION, superior

EPOCH = date(2020, 1, 1)
DAYS = 10
COMMITTEES = ["PA", "PB", "PC"]
MEMBERS = ["S1", "S2", "S3"]
UNITS = COMMITTEES + MEMBERS


def day(n: int) -> str:
    return (EPOCH + timedelta(days=n)).isoformat()


def act(on: int, *changes: dict) -> dict:
    return {"act": {"kind": "decision", "effective": day(on)}, "changes": list(changes)}


BASELINE = {"act": {"kind": "baseline", "effective": day(0)}, "changes": [{"register": {"units": [
    *({"key": c, "code": c, "name": f"Đảng bộ {c}", "type": "đảng bộ",
       "kind": PARTY_ORGANISATION} for c in COMMITTEES),
    *({"key": m, "code": m, "name": f"Sở {m}", "type": "sở", "kind": "state_body"}
      for m in MEMBERS)]}}]}

on_day = st.integers(1, DAYS)
operation = st.one_of(
    st.builds(lambda m, c, d: act(d, {"reassign": {"unit": m, "party": c}}),
              st.sampled_from(UNITS), st.sampled_from(UNITS), on_day),
    st.builds(lambda m, d: act(d, {"reassign": {"unit": m, "party": None}}),
              st.sampled_from(MEMBERS), on_day),
    st.builds(lambda c, p, d: act(d, {"reassign": {"unit": c, "parent": p}}),
              st.sampled_from(COMMITTEES), st.sampled_from(UNITS), on_day),
    st.builds(lambda u, d: act(d, {"dissolve": {"unit": u}}), st.sampled_from(UNITS), on_day),
    st.builds(lambda c, k, d: act(d, {"reclassify": {"unit": c, "kind": k}}),
              st.sampled_from(COMMITTEES), st.sampled_from([PARTY_ORGANISATION, "state_body"]),
              on_day),
)


def check_every_day(tl) -> None:  # type: ignore[no-untyped-def]
    orgs = list(tl.records)
    for n in range(DAYS + 2):
        on = EPOCH + timedelta(days=n)
        for org in orgs:
            v = tl.version(org, on)
            if v is None or v.party is None:
                continue
            sup = tl.version(v.party, on)
            assert sup is not None, f"{v.name} points at a party superior missing on {on}"
            assert sup.kind == PARTY_ORGANISATION, f"{v.name} belongs to a {sup.kind} on {on}"
            chain, up = [org], superior(v, PARTY)
            while up is not None:
                assert up not in chain, f"a party cycle on {on}"
                chain.append(up)
                w = tl.version(up, on)
                up = superior(w, PARTY) if w is not None else None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=12))
def test_accepted_party_relations_always_hold_and_refusals_store_nothing(ops) -> None:
    reg = bootstrap.build("memory://")
    reg.record(BASELINE, "test")
    accepted = 0
    for doc in ops:
        before = reg.log.last_id()
        try:
            reg.record(doc, "test")
            accepted += 1
        except ActRefused as refused:
            assert reg.log.last_id() == before
            assert {v.rule for v in refused.violations} <= {
                "PartyNotActive", "NotAPartyOrganisation", "HierarchyCycle", "ParentNotActive",
                "OutsideLifetime", "AlreadyEnded", "SiblingNameTaken"}
        except (UnknownReference, InvalidInput):  # a unit already ended: refused too
            assert reg.log.last_id() == before
        with reg.reading() as tl:
            check_every_day(tl)
    event(f"accepted {min(accepted, 3)}+ of the acts")
