"""``Change``: one recorded change on a date, with the unit as it stood at the change."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from registry.api.graphql.act import Act
from registry.api.graphql.lineage import seen_on
from registry.api.graphql.unit import Unit


@strawberry.type(description="A change that took effect on `on`.")
class Change:
    position: int
    on: date
    kind: str
    unit: Unit
    values: JSON
    act: Act | None
    clause: str | None
    actor: str
    recorded_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any], known_at: datetime | None) -> Change:
        on = date.fromisoformat(row["on"])
        act = row.get("act")
        return cls(position=row["position"], on=on, kind=row["kind"],
                   unit=Unit.from_row(row["unit"], seen_on(row["unit"], on), known_at),
                   values=row["values"], act=Act.from_row(act) if act and "kind" in act else None,
                   clause=row["clause"], actor=row["actor"],
                   recorded_at=datetime.fromisoformat(row["recorded_at"]))


@strawberry.type
class ChangePage:
    items: list[Change]
    next: str | None
