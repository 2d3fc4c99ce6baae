"""One code's whole trajectory: every unit that held it, and each one's predecessors and
successors across all dates (the lineage followed to the end in both directions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from registry.application.reading import LineageStep, Reader, UnitView
from registry.domain.errors import NotFound

CSV_COLUMNS = ("holder_id", "holder_code", "holder_name", "holder_level", "held_from", "held_to",
               "direction", "depth", "on", "change", "edge", "share", "from_id", "unit_id",
               "unit_code", "unit_name", "unit_level", "act", "clause")


@dataclass(frozen=True)
class Holder:
    unit: UnitView                  # its last version that held the code
    held: list[tuple[str, str | None]]  # [from, to) spans, ISO dates
    predecessors: list[LineageStep]
    successors: list[LineageStep]

    def as_dict(self) -> dict[str, Any]:
        return {"unit": self.unit.as_dict(),
                "held": [{"from": a, "to": b} for a, b in self.held],
                "predecessors": [s.as_dict() for s in self.predecessors],
                "successors": [s.as_dict() for s in self.successors]}


def trajectory(reader: Reader, code: str, level: str | None = None,
               known_at: datetime | None = None) -> list[Holder]:
    idx = reader.source.index()
    holders = []
    for org in sorted(idx.holders_ever(code)):
        versions = [v for v in idx.versions(org, known_at)
                    if v.code == code and (level is None or v.level == level)]
        if not versions:
            continue
        held: list[tuple[str, str | None]] = []
        for v in versions:
            end = v.valid_to.isoformat() if v.valid_to else None
            if held and held[-1][1] == v.valid_from.isoformat():
                held[-1] = (held[-1][0], end)
            else:
                held.append((v.valid_from.isoformat(), end))
        holders.append(Holder(UnitView.of(versions[-1]), held,
                              reader.lineage(org, "predecessors", None, known_at),
                              reader.lineage(org, "successors", None, known_at)))
    if not holders:
        where = f" at level {level}" if level else ""
        raise NotFound(f"no unit ever held code {code}{where}")
    holders.sort(key=lambda h: (h.held[0][0], h.unit.level or "", str(h.unit.id)))
    return holders


def csv_rows(holders: list[Holder]) -> list[dict[str, Any]]:
    rows = []
    for h in holders:
        u = h.unit
        base = {"holder_id": str(u.id), "holder_code": u.code, "holder_name": u.name,
                "holder_level": u.level}
        for a, b in h.held:
            rows.append({**base, "held_from": a, "held_to": b, "direction": "held"})
        for direction, steps in (("predecessor", h.predecessors), ("successor", h.successors)):
            for s in steps:
                act = s.act.number if s.act is not None and s.act.number else str(s.act_id)
                rows.append({**base, "direction": direction, "depth": s.depth,
                             "on": s.on.isoformat(), "change": s.change, "edge": s.edge,
                             "share": s.share, "from_id": str(s.from_id),
                             "unit_id": str(s.unit.id), "unit_code": s.unit.code,
                             "unit_name": s.unit.name, "unit_level": s.unit.level, "act": act,
                             "clause": s.clause})
    return rows
