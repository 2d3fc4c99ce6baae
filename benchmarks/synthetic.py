"""A synthetic administrative history, written straight to the event log for benchmarks.

Provinces of districts of communes, registered on day one; then one act after another, each on
one province: communes renamed, merged in pairs (the sources end, a new commune begins with
lineage edges, taking the first source's code), split in two (area edges with shares), or moved
to another district; merges and splits balance, so a province keeps about 160 units. The events
are the registry's own stored event classes, valid by construction, appended in large
transactions (validation is what the write path is for, not what these benchmarks measure).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from registry.domain import model
from registry.domain.events import LEDGER_ID, Ledger, event_from_fact
from registry.domain.model import Fact

START = date(1990, 1, 1)
RECORDED = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Unit:
    id: UUID
    code: str
    name: str
    level: str
    parent: UUID | None
    version: int = 1
    children: list[UUID] = field(default_factory=list)


class Synthetic:
    def __init__(self, provinces: int = 4, districts: int = 10, communes: int = 15,
                 seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.units: dict[UUID, Unit] = {}
        self.provinces: list[UUID] = []
        self.acts = 0
        self.ledger_version = 0
        self.next_code = 10_000
        self.shape = (provinces, districts, communes)

    def _id(self) -> UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _fact(self, unit: Unit, kind: str, on: date, act: UUID, values: dict[str, Any],
              moment: datetime) -> Any:
        unit.version += 0 if kind == model.BEGAN else 1
        return event_from_fact(Fact(unit.id, unit.version, kind, on, values, act, "Điều 1",
                                    "bench", moment, 0))

    def _begin(self, unit: Unit, on: date, act: UUID, moment: datetime, how: str) -> Any:
        self.units[unit.id] = unit
        if unit.parent is not None:
            self.units[unit.parent].children.append(unit.id)
        return self._fact(unit, model.BEGAN, on, act, {
            "name": unit.name, "code": unit.code, "kind": "administrative_unit",
            "type": {"province": "tỉnh", "district": "huyện", "commune": "xã"}[unit.level],
            "level": unit.level, "parent": unit.parent, "territory": None, "how": how}, moment)

    def _act(self, on: date, events: list[Any], moment: datetime, act: UUID) -> list[Any]:
        self.ledger_version += 1
        self.acts += 1
        ledger = Ledger.ActRecorded(
            originator_id=LEDGER_ID, originator_version=self.ledger_version, timestamp=moment,
            act_id=act, key=f"bench:{self.acts}", digest="0" * 64, number=f"{self.acts}/BENCH",
            act_kind="decision", issuer=None, signed=None, effective=on, title=None, url=None,
            verified=False, note=None, actor="bench", document={})
        return [ledger, *events]

    def baseline(self) -> list[Any]:
        act, moment, events = self._id(), RECORDED, []
        provinces, districts, communes = self.shape
        for p in range(provinces):
            prov = Unit(self._id(), f"{p + 1:02d}", f"Tỉnh Số {p + 1}", "province", None)
            events.append(self._begin(prov, START, act, moment, "registration"))
            self.provinces.append(prov.id)
            for d in range(districts):
                dist = Unit(self._id(), f"{p * 100 + d:03d}", f"Huyện {p}-{d}", "district",
                            prov.id)
                events.append(self._begin(dist, START, act, moment, "registration"))
                for c in range(communes):
                    self.next_code += 1
                    com = Unit(self._id(), f"{self.next_code:05d}", f"Xã Hòa {p}-{d}-{c}",
                               "commune", dist.id)
                    events.append(self._begin(com, START, act, moment, "registration"))
        return self._act(START, events, moment, act)

    def change(self, n: int) -> list[Any]:
        """The n-th act after the baseline: effective n days after the start."""
        on = START + timedelta(days=n)
        moment = RECORDED + timedelta(seconds=n)
        act = self._id()
        province = self.units[self.rng.choice(self.provinces)]
        district = self.units[self.rng.choice(province.children)]
        alive = list(district.children)
        roll = self.rng.random()
        events: list[Any] = []
        if roll < 0.4 or len(alive) < 4:  # renames 40 %, merges 25 %, splits 25 %, moves 10 %
            for cid in self.rng.sample(alive, min(len(alive), 5)):
                unit = self.units[cid]
                unit.name = f"Xã Đoàn Kết {n}-{cid.hex[:4]}"
                events.append(self._fact(unit, model.RENAMED, on, act, {"name": unit.name},
                                         moment))
        elif roll < 0.65:
            sources = [self.units[c] for c in self.rng.sample(alive, 2)]
            new = Unit(self._id(), sources[0].code, f"Xã Hợp Nhất {n}", "commune", district.id)
            for s in sources:
                events.append(self._fact(s, model.ENDED, on, act, {"how": "merge"}, moment))
                district.children.remove(s.id)
            events.append(self._begin(new, on, act, moment, "merge"))
            for s in sources:
                events.append(self._fact(new, model.DERIVED, on, act, {
                    "source": s.id, "edge": "whole", "share": None, "change": "merge"}, moment))
        elif roll < 0.9:
            source = self.units[self.rng.choice(alive)]
            events.append(self._fact(source, model.ENDED, on, act, {"how": "split"}, moment))
            district.children.remove(source.id)
            for i, share in enumerate((0.6, 0.4)):
                self.next_code += 1
                code = source.code if i == 0 else f"{self.next_code:05d}"
                new = Unit(self._id(), code, f"Xã Tách {n}-{i}", "commune", district.id)
                events.append(self._begin(new, on, act, moment, "split"))
                events.append(self._fact(new, model.DERIVED, on, act, {
                    "source": source.id, "edge": "area", "share": share, "change": "split"},
                    moment))
        else:
            other = self.units[self.rng.choice(province.children)]
            if other.id != district.id:
                unit = self.units[self.rng.choice(alive)]
                district.children.remove(unit.id)
                other.children.append(unit.id)
                unit.parent = other.id
                events.append(self._fact(unit, model.REASSIGNED, on, act, {"parent": other.id},
                                         moment))
        return self._act(on, events, moment, act)


def provinces_for(target_events: int) -> int:
    """The registry grows with its history: a province (161 units) per 2,000 events, so that a
    commune's own history stays about a dozen events deep, as real ones are."""
    return max(1, target_events // 2_000)


def write(log: Any, target_events: int, provinces: int | None = None, seed: int = 7,
          batch: int = 5_000) -> Synthetic:
    """Append a synthetic history of about ``target_events`` events to ``log``."""
    syn = Synthetic(provinces=provinces or provinces_for(target_events), seed=seed)
    pending = syn.baseline()
    written, n = 0, 0
    while written + len(pending) < target_events:
        n += 1
        pending += syn.change(n)
        if len(pending) >= batch:
            log.append(pending)
            written += len(pending)
            pending = []
    if pending:
        log.append(pending)
        written += len(pending)
    syn.written = written  # type: ignore[attr-defined]
    syn.days = n  # type: ignore[attr-defined]
    return syn
