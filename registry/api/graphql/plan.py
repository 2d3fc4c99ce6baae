"""``Plan``: what a plan foresaw, what is done and by which act, what is overdue on a date
(ADR 0008: planned changes are never part of the structure)."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry.scalars import JSON

from registry.api.graphql.act import Act


def plan_act(row: dict[str, Any]) -> Act:
    return Act.from_row({**row, "withdrawn": False})


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@strawberry.type(description="An organisation a plan names, with its name on the plan's date.")
class PlanBody:
    id: strawberry.ID
    name: str | None


@strawberry.type(description="A status an item took, from a date, and who said so.")
class PlanStatusStep:
    status: str
    since: date
    since_stand_in: bool = strawberry.field(description="`since` comes from an act whose "
                                                        "effective date is a stand-in")
    act: Act | None = strawberry.field(description="the act that said so")
    acts: list[Act] = strawberry.field(description="the acts that carried it out")


@strawberry.type(description="One item of a plan on a date.")
class PlanItem:
    id: str = strawberry.field(description="the item's id in the plan (2.2(1))")
    title: str
    clause: str | None
    planned_on: date
    planned_on_stand_in: bool = strawberry.field(description="the plan's date is a stand-in")
    deadline: date | None
    lead: PlanBody | None
    coordinating: list[PlanBody]
    status: str | None = strawberry.field(
        description="planned, in_progress, done or dropped on the date (the last status "
                    "effective on or before it); null before the plan takes effect")
    since: date | None
    since_stand_in: bool = strawberry.field(description="`since` comes from an act whose "
                                                        "effective date is a stand-in")
    overdue: bool = strawberry.field(description="the deadline has passed and the item is "
                                                 "neither done nor dropped")
    acts: list[Act] = strawberry.field(description="the acts that carried it out, up to the date")
    change: JSON | None = strawberry.field(description="the change the plan foresaw; never "
                                                       "applied")
    history: list[PlanStatusStep]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> PlanItem:
        def body(b: dict[str, Any] | None) -> PlanBody | None:
            return PlanBody(id=strawberry.ID(b["id"]), name=b["name"]) if b else None

        return cls(
            id=row["id"], title=row["title"], clause=row["clause"],
            planned_on=date.fromisoformat(row["planned_on"]),
            planned_on_stand_in=row["planned_on_stand_in"], deadline=_date(row["deadline"]),
            lead=body(row["lead"]),
            coordinating=[b for b in map(body, row["coordinating"]) if b is not None],
            status=row["status"], since=_date(row["since"]),
            since_stand_in=row["since_stand_in"], overdue=row["overdue"],
            acts=[plan_act(a) for a in row["acts"]], change=row["change"],
            history=[PlanStatusStep(status=s["status"], since=date.fromisoformat(s["since"]),
                                    since_stand_in=s["since_stand_in"],
                                    act=plan_act(s["act"]) if s["act"] else None,
                                    acts=[plan_act(a) for a in s["acts"]])
                     for s in row["history"]])


@strawberry.type(description="How many items stand where on the date.")
class PlanCounts:
    planned: int
    in_progress: int
    done: int
    dropped: int
    overdue: int


@strawberry.type(description="A plan (an act of kind plan) on a date.")
class Plan:
    act: Act
    at: date
    counts: PlanCounts
    items: list[PlanItem]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Plan:
        return cls(act=plan_act(row["act"]), at=date.fromisoformat(row["at"]),
                   counts=PlanCounts(**row["counts"]),
                   items=[PlanItem.from_row(i) for i in row["items"]])


@strawberry.type(description="A plan in force, with how many items stand where on the date.")
class PlanSummary:
    act: Act
    items: int
    counts: PlanCounts


@strawberry.type
class PlanPage:
    items: list[PlanSummary]
    next: str | None = strawberry.field(description="cursor of the next page; null at the end")
