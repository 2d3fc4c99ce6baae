"""The stored events. Never rename a class or a field here: stored topics name them.

Three kinds of stream:
- one per organisation (``Organisation.*``), keyed by the organisation's id: every fact about it;
- one per plan (``Plan.*``), keyed by ``plans.stream_of(plan act id)``: the plan's items and every
  later status change of them (planned changes are not facts: no organisation stream holds them);
- one registry-wide ledger (``Ledger.*``): one event per recorded or withdrawn act. Every act
  appends to it, so its version is the optimistic lock that serialises concurrent recorders.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEvent

from registry.domain import model, plans
from registry.domain.model import Fact
from registry.domain.timeline import ActInfo

LEDGER_ID = uuid.uuid5(uuid.NAMESPACE_URL, "urn:registry:ledger")
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:registry:acts")
CHAIN_GENESIS = "0" * 64  # the hash the first act chains from (32 zero bytes)


class Organisation:
    """Namespace of the events in one organisation's stream."""

    class Event(DomainEvent):
        on: date
        act: UUID
        clause: str | None
        actor: str

    class Began(Event):
        name: str
        code: str | None
        kind: str
        type: str
        level: str | None
        parent: UUID | None
        territory: UUID | None
        how: str

    class Renamed(Event):
        name: str

    class Recoded(Event):
        code: str | None

    class Reclassified(Event):
        kind: str
        type: str
        level: str | None

    class Reassigned(Event):
        parent: UUID | None

    class ServesTerritory(Event):
        territory: UUID | None

    class Affiliated(Event):
        """The party organisation the unit belongs to from ``on`` (None: it belongs to none)."""

        party: UUID | None

    class Described(Event):
        """The unit is (or is no longer) an illustrative example: real-shaped, not taken from a
        source."""

        illustrative: bool

    class Ended(Event):
        how: str

    class Derived(Event):
        source: UUID
        edge: str
        share: float | None
        change: str

    class Superseded(Event):
        target: int
        reason: str

    class Staffed(Event):
        """A staffing figure: ``measure`` quota (biên chế được giao) or in_post, from ``on``."""

        measure: str
        category: str | None
        value: int

    class StaffingTargetSet(Event):
        """A staffing target for the subtree of this organisation (any number/date may be null
        where the act does not state it)."""

        measure: str
        category: str | None
        change_percent: float | None
        baseline: date | None
        deadline: date | None
        description: str

    class FunctionGained(Event):
        function: str
        source: UUID | None

    class FunctionLost(Event):
        function: str
        target: UUID | None


class Plan:
    """Namespace of the events in one plan's stream (registry.domain.plans, ADR 0008)."""

    class Event(DomainEvent):
        on: date
        act: UUID  # the act that stored the event (the plan itself, or a later act)
        clause: str | None
        actor: str
        plan: UUID  # the plan act
        item: str

    class ItemPlanned(Event):
        title: str
        deadline: date | None
        lead: UUID | None
        coordinating: list[UUID]
        status: str
        acts: list[UUID]
        change: dict[str, Any] | None

    class ItemStatusChanged(Event):
        status: str
        acts: list[UUID]


class Ledger:
    """Namespace of the events in the registry-wide ledger stream."""

    class ActRecorded(DomainEvent):
        act_id: UUID
        key: str
        digest: str
        number: str | None
        act_kind: str
        issuer: str | None
        signed: date | None
        effective: date
        title: str | None
        url: str | None
        verified: bool
        note: str | None
        actor: str
        document: dict[str, Any]
        # The act's link in the hash chain (registry/adapters/chain.py); None in acts recorded
        # before the chain existed.
        hash: str | None = None

    class ActWithdrawn(DomainEvent):
        act_id: UUID
        by_act: UUID
        actor: str


_CLASS_OF = {
    model.BEGAN: Organisation.Began,
    model.RENAMED: Organisation.Renamed,
    model.RECODED: Organisation.Recoded,
    model.RECLASSIFIED: Organisation.Reclassified,
    model.REASSIGNED: Organisation.Reassigned,
    model.SERVES: Organisation.ServesTerritory,
    model.AFFILIATED: Organisation.Affiliated,
    model.DESCRIBED: Organisation.Described,
    model.ENDED: Organisation.Ended,
    model.DERIVED: Organisation.Derived,
    model.SUPERSEDED: Organisation.Superseded,
    model.STAFFED: Organisation.Staffed,
    model.STAFFING_TARGET: Organisation.StaffingTargetSet,
    model.FUNCTION_GAINED: Organisation.FunctionGained,
    model.FUNCTION_LOST: Organisation.FunctionLost,
}
_KIND_OF = {cls: kind for kind, cls in _CLASS_OF.items()}
_COMMON = {"originator_id", "originator_version", "timestamp", "on", "act", "clause", "actor"}


def event_from_fact(fact: Fact) -> Organisation.Event:
    cls = _CLASS_OF[fact.kind]
    fields = {f for f in cls.__dataclass_fields__ if f not in _COMMON}
    values = {k: fact.values.get(k) for k in fields}
    return cls(originator_id=fact.org, originator_version=fact.version,
               timestamp=fact.recorded_at, on=fact.on, act=fact.act, clause=fact.clause,
               actor=fact.actor, **values)


def fact_from_event(event: Organisation.Event, seq: int) -> Fact:
    values = {k: v for k, v in event.__dict__.items() if k not in _COMMON}
    return Fact(event.originator_id, event.originator_version, _KIND_OF[type(event)], event.on,
                values, event.act, event.clause, event.actor, event.timestamp, seq)


def act_from_event(event: Ledger.ActRecorded, seq: int) -> ActInfo:
    """The act a ledger entry records (not yet withdrawn)."""
    return ActInfo(
        id=event.act_id, seq=seq, key=event.key, digest=event.digest, number=event.number,
        kind=event.act_kind, issuer=event.issuer, signed=event.signed, effective=event.effective,
        title=event.title, url=event.url, verified=event.verified, note=event.note,
        actor=event.actor, recorded_at=event.timestamp, document=event.document,
        hash=event.hash)


def event_from_plan(e: plans.PlanEvent) -> Plan.Event:
    common = {"originator_id": plans.stream_of(e.plan), "originator_version": e.version,
              "timestamp": e.recorded_at, "on": e.on, "act": e.act, "clause": e.clause,
              "actor": e.actor, "plan": e.plan, "item": e.item}
    if isinstance(e, plans.ItemPlanned):
        return Plan.ItemPlanned(**common, title=e.title, deadline=e.deadline, lead=e.lead,
                                coordinating=list(e.coordinating), status=e.status,
                                acts=list(e.acts), change=e.change)
    return Plan.ItemStatusChanged(**common, status=e.status, acts=list(e.acts))


def plan_from_event(event: Plan.Event, seq: int) -> plans.PlanEvent:
    if isinstance(event, Plan.ItemPlanned):
        return plans.ItemPlanned(
            event.plan, event.originator_version, event.item, event.title, event.deadline,
            event.lead, tuple(event.coordinating), event.status, tuple(event.acts), event.change,
            event.on, event.act, event.clause, event.actor, event.timestamp, seq)
    assert isinstance(event, Plan.ItemStatusChanged)
    return plans.StatusChanged(event.plan, event.originator_version, event.item, event.status,
                         tuple(event.acts), event.on, event.act, event.clause, event.actor,
                         event.timestamp, seq)
