"""Plans: what an act of kind ``plan`` foresees, and how far each item has come (ADR 0008).

Planned changes are not facts. A plan's items and their dated statuses live in one stream per plan
(``stream_of(plan act id)``), never in an organisation's: the structure on a date is folded from
organisation facts only, so nothing a plan foresees ever appears in it. An item's status on a date
is the last status taking effect on or before that date (the item's own, dated by the plan, then
each ``plan_status`` change, dated by its effective date; recording order breaks ties); a status
change carried by an act later withdrawn no longer counts, and a withdrawn plan answers nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

STATUSES = ("planned", "in_progress", "done", "dropped")
CLOSED = ("done", "dropped")  # an item in one of these is never overdue


def stream_of(plan: UUID) -> UUID:
    """The stream holding a plan's items and status changes."""
    return uuid.uuid5(plan, "plan")


@dataclass(frozen=True, slots=True)
class ItemPlanned:
    """One item of a plan, as the plan act states it."""

    plan: UUID
    version: int  # in the plan's stream
    item: str
    title: str
    deadline: date | None
    lead: UUID | None
    coordinating: tuple[UUID, ...]
    status: str
    acts: tuple[UUID, ...]
    change: dict[str, Any] | None
    on: date
    act: UUID
    clause: str | None
    actor: str
    recorded_at: datetime
    seq: int


@dataclass(frozen=True, slots=True)
class StatusChanged:
    """A later act's word on an item: its status from ``on``, and the acts that carried it out."""

    plan: UUID
    version: int
    item: str
    status: str
    acts: tuple[UUID, ...]
    on: date
    act: UUID
    clause: str | None
    actor: str
    recorded_at: datetime
    seq: int


PlanEvent = ItemPlanned | StatusChanged


@dataclass
class PlanRecord:
    plan: UUID
    items: dict[str, ItemPlanned] = field(default_factory=dict)
    changes: list[StatusChanged] = field(default_factory=list)
    last_version: int = 0

    def add(self, event: PlanEvent) -> None:
        if isinstance(event, ItemPlanned):
            self.items[event.item] = event
        else:
            self.changes.append(event)
        self.last_version = max(self.last_version, event.version)

    def remove(self, events: Iterable[PlanEvent]) -> None:
        gone = {id(e) for e in events}
        self.items = {k: v for k, v in self.items.items() if id(v) not in gone}
        self.changes = [c for c in self.changes if id(c) not in gone]
        versions = [i.version for i in self.items.values()] + [c.version for c in self.changes]
        self.last_version = max(versions, default=0)


@dataclass(frozen=True, slots=True)
class Status:
    """An item's status from ``since``, as one event set it."""

    status: str
    since: date
    acts: tuple[UUID, ...]
    act: UUID  # the act that said so
    clause: str | None
    seq: int


def statuses(item: ItemPlanned, changes: Iterable[StatusChanged],
             counts: Any = None) -> list[Status]:
    """Every status the item took, in effective order (the plan's own first; ties by recording
    order). ``counts(act_id, recorded_at)`` says whether an event still counts (its act is known
    and not withdrawn); None: every one does."""
    out = [Status(item.status, item.on, item.acts, item.act, item.clause, item.seq)]
    for c in changes:
        if c.item == item.item and (counts is None or counts(c.act, c.recorded_at)):
            out.append(Status(c.status, c.on, c.acts, c.act, c.clause, c.seq))
    return sorted(out, key=lambda s: (s.since, s.seq))


def status_on(history: list[Status], at: date) -> Status | None:
    """The status in force on ``at``: the last one effective on or before it (None before the
    plan takes effect)."""
    found = None
    for s in history:
        if s.since <= at:
            found = s
        else:
            break
    return found


def overdue(deadline: date | None, status: str | None, at: date) -> bool:
    return deadline is not None and status is not None and deadline < at and status not in CLOSED
