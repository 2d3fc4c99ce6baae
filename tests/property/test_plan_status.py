"""An item's status on a date is the last status effective on or before it: random sequences of
status changes (any effective order, ties on one day, some carried by acts later withdrawn),
recorded and read back through the read models on both backends, against a plain model."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry import bootstrap
from registry.domain.plans import STATUSES
from tests.readmodels.test_plans import Clock

EPOCH = date(2025, 1, 1)
DAYS = 20
ITEMS = ("a", "b")

change = st.tuples(st.sampled_from(ITEMS), st.integers(0, DAYS), st.sampled_from(STATUSES),
                   st.booleans())  # item, day after the plan, status, withdrawn later
numbers = itertools.count(1)
CLOCKS: dict[str, Clock] = {}


def expected(initial: dict[str, str], changes: list[tuple[str, int, str, bool]], item: str,
             on: int) -> str | None:
    """The plain model: the plan's own status from day 0, then the last change (by day, then by
    recording order) effective on or before ``on`` whose act still stands."""
    if on < 0:
        return None
    found = (0, -1, initial[item])
    for n, (it, d, status, withdrawn) in enumerate(changes):
        if it == item and not withdrawn and d <= on and (d, n) >= found[:2]:
            found = (d, n, status)
    return found[2]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(initial=st.fixed_dictionaries({i: st.sampled_from(STATUSES) for i in ITEMS}),
       changes=st.lists(change, max_size=8))
def test_the_status_on_a_date_is_the_last_one_effective_on_or_before_it(
        database_url: str, initial: dict[str, str],
        changes: list[tuple[str, int, str, bool]]) -> None:
    # One database for every example (each its own plan), one recording clock for it: every
    # example's acts are recorded after the last one's.
    registry = bootstrap.build(database_url, CLOCKS.setdefault(database_url, Clock()))
    try:
        n = next(numbers)
        number = f"{n}/KH-TEST"
        registry.record({"act": {"number": number, "kind": "plan",
                                 "effective": EPOCH.isoformat()},
                         "changes": [{"plan_item": {"id": i, "title": f"việc {i}",
                                                    "status": initial[i]}} for i in ITEMS]},
                        "test")
        for k, (item, d, status, withdrawn) in enumerate(changes):
            done = registry.record({"act": {"number": f"{n}.{k}/QD", "kind": "decision",
                                            "effective": (EPOCH + timedelta(d)).isoformat()},
                                    "changes": [{"plan_status": {
                                        "plan": {"number": number}, "item": item,
                                        "status": status}}]}, "test")
            if withdrawn:
                registry.record({"act": {"kind": "correction", "number": f"{n}.{k}/W",
                                         "effective": "2025-12-31"},
                                 "changes": [{"withdraw": {"act": str(done.act_id),
                                                           "reason": "test"}}]}, "test")
        bootstrap.settle(database_url, registry.log)
        with bootstrap.question_reader(database_url) as reader:
            for on in range(-1, DAYS + 2):
                view = reader.plan(number, EPOCH + timedelta(on)).as_dict()
                got: dict[str, Any] = {i["id"]: i["status"] for i in view["items"]}
                assert got == {i: expected(initial, changes, i, on) for i in ITEMS}, on
    finally:
        registry.log.close()

