"""The read models equal a plain replay of the same events, at any date and any "known at" time.

Random histories (out of effective-date order, with corrections and withdrawn acts, many acts
refused) are recorded on each backend. The reference is a fresh ``Timeline`` replayed from the
log; the read models are built incrementally through a crash between two batches, then caught up
again after more acts, then rebuilt from zero, and must agree with the reference every time.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry import bootstrap
from registry.application.reading import Reader
from registry.domain.errors import NotFound, RegistryError
from registry.domain.model import BEGAN
from registry.domain.timeline import Timeline
from registry.projections.source import ModelSource
from tests.conftest import TickingClock
from tests.readmodels.conftest import fresh_database

EPOCH = date(2020, 1, 1)
DAYS = 10
NAMES = ["Alpha", "Beta", "alpha", "Gamma", "Delta", "Epsilon"]
CODES = ["c1", "c2", "c3", "c4", "c5", "c6"]

day_ = st.integers(1, DAYS)
pick = st.integers(0, 50)
OPS = st.one_of(
    st.tuples(st.just("establish"), st.sampled_from(NAMES), st.sampled_from(CODES), day_,
              st.one_of(st.none(), pick)),
    st.tuples(st.just("rename"), pick, st.sampled_from(NAMES), day_),
    st.tuples(st.just("recode"), pick, st.sampled_from(CODES), day_),
    st.tuples(st.just("reassign"), pick, pick, day_),
    st.tuples(st.just("dissolve"), pick, day_),
    st.tuples(st.just("merge"), pick, pick, st.sampled_from(NAMES), st.sampled_from(CODES),
              st.integers(1, DAYS)),
    st.tuples(st.just("detach"), pick, st.sampled_from(NAMES), st.sampled_from(CODES),
              st.integers(1, DAYS), st.sampled_from([None, 0.25, 0.5])),
    st.tuples(st.just("correct"), pick, st.integers(2, 4)),
    st.tuples(st.just("withdraw"), pick),
)


def day(n: int) -> date:
    return EPOCH + timedelta(days=n)


class History:
    """Records random operations as acts, keeping the ids the registry minted."""

    def __init__(self, url: str) -> None:
        self.clock = TickingClock()
        self.registry = bootstrap.build(url, self.clock)
        self.units: list[UUID] = []
        self.acts: list[UUID] = []
        for name, code in zip(NAMES[:3], CODES[:3], strict=True):
            self.apply(("establish", f"{name} 0", code, 0, None))

    def ref(self, i: int) -> dict[str, str] | None:
        return {"id": str(self.units[i % len(self.units)])} if self.units else None

    def apply(self, op: tuple[Any, ...]) -> None:
        kind, *a = op
        new = {"type": "t", "level": "l"}
        effective, change = DAYS // 2, None
        if kind == "establish":
            name, code, effective, parent = a
            unit = {**new, "name": name, "code": code}
            if parent is not None and self.units:
                unit["parent"] = self.ref(parent)
            change = {"establish": {"unit": unit}}
        elif not self.units:
            return
        elif kind == "rename":
            change, effective = {"rename": {"unit": self.ref(a[0]), "name": a[1]}}, a[2]
        elif kind == "recode":
            change, effective = {"recode": {"unit": self.ref(a[0]), "code": a[1]}}, a[2]
        elif kind == "reassign":
            change = {"reassign": {"unit": self.ref(a[0]), "parent": self.ref(a[1])}}
            effective = a[2]
        elif kind == "dissolve":
            change, effective = {"dissolve": {"unit": self.ref(a[0])}}, a[1]
        elif kind == "merge":
            change = {"merge": {"sources": [self.ref(a[0]), self.ref(a[1])],
                                "into": {**new, "name": a[2], "code": a[3]}}}
            effective = a[4]
        elif kind == "detach":
            part = {**new, "name": a[1], "code": a[2], "edge": "area", "share": a[4]}
            change, effective = {"detach": {"source": self.ref(a[0]), "into": part}}, a[3]
        elif kind == "correct":
            change = {"correct": {"unit": self.ref(a[0]), "version": a[1], "reason": "wrong"}}
        elif kind == "withdraw":
            if not self.acts:
                return
            change = {"withdraw": {"act": str(self.acts[a[0] % len(self.acts)]),
                                   "reason": "void"}}
        document = {"act": {"kind": "decision", "effective": day(effective).isoformat(),
                            "number": f"{len(self.acts) + 1}/T"}, "changes": [change]}
        try:
            result = self.registry.record(document, "hypothesis")
        except RegistryError:  # refused, or a reference that does not resolve
            return
        self.acts.append(result.act_id)
        with self.registry.reading() as tl:
            for org, record in tl.records.items():
                if any(f.kind == BEGAN and f.act == result.act_id for f in record.facts):
                    self.units.append(org)


def replay(url: str) -> Timeline:
    """The reference: a new timeline folded from the stored log, nothing else."""
    registry = bootstrap.build(url)
    try:
        registry.catch_up()
        return registry.timeline
    finally:
        registry.log.close()


def assert_agrees(reader: Reader, now: Timeline) -> None:
    moments = sorted({a.recorded_at for a in now.acts.values()})
    for moment in [None, *moments, *(m - timedelta(milliseconds=500) for m in moments)]:
        tl = now if moment is None else now.known_at(moment)
        for d in range(-1, DAYS + 2):
            expected = sorted(sorted(v.as_dict().items()) for v in tl.existing(day(d)))
            got = sorted(sorted(u.as_dict().items())
                         for u in reader.snapshot(day(d), known_at=moment))
            assert got == expected, (moment, day(d))
            for code in CODES:  # each code on each day
                assert sorted(v.id for v in tl.by_code(code, day(d), "l")) == sorted(
                    _holders(reader, code, day(d), moment)), (moment, day(d), code)
        for org in now.records:
            past = tl.record(org)
            versions = past.versions if past is not None else []
            if not versions:
                with pytest.raises(NotFound):
                    reader.history(org, moment)
                continue
            assert [v.as_dict() for v in versions] == [
                u.as_dict() for u in reader.history(org, moment).versions]
            assert _edges(tl.edges_in(org), "source") == sorted(
                _step(s) for s in reader.lineage(org, "predecessors", 1, moment))
            assert _edges(tl.edges_out(org), "target") == sorted(
                _step(s) for s in reader.lineage(org, "successors", 1, moment))


def _holders(reader: Reader, code: str, on: date, moment: Any) -> list[UUID]:
    try:
        return [reader.by_code(code, on, "l", moment).unit.id]
    except NotFound:
        return []


def _edges(edges: list[Any], other: str) -> list[tuple[Any, ...]]:
    return sorted((str(getattr(e, other)), e.on, e.type, e.share or 0, e.change, str(e.act),
                   e.clause or "") for e in edges)


def _step(s: Any) -> tuple[Any, ...]:
    return (str(s.unit.id), s.on, s.edge, s.share or 0, s.change, str(s.act_id), s.clause or "")


class Crash(BaseException):
    """The process dies (not an error the projection could report and step over)."""


def crash_on_second_batch(n: int) -> None:
    if n == 2:
        raise Crash("the process died before committing its second batch")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(first=st.lists(OPS, min_size=2, max_size=9), then=st.lists(OPS, max_size=5))
def test_read_models_equal_a_replay_of_the_log(backend: str, first: list[Any],
                                                then: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as folder, fresh_database(backend, Path(folder)) as url:
        history = History(url)
        try:
            for op in first:
                history.apply(op)
            crashing = bootstrap.build_projection(url)
            crashing.page = 3
            crashing.before_commit = crash_on_second_batch
            try:
                crashing.catch_up()
            except Crash:
                pass
            crashing.close()
            projection = bootstrap.build_projection(url)  # a new process resumes
            projection.page = 4
            source = ModelSource(projection.store, projection)
            reader = Reader(source)
            source.refresh()
            assert_agrees(reader, replay(url))

            for op in then:  # more acts: incremental catch-up and index refresh
                history.apply(op)
            reader.refresh()
            assert_agrees(reader, replay(url))

            built = projection.store.dump()
            projection.rebuild()
            assert projection.store.dump() == built
            fresh = Reader(ModelSource(projection.store, None))
            assert_agrees(fresh, replay(url))
            projection.close()
        finally:
            history.registry.log.close()
