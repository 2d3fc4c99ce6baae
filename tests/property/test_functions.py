"""Random sequences of function assignments, transfers and removals, recorded out of date order and
often invalid, against a naive replay.

The replay knows nothing of the registry: it keeps the accepted operations, sorts their events by
(day, recording order) and walks them, holding a function from a gain to the next loss. An act is
accepted if and only if the replay with it stays valid (no gain of a function held, no loss of one
not held since an earlier day, nothing outside a holder's lifetime but the loss on its last day),
and on every day the holders of each function must be the replay's: on the write side's timeline
and in the rows the projection folds for the read model alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry import bootstrap
from registry.domain.errors import ActRefused
from registry.domain.text import name_key
from registry.projections.folding import Folder

EPOCH = date(2020, 1, 1)
DAYS = 12
ORGS = ["A", "B", "C", "D"]
ENDS = {"D": 8}  # D ends on day 8: it stops holding whatever it held
FUNCTIONS = ["Tôn giáo", "tôn giáo", "Dân tộc"]  # the first two are one function (name_key)


def day(n: int) -> date:
    return EPOCH + timedelta(days=n)


@dataclass(frozen=True)
class Op:
    kind: str  # assign | transfer | remove
    function: str
    day: int
    org: str  # the unit (assign/remove), the source (transfer)
    to: str | None = None


ops = st.builds(
    Op, kind=st.sampled_from(["assign", "transfer", "remove"]),
    function=st.sampled_from(FUNCTIONS), day=st.integers(0, DAYS - 1),
    org=st.sampled_from(ORGS), to=st.sampled_from(ORGS))


def events(accepted: list[Op]) -> list[tuple[int, int, str, str, str]]:
    """(day, order, org, 'gain'|'loss', key) in recording order within a day."""
    out = []
    for i, op in enumerate(accepted):
        key = name_key(op.function)
        if op.kind == "assign":
            out.append((op.day, 2 * i, op.org, "gain", key))
        elif op.kind == "remove":
            out.append((op.day, 2 * i, op.org, "loss", key))
        else:
            assert op.to is not None
            out.append((op.day, 2 * i, op.org, "loss", key))
            out.append((op.day, 2 * i + 1, op.to, "gain", key))
    return sorted(out)


def replay(accepted: list[Op]) -> dict[tuple[str, str], list[tuple[int, int | None]]] | None:
    """Each (org, function key)'s holding spans [start, end), or None if the sequence is invalid."""
    open_: dict[tuple[str, str], int] = {}
    spans: dict[tuple[str, str], list[tuple[int, int | None]]] = {}
    for d, _, org, what, key in events(accepted):
        end = ENDS.get(org)
        if end is not None and (d > end or (d == end and what == "gain")):
            return None
        held = open_.get((org, key))
        if what == "gain":
            if held is not None:
                return None
            open_[(org, key)] = d
        else:
            if held is None or held >= d:
                return None
            del open_[(org, key)]
            spans.setdefault((org, key), []).append((held, d))
    for (org, key), start in open_.items():
        spans.setdefault((org, key), []).append((start, ENDS.get(org)))
    return spans


def holders(spans: dict[tuple[str, str], list[tuple[int, int | None]]], key: str,
            d: int) -> set[str]:
    return {org for (org, k), held in spans.items() if k == key
            for start, end in held if start <= d and (end is None or d < end)}


def document(op: Op, ids: dict[str, str], n: int) -> dict:
    if op.kind == "transfer":
        body = {"transfer_function": {"function": op.function, "from": {"id": ids[op.org]},
                                      "to": {"id": ids[str(op.to)]}}}
    else:
        body = {f"{op.kind}_function": {"unit": {"id": ids[op.org]}, "function": op.function}}
    return {"act": {"kind": "decision", "number": f"T{n}",  # never the same act twice
                    "effective": day(op.day).isoformat()}, "changes": [body]}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ops, min_size=1, max_size=14))
def test_holders_on_every_day_match_a_naive_replay(sequence: list[Op]) -> None:
    registry = bootstrap.build("memory://")
    units = [{"key": o, "name": f"Sở {o}", "type": "sở", "kind": "state_agency"} for o in ORGS]
    registry.record({"act": {"kind": "baseline", "effective": day(0).isoformat()},
                     "changes": [{"register": {"units": units}}]}, "test")
    registry.record({"act": {"kind": "decision", "effective": day(ENDS["D"]).isoformat()},
                     "changes": [{"dissolve": {"unit": {"name": "Sở D"}}}]}, "test")
    with registry.reading() as tl:
        ids = {v.name.removeprefix("Sở "): str(v.id) for v in tl.existing(day(0))}
    accepted: list[Op] = []
    try:
        for n, op in enumerate(sequence):
            if op.kind == "transfer" and op.to == op.org:
                continue  # refused as malformed before any rule: not this test's concern
            expected = replay([*accepted, op]) is not None
            try:
                registry.record(document(op, ids, n), "test")
                accepted.append(op)
                assert expected, f"accepted {op} after {accepted[:-1]}"
            except ActRefused as e:
                assert not expected, f"refused {op} after {accepted}: {e}"
                assert {v.rule for v in e.violations} <= {
                    "FunctionAlreadyHeld", "FunctionNotHeld", "OutsideLifetime"}
        spans = replay(accepted)
        assert spans is not None
        names = {UUID(i): o for o, i in ids.items()}
        # the projection's fold of the log (the rows its read model holds)
        folder = Folder()
        folder.complete = True
        ops_ = folder.fold(registry.log.read(0, 1_000_000))
        rows = [h for extras in ops_.extras.values() for h in extras[2]]
        with registry.reading() as tl:
            for function in ("TÔN GIÁO", "Dân tộc"):
                key = name_key(function)
                for d in range(-1, DAYS + 2):
                    want = holders(spans, key, d)
                    written = {o for o in ORGS if tl.records[UUID(ids[o])].holds(key, day(d))}
                    assert written == want, (key, d, accepted)
                    read = {names[h.org] for h in rows if h.key == key and h.start <= day(d)
                            and (h.end is None or day(d) < h.end)}
                    assert read == want, (key, d, accepted)
    finally:
        registry.log.close()
