"""Plans on the read side: what a plan foresaw, what is done and by which act, what is overdue.

Answered from the read models' plan tables (``plan_items``, ``plan_statuses``) and the index's
acts and organisations. An item's status on a date is the last status effective on or before it
(``registry.domain.plans``); items never take effect in the structure (ADR 0008).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from registry.domain import plans as dp
from registry.domain.errors import InvalidInput, NotFound
from registry.domain.text import fold
from registry.projections.index import ReadIndex
from registry.projections.rows import ActRow


def _iso(d: date | datetime | None) -> str | None:
    return d.isoformat() if d is not None else None


@dataclass(frozen=True)
class Body:
    """An organisation a plan names (lead, coordinating), as it stood on the plan's date."""

    id: UUID
    name: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"id": str(self.id), "name": self.name}


@dataclass(frozen=True)
class ActBrief:
    id: UUID
    number: str | None
    kind: str
    title: str | None
    effective: date
    verified: bool
    stand_in: bool = False  # the effective date only places the act in time

    @classmethod
    def of(cls, row: ActRow) -> ActBrief:
        return cls(row.id, row.number, row.kind, row.title, row.effective, row.verified,
                   row.stand_in)

    def as_dict(self) -> dict[str, Any]:
        return {"id": str(self.id), "number": self.number, "kind": self.kind,
                "title": self.title, "effective": _iso(self.effective),
                "effective_stand_in": self.stand_in, "verified": self.verified}


@dataclass(frozen=True)
class StatusStep:
    status: str
    since: date
    act: ActBrief | None  # the act that said so
    acts: list[ActBrief]  # the acts that carried it out

    @property
    def since_stand_in(self) -> bool:
        """The day comes from an act whose effective date is a stand-in."""
        return self.act is not None and self.act.stand_in

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "since": _iso(self.since),
                "since_stand_in": self.since_stand_in,
                "act": self.act.as_dict() if self.act else None,
                "acts": [a.as_dict() for a in self.acts]}


@dataclass(frozen=True)
class PlanItemView:
    id: str
    title: str
    clause: str | None
    planned_on: date
    deadline: date | None
    lead: Body | None
    coordinating: list[Body]
    status: str | None  # None before the plan takes effect
    since: date | None
    overdue: bool
    acts: list[ActBrief]  # the acts that carried it out, up to the date
    change: dict[str, Any] | None  # what the plan foresaw; never applied
    history: list[StatusStep]  # every status up to the date
    planned_on_stand_in: bool = False  # the plan's own date is a stand-in

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "clause": self.clause,
                "planned_on": _iso(self.planned_on),
                "planned_on_stand_in": self.planned_on_stand_in,
                "deadline": _iso(self.deadline),
                "lead": self.lead.as_dict() if self.lead else None,
                "coordinating": [b.as_dict() for b in self.coordinating],
                "status": self.status, "since": _iso(self.since),
                "since_stand_in": bool(self.history) and self.history[-1].since_stand_in,
                "overdue": self.overdue,
                "acts": [a.as_dict() for a in self.acts], "change": self.change,
                "history": [s.as_dict() for s in self.history]}


@dataclass(frozen=True)
class PlanView:
    act: ActBrief
    at: date
    items: list[PlanItemView]

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in dp.STATUSES}
        for i in self.items:
            if i.status is not None:
                out[i.status] += 1
        out["overdue"] = sum(1 for i in self.items if i.overdue)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"act": self.act.as_dict(), "at": _iso(self.at), "counts": self.counts(),
                "items": [i.as_dict() for i in self.items]}


@dataclass(frozen=True)
class PlanSummary:
    act: ActBrief
    items: int
    counts: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {"act": self.act.as_dict(), "items": self.items, "counts": dict(self.counts)}


Rows = tuple[list[dp.ItemPlanned], list[dp.StatusChanged]]


class PlanReading:
    """The plan questions of ``Reader`` (``Reader.plan``, ``Reader.plans``)."""

    def __init__(self, idx: ReadIndex, rows: Callable[[UUID | None], Rows],
                 known_at: datetime | None) -> None:
        self.idx = idx
        self.rows = rows
        self.known_at = known_at

    def _act(self, act_id: UUID) -> ActRow | None:
        return self.idx.act(act_id, self.known_at)

    def _counts(self, act_id: UUID, recorded_at: datetime) -> bool:
        """Whether an event still counts: known at the moment, its act not withdrawn by then."""
        if self.known_at is not None and recorded_at > self.known_at:
            return False
        act = self._act(act_id)
        return act is not None and act.withdrawn(self.known_at) is None

    def _stand_in(self, act_id: UUID) -> bool:
        act = self._act(act_id)
        return act is not None and act.stand_in

    def _briefs(self, ids: Iterable[UUID]) -> list[ActBrief]:
        out: list[ActBrief] = []
        for i in ids:
            row = self._act(i)
            if row is not None and row.withdrawn(self.known_at) is None and \
                    all(a.id != i for a in out):
                out.append(ActBrief.of(row))
        return out

    def _body(self, org: UUID, on: date) -> Body:
        v = self.idx.version(org, on, self.known_at)
        if v is None:
            versions = self.idx.versions(org, self.known_at)
            v = versions[-1] if versions else None
        return Body(org, v.name if v is not None else None)

    def resolve(self, ref: str) -> ActRow:
        """The plan an id, a number or a title names (a plan act in force)."""
        text = ref.strip()
        if not text:
            raise InvalidInput("give a plan's id, number or title", "plan")
        items, _ = self.rows(None)
        candidates = [a for a in (self._act(p) for p in dict.fromkeys(i.plan for i in items))
                      if a is not None]
        try:
            wanted: UUID | None = UUID(text)
        except ValueError:
            wanted = None
        if wanted is not None:
            found = [a for a in candidates if a.id == wanted]
        else:
            found = [a for a in candidates if a.number == text]
            if not found:
                key = fold(text)
                found = [a for a in candidates if a.title and fold(a.title) == key]
        if not found:
            raise NotFound(f"no plan has the id, number or title '{text}'")
        live = [a for a in found if a.withdrawn(self.known_at) is None]
        if not live:
            raise NotFound(f"plan '{text}' was withdrawn (by act "
                           f"{found[0].withdrawn(self.known_at)}): it answers nothing")
        if len(live) > 1:
            raise InvalidInput(f"'{text}' names {len(live)} plans: give the id ("
                               + ", ".join(str(a.id) for a in live) + ")", "plan")
        return live[0]

    def plan(self, ref: str, at: date) -> PlanView:
        act = self.resolve(ref)
        return self._view(act, *self.rows(act.id), at)

    def _view(self, act: ActRow, items: list[dp.ItemPlanned], changes: list[dp.StatusChanged],
              at: date) -> PlanView:
        views = [self._item(item, changes, at) for item in items
                 if self.known_at is None or item.recorded_at <= self.known_at]
        return PlanView(ActBrief.of(act), at, views)

    def _item(self, item: dp.ItemPlanned, changes: list[dp.StatusChanged],
              at: date) -> PlanItemView:
        history = [s for s in dp.statuses(item, changes, self._counts) if s.since <= at]
        now = history[-1] if history else None
        steps = [StatusStep(s.status, s.since, next(iter(self._briefs((s.act,))), None),
                            self._briefs(s.acts)) for s in history]
        done = self._briefs(a for s in history for a in s.acts)
        status = now.status if now else None
        return PlanItemView(
            item.item, item.title, item.clause, item.on, item.deadline,
            self._body(item.lead, item.on) if item.lead is not None else None,
            [self._body(o, item.on) for o in item.coordinating], status,
            now.since if now else None, dp.overdue(item.deadline, status, at), done,
            item.change, steps, self._stand_in(item.act))

    def plans(self, at: date) -> list[PlanSummary]:
        items, changes = self.rows(None)
        out = []
        for plan in dict.fromkeys(i.plan for i in items):
            act = self._act(plan)
            if act is None or act.withdrawn(self.known_at) is not None:
                continue
            view = self._view(act, [i for i in items if i.plan == plan],
                              [c for c in changes if c.plan == plan], at)
            out.append(PlanSummary(view.act, len(view.items), view.counts()))
        return sorted(out, key=lambda p: (p.act.effective, p.act.number or "", str(p.act.id)))
