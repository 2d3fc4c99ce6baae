"""The GraphQL schema: queries over the read interface, and the ``recordAct`` mutation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import strawberry
from graphql import GraphQLError
from starlette.concurrency import run_in_threadpool
from strawberry.scalars import JSON
from strawberry.types import ExecutionContext

from registry.api.graphql.act import Act, ActPage
from registry.api.graphql.change import Change, ChangePage
from registry.api.graphql.context import Info
from registry.api.graphql.errors import RegistryErrors
from registry.api.graphql.function import FunctionHolding
from registry.api.graphql.limits import DocumentCaches, QueryLimits
from registry.api.graphql.plan import Plan, PlanCounts, PlanPage, PlanSummary, plan_act
from registry.api.graphql.unit import Relation, Unit
from registry.api.rest.acts import scoped_key
from registry.api.services import recorder
from registry.application.lookups import unit_ref
from registry.domain.errors import InvalidInput, RegistryError

MAX_PAGE = 1000


@strawberry.input(description="Narrow `units` down; every condition must hold.")
class UnitFilter:
    parent: strawberry.ID | None = None
    relation: Relation | None = strawberry.field(
        default=None, description="with `parent`: the units directly under it along this "
                                  "relation (default: their own line)")
    level: str | None = None
    kind: str | None = None
    type: str | None = None
    q: str | None = strawberry.field(default=None, description="part of the name, any accents")


@strawberry.type
class UnitPage:
    items: list[Unit]
    next: str | None = strawberry.field(description="cursor of the next page; null at the end")


@strawberry.type(description="A unit found by name, with the dates it carried that name.")
class SearchHit:
    unit: Unit = strawberry.field(description="the unit, in the last version with that name")
    name: str
    valid_from: date
    valid_to: date | None = strawberry.field(description="exclusive; null while it lasts")
    score: int = strawberry.field(description="0 the whole name or the code … 4 anywhere in it")
    label: str = strawberry.field(description="the name and its superiors, nearest first: "
                                              "Xã Bình Minh · Huyện Thanh Oai · Thành phố Hà Nội")
    superiors: list[Unit] = strawberry.field(description="nearest first, on the hit's date")


@strawberry.type
class RecordResult:
    act_id: strawberry.ID
    created: bool = strawberry.field(description="false when this idempotency key was seen")
    events: int
    organisations: int


def _moment(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _uuid(value: str, field: str) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise InvalidInput(f"'{str(value)[:60]}' is not an id (a UUID)", field) from None


def _first(first: int) -> int:
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInput(f"between 1 and {MAX_PAGE}", "first")
    return first


@strawberry.type
class Query:
    @strawberry.field(description="A unit on a date, by id or by code (and level).")
    def unit(self, info: Info, id: strawberry.ID | None = None, code: str | None = None,
                   level: str | None = None, at: date | None = None,
                   known_at: datetime | None = None) -> Unit | None:
        reader = info.context.services.reader
        on, known = at or date.today(), _moment(known_at)
        if (id is None) == (code is None):
            raise InvalidInput("give exactly one of id and code", "id")
        # inline: the reader answers units on a date from its in-process index
        if id is not None:
            view = reader.unit(_uuid(id, "id"), on, known)
        else:
            view = reader.by_code(str(code), on, level, known).unit
        return Unit.from_view(view, on, known)

    @strawberry.field(description="Units existing on a date, in code order, a page at a time.")
    async def units(self, info: Info, filter: UnitFilter | None = None, at: date | None = None,
                    known_at: datetime | None = None, first: int = 100,
                    after: str | None = None) -> UnitPage:
        reader = info.context.services.reader
        on, known, f = at or date.today(), _moment(known_at), filter or UnitFilter()
        parent = _uuid(f.parent, "filter.parent") if f.parent is not None else None
        page = await run_in_threadpool(
            lambda: reader.units(on, known, parent=parent, level=f.level, kind=f.kind,
                                 type=f.type, q=f.q, limit=_first(first), cursor=after,
                                 relation=f.relation.value if f.relation else None))
        return UnitPage(items=[Unit.from_row(u.as_dict(), on, known) for u in page.items],
                        next=page.next)

    @strawberry.field(description="Units by name or code, current and historical, ignoring "
                                  "case, diacritics and tone-mark placement; best matches first. "
                                  "`within`: a unit's id, or a code it holds on `at` (default "
                                  "today): only it and the units under it.")
    async def search(self, info: Info, text: str, at: date | None = None,
                     known_at: datetime | None = None, first: int = 20,
                     level: str | None = None, within: str | None = None) -> list[SearchHit]:
        reader = info.context.services.reader
        known = _moment(known_at)

        def read() -> Any:
            inside = (unit_ref(reader, within, (at or date.today(),), known, "within")
                      if within is not None else None)
            return reader.search(text, at, known, min(_first(first), 100), level, inside,
                                 field="text")
        hits = await run_in_threadpool(read)
        out = []
        for h in hits:
            seen = max(h.valid_to - timedelta(days=1) if h.valid_to else h.valid_from,
                       h.valid_from)
            out.append(SearchHit(
                unit=Unit.from_row(h.unit.as_dict(), seen, known), name=h.name,
                valid_from=h.valid_from, valid_to=h.valid_to, score=h.score, label=h.label,
                superiors=[Unit.from_row(u.as_dict(), seen, known) for u in h.superiors]))
        return out

    @strawberry.field(description="Changes that took effect between two dates (inclusive).")
    async def changes(self, info: Info, from_: Annotated[date, strawberry.argument(name="from")],
                      to: date, within: strawberry.ID | None = None,
                      known_at: datetime | None = None, first: int = 100,
                      after: str | None = None) -> ChangePage:
        reader = info.context.services.reader
        known = _moment(known_at)

        def read() -> Any:  # ``within``: a unit's id, or a code it holds on either date
            inside = (unit_ref(reader, str(within), (to, from_), known) if within is not None
                      else None)
            return reader.changes(from_, to, inside, known, limit=_first(first), cursor=after)
        page = await run_in_threadpool(read)
        return ChangePage(items=[Change.from_row(c.as_dict(), known) for c in page.items],
                          next=page.next)

    @strawberry.field(description="Legal acts in recording order, a page at a time.")
    async def acts(self, info: Info, first: int = 100, after: str | None = None) -> ActPage:
        reader = info.context.services.reader
        page = await run_in_threadpool(lambda: reader.acts(limit=_first(first), cursor=after))
        return ActPage(items=[Act.from_row(a.as_dict()) for a in page.items], next=page.next)

    @strawberry.field(description="One legal act, with its document.")
    async def act(self, info: Info, id: strawberry.ID) -> Act | None:
        row = await info.context.loaders.acts.load(_uuid(id, "id"))
        return Act.from_row(row)

    @strawberry.field(description="A unit's subtree staffed on two dates, lineage-aware, against "
                                  "the targets on it or above it (the REST report's JSON: "
                                  "`GET /v1/units/{id}/staffing`). `unit`: an id, or a code it "
                                  "holds on `to`; `measure`: quota or in_post.")
    async def staffing(self, info: Info, unit: str,
                       from_: Annotated[date, strawberry.argument(name="from")], to: date,
                       measure: str = "quota", category: str | None = None) -> JSON:
        reader = info.context.services.reader

        def read() -> Any:
            org = unit_ref(reader, unit, (to, from_), None, "unit")
            return reader.staffing(org, from_, to, measure, category).as_dict()
        return await run_in_threadpool(read)

    @strawberry.field(description="Who held a function on a date (default today); case and "
                                  "tone-mark placement in its name are ignored.")
    async def function_holders(self, info: Info, function: str,
                               at: date | None = None) -> list[FunctionHolding]:
        reader = info.context.services.reader
        on = at or date.today()
        held = await run_in_threadpool(reader.function_holders, function, on)
        return [FunctionHolding.from_row(h.as_dict(), on) for h in held]

    @strawberry.field(description="A plan on a date, by its act's id, number or title: each "
                                  "item's status, deadline, lead and coordinating bodies, the "
                                  "acts that carried it out, and whether it is overdue. Planned "
                                  "changes are never part of the structure.")
    async def plan(self, info: Info, id: str, at: date | None = None,
                   known_at: datetime | None = None) -> Plan:
        reader = info.context.services.reader
        view = await run_in_threadpool(reader.plan, id, at or date.today(), _moment(known_at))
        return Plan.from_row(view.as_dict())

    @strawberry.field(description="Every plan in force, with how many items stand where on a "
                                  "date.")
    async def plans(self, info: Info, at: date | None = None, known_at: datetime | None = None,
                    first: int = 100, after: str | None = None) -> PlanPage:
        reader = info.context.services.reader
        page = await run_in_threadpool(lambda: reader.plans(
            at or date.today(), _moment(known_at), _first(first), after))
        return PlanPage(items=[PlanSummary(act=plan_act(p.act.as_dict()), items=p.items,
                                           counts=PlanCounts(**p.counts)) for p in page.items],
                        next=page.next)

    @strawberry.field(description="The log position the answers reflect and the hash of the "
                                  "last act up to it: pin it to prove later the log unchanged.")
    async def log_head(self, info: Info) -> LogHead:
        head = await run_in_threadpool(info.context.services.reader.head)
        return LogHead(position=head["position"], hash=head["hash"],
                       act=strawberry.ID(head["act"]) if head["act"] else None)


@strawberry.type(description="The head of the log's hash chain.")
class LogHead:
    position: int
    hash: str
    act: strawberry.ID | None


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Record an act document (needs a recorder token). The same "
                                     "idempotency key twice records it once.")
    async def record_act(self, info: Info, document: JSON,
                         idempotency_key: str | None = None) -> RecordResult:
        token = await run_in_threadpool(recorder, info.context.request)
        key = (scoped_key(idempotency_key, "idempotencyKey")
               if idempotency_key is not None else None)
        registry = info.context.services.registry
        result: Any = await run_in_threadpool(registry.record, document, token.actor, key)
        return RecordResult(act_id=strawberry.ID(str(result.act_id)), created=result.created,
                            events=result.events, organisations=result.organisations)


class RegistrySchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError],
                       execution_context: ExecutionContext | None = None) -> None:
        unexpected = [e for e in errors if e.original_error is not None
                      and not isinstance(e.original_error, (RegistryError, GraphQLError))]
        super().process_errors(unexpected, execution_context)


schema = RegistrySchema(
    query=Query, mutation=Mutation,
    extensions=[
        QueryLimits,  # MaxTokensLimiter + QueryDepthLimiter and MaxAliasesLimiter rules
        DocumentCaches,  # ParserCache + a ValidationCache keyed by the query text
        RegistryErrors,  # MaskErrors giving registry errors their codes
    ])
