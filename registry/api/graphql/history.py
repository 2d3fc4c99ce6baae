"""``History``: every version of a unit, the recorded events behind them, and its lineage."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from registry.api.graphql.act import Act
from registry.api.graphql.lineage import LineageStep
from registry.api.graphql.unit import Unit


@strawberry.type(description="A recorded event about one unit.")
class Event:
    position: int = strawberry.field(description="position in the event log")
    version: int
    kind: str
    on: date | None
    values: JSON
    act: Act | None
    clause: str | None
    actor: str
    recorded_at: datetime
    superseded: bool

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Event:
        act = row.get("act")
        return cls(position=row["position"], version=row["version"], kind=row["kind"],
                   on=date.fromisoformat(row["on"]) if row["on"] else None, values=row["values"],
                   act=Act.from_row(act) if act and "kind" in act else None,
                   clause=row["clause"], actor=row["actor"],
                   recorded_at=datetime.fromisoformat(row["recorded_at"]),
                   superseded=row["superseded"])


@strawberry.type(description="Everything recorded about one unit.")
class History:
    id: strawberry.ID
    began: date
    ended: date | None
    history_before_unknown: bool = strawberry.field(
        description="registered by a baseline act: earlier history is unknown, not absent")
    versions: list[Unit]
    events: list[Event]
    predecessors: list[LineageStep]
    successors: list[LineageStep]

    @classmethod
    def from_row(cls, row: dict[str, Any], known_at: datetime | None) -> History:
        return cls(
            id=strawberry.ID(row["id"]), began=date.fromisoformat(row["began"]),
            ended=date.fromisoformat(row["ended"]) if row["ended"] else None,
            history_before_unknown=row["history_before_unknown"],
            versions=[Unit.from_row(v, date.fromisoformat(v["valid_from"]), known_at)
                      for v in row["versions"]],
            events=[Event.from_row(e) for e in row["events"]],
            predecessors=[LineageStep.from_row(s, known_at) for s in row["predecessors"]],
            successors=[LineageStep.from_row(s, known_at) for s in row["successors"]])
