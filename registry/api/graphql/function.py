"""``FunctionHolding``: an organisation held a function (a field of state management, a task)
over a span of days."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from registry.api.graphql.act import Act
from registry.api.graphql.unit import Unit


@strawberry.type(description="An organisation held a function over [since, until).")
class FunctionHolding:
    unit: Unit = strawberry.field(description="the holder, on the date asked")
    function: str = strawberry.field(description="as the act that gave it wrote it")
    since: date
    until: date | None = strawberry.field(description="exclusive; null while it lasts")
    source_id: strawberry.ID | None = strawberry.field(
        description="the organisation it came from; null when assigned")
    target_id: strawberry.ID | None = strawberry.field(
        description="the organisation it passed to; null when removed or while held")
    act: Act | None
    clause: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any], at: date) -> FunctionHolding:
        act = row.get("act")
        return cls(unit=Unit.from_row(row["unit"], at, None), function=row["function"],
                   since=date.fromisoformat(row["since"]),
                   until=date.fromisoformat(row["until"]) if row["until"] else None,
                   source_id=strawberry.ID(row["source_id"]) if row["source_id"] else None,
                   target_id=strawberry.ID(row["target_id"]) if row["target_id"] else None,
                   act=Act.from_row(act) if act and "kind" in act else None,
                   clause=row["clause"])
