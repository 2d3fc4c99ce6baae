"""``Unit``: an organisation as it stood on a date; its relatives are seen on that date too."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry
from starlette.concurrency import run_in_threadpool

from registry.api.graphql.context import Info
from registry.domain.errors import NotFound

if TYPE_CHECKING:
    from registry.api.graphql.function import FunctionHolding
    from registry.api.graphql.history import History
    from registry.api.graphql.lineage import LineageStep

MAX_DEPTH = 100


@strawberry.enum(description="A line of authority: `ADMINISTRATIVE` (the state or "
                             "mass-organisation line), `PARTY` (the party organisation that "
                             "leads a unit, or a party organisation's superior), `TERRITORY` "
                             "(the administrative unit it serves).")
class Relation(Enum):
    ADMINISTRATIVE = "administrative"
    PARTY = "party"
    TERRITORY = "territory"


def _relation(relation: Relation | None) -> str | None:
    return relation.value if relation is not None else None


@strawberry.type(description="A unit's superior along one relation.")
class Superior:
    relation: Relation
    unit: Unit


@strawberry.type(description="An organisation as it stood on the date `at`.")
class Unit:
    id: strawberry.ID
    code: str | None
    name: str
    kind: str
    type: str
    level: str | None
    parent_id: strawberry.ID | None = strawberry.field(
        description="the superior in its own line (a party organisation's is a party "
                    "organisation)")
    territory_id: strawberry.ID | None = strawberry.field(
        description="the administrative unit it serves")
    party_id: strawberry.ID | None = strawberry.field(
        description="the party organisation it belongs to (units outside the party)")
    valid_from: date = strawberry.field(description="first day of this version")
    valid_to: date | None = strawberry.field(description="first day it no longer holds; "
                                                         "null while it lasts")
    illustrative: bool = strawberry.field(
        description="an example, real-shaped, not taken from a source")
    valid_from_stand_in: bool = strawberry.field(
        description="validFrom comes only from acts whose effective date is a stand-in: the "
                    "true day is unknown")
    valid_to_stand_in: bool = strawberry.field(
        description="validTo comes only from acts whose effective date is a stand-in")
    at: date = strawberry.field(description="the date this unit is seen on")
    known_at: strawberry.Private[datetime | None]

    @classmethod
    def from_row(cls, row: dict[str, Any], at: date, known_at: datetime | None) -> Unit:
        return cls(
            id=strawberry.ID(row["id"]), code=row["code"], name=row["name"], kind=row["kind"],
            type=row["type"], level=row["level"],
            parent_id=_id(row.get("parent_id")), territory_id=_id(row.get("territory_id")),
            party_id=_id(row.get("party_id")),
            valid_from=date.fromisoformat(row["valid_from"]),
            valid_to=date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
            illustrative=row.get("illustrative", False),
            valid_from_stand_in=row.get("valid_from_stand_in", False),
            valid_to_stand_in=row.get("valid_to_stand_in", False),
            at=at, known_at=known_at)

    @classmethod
    def from_view(cls, view: Any, at: date, known_at: datetime | None) -> Unit:
        """From the reader's UnitView itself (no round trip through JSON-ready strings)."""
        return cls(
            id=strawberry.ID(str(view.id)), code=view.code, name=view.name, kind=view.kind,
            type=view.type, level=view.level, parent_id=_id(view.parent_id),
            territory_id=_id(view.territory_id), party_id=_id(view.party_id),
            valid_from=view.valid_from, valid_to=view.valid_to,
            illustrative=view.illustrative, valid_from_stand_in=view.valid_from_stand_in,
            valid_to_stand_in=view.valid_to_stand_in, at=at, known_at=known_at)

    @strawberry.field(description="the superior on `at` (default: this unit's date)")
    async def parent(self, info: Info, at: date | None = None) -> Unit | None:
        on = at or self.at
        if on == self.at and self.parent_id is None:
            return None
        if on == self.at:
            parent = UUID(str(self.parent_id))
        else:
            me = await info.context.loaders.units.load((UUID(str(self.id)), on, self.known_at))
            if me is None or me["parent_id"] is None:
                return None
            parent = UUID(me["parent_id"])
        row = await info.context.loaders.units.load((parent, on, self.known_at))
        return Unit.from_row(row, on, self.known_at) if row else None

    @strawberry.field(description="its superior along `relation` on `at` (default: this unit's "
                                  "date), or null")
    def superior(self, info: Info, relation: Relation, at: date | None = None) -> Unit | None:
        on = at or self.at
        for s in _superiors(info, self, on):
            if s.relation == relation:
                return s.unit
        return None

    @strawberry.field(description="its superiors on `at` (default: this unit's date), one per "
                                  "relation that holds then")
    def superiors(self, info: Info, at: date | None = None) -> list[Superior]:
        return _superiors(info, self, at or self.at)

    @strawberry.field(description="the units directly under this one on `at`, along "
                                  "`relation` (default: each unit's own line)")
    async def children(self, info: Info, at: date | None = None,
                       relation: Relation | None = None) -> list[Unit]:
        on = at or self.at
        if relation is not None:
            rows = await info.context.loaders.related.load(
                (UUID(str(self.id)), on, self.known_at, relation.value))
        else:
            rows = await info.context.loaders.children.load(
                (UUID(str(self.id)), on, self.known_at))
        return [Unit.from_row(r, on, self.known_at) for r in rows]

    @strawberry.field(description="the superiors on `at`, nearest first, along `relation` "
                                  "(default: each unit's own line)")
    async def ancestors(self, info: Info, at: date | None = None,
                        relation: Relation | None = None) -> list[Unit]:
        on = at or self.at
        if relation is not None:
            reader = info.context.services.reader
            try:  # inline: the reader answers from its in-process index
                views = reader.ancestors(UUID(str(self.id)), on, self.known_at,
                                         _relation(relation))
            except NotFound:
                return []
            return [Unit.from_view(v, on, self.known_at) for v in views]
        out: list[Unit] = []
        current: Unit | None = self
        if on != self.at:
            row = await info.context.loaders.units.load((UUID(str(self.id)), on, self.known_at))
            current = Unit.from_row(row, on, self.known_at) if row else None
        seen = {str(self.id)}
        while current is not None and current.parent_id is not None and len(out) < MAX_DEPTH:
            if str(current.parent_id) in seen:
                break
            seen.add(str(current.parent_id))
            row = await info.context.loaders.units.load(
                (UUID(str(current.parent_id)), on, self.known_at))
            current = Unit.from_row(row, on, self.known_at) if row else None
            if current is not None:
                out.append(current)
        return out

    @strawberry.field(description="every version, the events behind them, and the lineage")
    async def history(self, info: Info) -> Annotated[
            History, strawberry.lazy("registry.api.graphql.history")]:
        from registry.api.graphql.history import History
        reader = info.context.services.reader
        view = await run_in_threadpool(reader.history, UUID(str(self.id)), self.known_at)
        return History.from_row(view.as_dict(), self.known_at)

    @strawberry.field(description="the functions it held on `at` (current knowledge)")
    async def functions(self, info: Info, at: date | None = None) -> list[Annotated[
            FunctionHolding, strawberry.lazy("registry.api.graphql.function")]]:
        from registry.api.graphql.function import FunctionHolding
        on = at or self.at
        reader = info.context.services.reader
        held = await run_in_threadpool(reader.functions, UUID(str(self.id)), on)
        return [FunctionHolding.from_row(h.as_dict(), on) for h in held]

    @strawberry.field(description="the units this one came from; depth 0 follows every step")
    async def predecessors(self, info: Info, depth: int = 1) -> list[Annotated[
            LineageStep, strawberry.lazy("registry.api.graphql.lineage")]]:
        return await _lineage(info, self, "predecessors", depth)

    @strawberry.field(description="the units this one went into; depth 0 follows every step")
    async def successors(self, info: Info, depth: int = 1) -> list[Annotated[
            LineageStep, strawberry.lazy("registry.api.graphql.lineage")]]:
        return await _lineage(info, self, "successors", depth)


def _superiors(info: Info, unit: Unit, on: date) -> list[Superior]:
    reader = info.context.services.reader
    try:  # inline: the reader answers from its in-process index
        found = reader.superiors(UUID(str(unit.id)), on, unit.known_at)
    except NotFound:
        return []
    out = []
    for s in found:
        view = reader.unit(s.id, on, unit.known_at, superiors=False)
        out.append(Superior(relation=Relation(s.relation),
                            unit=Unit.from_view(view, on, unit.known_at)))
    return out


async def _lineage(info: Info, unit: Unit, direction: str, depth: int) -> list[LineageStep]:
    from registry.api.graphql.lineage import LineageStep
    from registry.domain.errors import InvalidInput
    if not 0 <= depth <= MAX_DEPTH:
        raise InvalidInput(f"between 0 and {MAX_DEPTH}", "depth")
    reader = info.context.services.reader
    steps = await run_in_threadpool(reader.lineage, UUID(str(unit.id)), direction,
                                    depth or None, unit.known_at)
    return [LineageStep.from_row(s.as_dict(), unit.known_at) for s in steps]


def _id(value: object) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value else None
