"""``LineageStep``: one edge of the lineage graph, with the unit on its far side as it then was."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import strawberry

from registry.api.graphql.act import Act
from registry.api.graphql.unit import Unit


@strawberry.type(description="One step of lineage: where a unit came from or went to, and why.")
class LineageStep:
    unit: Unit = strawberry.field(description="the unit on the far side, as it was at the change")
    from_id: strawberry.ID = strawberry.field(description="the unit on the near side")
    edge: str = strawberry.field(description="whole | area | population | remainder")
    share: float | None
    change: str = strawberry.field(description="merge, absorb, split, detach, transfer, …")
    on: date = strawberry.field(description="the day the change took effect")
    act: Act | None
    clause: str | None
    depth: int

    @classmethod
    def from_row(cls, row: dict[str, Any], known_at: datetime | None) -> LineageStep:
        on = date.fromisoformat(row["on"])
        unit = row["unit"]
        act = row.get("act")
        return cls(unit=Unit.from_row(unit, seen_on(unit, on), known_at),
                   from_id=strawberry.ID(row["from_id"]), edge=row["edge"],
                   share=row["share"], change=row["change"], on=on,
                   act=Act.from_row(act) if act and "kind" in act else None,
                   clause=row["clause"], depth=row["depth"])


def seen_on(unit: dict[str, Any], on: date) -> date:
    """A day inside the version: the change's day, else the day before, else its first day."""
    start = date.fromisoformat(unit["valid_from"])
    end = date.fromisoformat(unit["valid_to"]) if unit["valid_to"] else None
    for day in (on, on - timedelta(days=1)):
        if start <= day and (end is None or day < end):
            return day
    return start
