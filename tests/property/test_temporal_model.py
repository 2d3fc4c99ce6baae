"""Random sequences of acts, out of effective-date order and often invalid, against a plain model.

The reference model knows nothing of the registry's indexes or rules engine: it keeps a list of
accepted operations, folds them day by day, and accepts an act only if every invariant holds on
every day of the test's calendar. The registry must accept and refuse exactly the same acts, agree
on every unit's state on every day, and agree "as known at" every earlier moment.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    rule,
)

from registry import bootstrap
from registry.domain.errors import ActRefused

EPOCH = date(2020, 1, 1)
DAYS = 12
NAMES = ["Alpha", "Beta", "alpha", "Gamma"]  # 'alpha' clashes with 'Alpha' as a sibling name
CODES = ["c1", "c2", "c3", None]  # an uncoded unit's name must be unique among its siblings


def day(n: int) -> date:
    return EPOCH + timedelta(days=n)


@dataclass
class Op:
    unit: str
    kind: str  # begin | rename | recode | reassign | end | edge
    day: int
    value: Any = None
    order: int = 0


@dataclass
class Reference:
    """The plain model: accepted operations, folded per day by brute force."""

    ops: list[Op] = field(default_factory=list)

    def state(self, ops: list[Op] | None = None) -> dict[int, dict[str, dict[str, Any]]]:
        ops = self.ops if ops is None else ops
        out: dict[int, dict[str, dict[str, Any]]] = {}
        for d in range(-1, DAYS + 3):
            units: dict[str, dict[str, Any]] = {}
            for u in {o.unit for o in ops}:
                mine = sorted((o for o in ops if o.unit == u),
                              key=lambda o: (o.day, o.kind != "begin", o.kind == "end", o.order))
                begin = next(o for o in mine if o.kind == "begin")
                end = next((o for o in mine if o.kind == "end"), None)
                if not (begin.day <= d and (end is None or d < end.day)):
                    continue
                st_ = dict(begin.value)
                for o in mine:
                    if o.day <= d and o.kind in ("rename", "recode", "reassign"):
                        st_[{"rename": "name", "recode": "code", "reassign": "parent"}[o.kind]] = o.value
                units[u] = st_
            out[d] = units
        return out

    def valid(self, ops: list[Op]) -> bool:
        for u in {o.unit for o in ops}:
            mine = [o for o in ops if o.unit == u]
            begins = [o for o in mine if o.kind == "begin"]
            ends = [o for o in mine if o.kind == "end"]
            if len(begins) != 1 or len(ends) > 1:
                return False
            began, ended = begins[0].day, ends[0].day if ends else None
            if ended is not None and ended <= began:
                return False
            for o in mine:
                if o.kind not in ("begin", "end") and not (
                        began <= o.day and (ended is None or o.day < ended)):
                    return False
        states = self.state(ops)
        for o in ops:  # a predecessor exists the day before it passes on
            if o.kind == "edge" and o.value not in states[o.day - 1]:
                return False
        return all(invariants_hold(units) for units in states.values())


def invariants_hold(units: dict[str, dict[str, Any]]) -> bool:
    codes = [u["code"] for u in units.values() if u["code"] is not None]
    if len(codes) != len(set(codes)):
        return False
    for a, b in itertools.combinations(units.values(), 2):
        same_name = (a["parent"], a["name"].casefold()) == (b["parent"], b["name"].casefold())
        if same_name and (a["code"] is None or b["code"] is None):
            return False
    for key, u in units.items():
        seen, parent = {key}, u["parent"]
        while parent is not None:
            if parent not in units or parent in seen:
                return False
            seen.add(parent)
            parent = units[parent]["parent"]
    return True


class TemporalModel(RuleBasedStateMachine):
    database_url = "memory://"
    units = Bundle("units")

    def __init__(self) -> None:
        super().__init__()
        self.ref = Reference()
        self.ids: dict[str, Any] = {}
        self.counter = itertools.count()
        self.moments: list[tuple[Any, list[Op]]] = []

    @initialize()
    def open_registry(self) -> None:
        from tests.conftest import TickingClock

        self.clock = TickingClock()
        self.reg = bootstrap.build(self.database_url, self.clock)

    def teardown(self) -> None:
        self.reg.log.close()

    def _record(self, changes: list[dict], effective: int, new_ops: list[Op]) -> bool:
        order = next(self.counter)
        for o in new_ops:
            o.order = order
        expected = self.ref.valid(self.ref.ops + new_ops)
        doc = {"act": {"kind": "decision", "effective": day(effective).isoformat(),
                       "number": f"{order}/T"}, "changes": changes}
        try:
            result = self.reg.record(doc, "hypothesis")
            accepted = True
        except ActRefused:
            accepted = False
        assert accepted == expected, f"registry {'accepted' if accepted else 'refused'} {doc}"
        if accepted:
            self.ref.ops.extend(new_ops)
            self.last_act = result.act_id
        self.moments.append((self.clock.now, list(self.ref.ops)))
        return accepted

    def _ref(self, unit: str) -> dict:
        return {"id": str(self.ids[unit])}

    @rule(target=units, name=st.sampled_from(NAMES), code=st.sampled_from(CODES),
          on=st.integers(0, DAYS), parent=st.one_of(st.none(), units))
    def establish(self, name: str, code: str | None, on: int, parent: str | None) -> Any:
        unit = f"u{next(self.counter)}"
        value = {"name": name, "code": code, "parent": parent}
        body: dict[str, Any] = {"name": name, "code": code, "type": "t", "level": "l",
                                "key": unit}
        if parent is not None:
            body["parent"] = self._ref(parent)
        ok = self._record([{"establish": {"unit": body}}], on, [Op(unit, "begin", on, value)])
        if ok:
            with self.reg.reading() as tl:
                self.ids[unit] = next(o for o in tl.records
                                      if tl.records[o].facts[0].act == self.last_act)
            return unit
        return multiple()

    @rule(unit=units, name=st.sampled_from(NAMES), on=st.integers(0, DAYS))
    def rename(self, unit: str, name: str, on: int) -> None:
        if unit in self.ids:
            self._record([{"rename": {"unit": self._ref(unit), "name": name}}], on,
                         [Op(unit, "rename", on, name)])

    @rule(unit=units, code=st.sampled_from(CODES), on=st.integers(0, DAYS))
    def recode(self, unit: str, code: str | None, on: int) -> None:
        if unit in self.ids:
            self._record([{"recode": {"unit": self._ref(unit), "code": code}}], on,
                         [Op(unit, "recode", on, code)])

    @rule(unit=units, parent=units, on=st.integers(0, DAYS))
    def reassign(self, unit: str, parent: str, on: int) -> None:
        if unit in self.ids and parent in self.ids:
            self._record([{"reassign": {"unit": self._ref(unit), "parent": self._ref(parent)}}],
                         on, [Op(unit, "reassign", on, parent)])

    @rule(unit=units, on=st.integers(0, DAYS))
    def dissolve(self, unit: str, on: int) -> None:
        if unit in self.ids:
            self._record([{"dissolve": {"unit": self._ref(unit)}}], on, [Op(unit, "end", on)])

    @rule(target=units, a=consumes(units), b=units, name=st.sampled_from(NAMES),
          code=st.sampled_from(CODES), on=st.integers(1, DAYS))
    def merge(self, a: str, b: str, name: str, code: str | None, on: int) -> Any:
        if a == b:
            return multiple()
        new = f"u{next(self.counter)}"
        ops = [Op(new, "begin", on, {"name": name, "code": code, "parent": None}),
               Op(a, "end", on), Op(b, "end", on), Op(new, "edge", on, a), Op(new, "edge", on, b)]
        doc = [{"merge": {"sources": [self._ref(a), self._ref(b)],
                          "into": {"name": name, "code": code, "type": "t", "level": "l"}}}]
        if self._record(doc, on, ops):
            with self.reg.reading() as tl:
                self.ids[new] = next(o for o in tl.records
                                     if tl.records[o].facts[0].act == self.last_act)
            return new
        return multiple()

    def _registry_state(self, tl: Any) -> dict[int, dict[str, dict[str, Any]]]:
        back = {v: k for k, v in self.ids.items()}
        out = {}
        for d in range(-1, DAYS + 3):
            units = {}
            for v in tl.existing(day(d)):
                units[back[v.id]] = {"name": v.name, "code": v.code,
                                     "parent": back.get(v.parent) if v.parent else None}
            out[d] = units
        return out

    @invariant()
    def agrees_with_the_reference_on_every_day(self) -> None:
        if not hasattr(self, "reg"):
            return
        with self.reg.reading() as tl:
            mine = self._registry_state(tl)
        assert mine == self.ref.state()
        assert all(invariants_hold(units) for units in mine.values())

    @invariant()
    def agrees_as_known_at_an_earlier_moment(self) -> None:
        if not getattr(self, "moments", None):
            return
        moment, ops = self.moments[len(self.moments) // 2]
        with self.reg.reading(known_at=moment) as past:
            assert self._registry_state(past) == self.ref.state(ops)


TemporalModel.TestCase.settings = settings(
    max_examples=300, stateful_step_count=20, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
test_temporal_model_in_memory = TemporalModel.TestCase


class TemporalModelOnSQLite(TemporalModel):
    def __init__(self) -> None:
        super().__init__()
        import tempfile

        self._dir = tempfile.TemporaryDirectory()
        self.database_url = f"sqlite:///{self._dir.name}/registry.db"

    def teardown(self) -> None:
        super().teardown()
        self._dir.cleanup()


TemporalModelOnSQLite.TestCase.settings = settings(
    max_examples=10, stateful_step_count=10, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
test_temporal_model_on_sqlite = TemporalModelOnSQLite.TestCase


class TemporalModelOnPostgres(TemporalModel):
    """The same machine on the real PostgreSQL server, one fresh schema per example."""

    def __init__(self) -> None:
        super().__init__()
        from tests.conftest import fresh_postgres_schema

        self._schema = fresh_postgres_schema()
        self.database_url = self._schema.__enter__()

    def teardown(self) -> None:
        super().teardown()
        self._schema.__exit__(None, None, None)


TemporalModelOnPostgres.TestCase.settings = settings(
    max_examples=6, stateful_step_count=10, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
test_temporal_model_on_postgresql = TemporalModelOnPostgres.TestCase
