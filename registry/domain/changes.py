"""The change kinds of DESIGN §2 as commands, and the planner that turns them into facts.

The planner applies an act's changes one after another to the timeline (inside a tentative block),
so a later change sees the units an earlier one created. References to existing units are resolved
on the day before the change takes effect: in 2025 a new commune took a predecessor's code on the
very day the predecessor ended, so "03388" in Resolution 1670 means the unit that held it on
2025-06-30. Where nothing matches that day, the effective day itself is tried (a parent registered
on the same day by an earlier act).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from registry.domain.errors import (
    ActRefused,
    AmbiguousReference,
    InvalidInput,
    UnknownReference,
    Violation,
)
from registry.domain.model import (
    AFFILIATED,
    BEGAN,
    DERIVED,
    DESCRIBED,
    EDGE_TYPES,
    ENDED,
    FUNCTION_GAINED,
    FUNCTION_LOST,
    MEASURES,
    REASSIGNED,
    RECLASSIFIED,
    RECODED,
    RENAMED,
    SERVES,
    STAFFED,
    STAFFING_TARGET,
    SUPERSEDED,
    Fact,
)
from registry.domain.plans import ItemPlanned, StatusChanged
from registry.domain.text import name_key
from registry.domain.timeline import ActInfo, Timeline

ADMINISTRATIVE_UNIT = "administrative_unit"


@dataclass(frozen=True)
class Ref:
    """How an act names an organisation: by id, by code (and level), by a key minted earlier in
    the same act, or by name under a superior."""

    id: UUID | None = None
    code: str | None = None
    level: str | None = None
    key: str | None = None
    name: str | None = None
    parent: Ref | None = None
    type: str | None = None
    at: date | None = None

    def __str__(self) -> str:
        if self.id:
            return f"id {self.id}"
        if self.key:
            return f"key '{self.key}'"
        if self.code:
            return f"code {self.code}" + (f" ({self.level})" if self.level else "")
        return f"'{self.name}'" + (f" under {self.parent}" if self.parent else "")


@dataclass(frozen=True)
class NewUnit:
    name: str
    type: str
    kind: str = ADMINISTRATIVE_UNIT
    level: str | None = None
    code: str | None = None
    parent: Ref | None = None
    territory: Ref | None = None
    key: str | None = None
    same_as: Ref | None = None  # a registered unit whose earlier history this backfills
    party: Ref | None = None  # the party organisation it belongs to (relation ``party``)
    illustrative: bool = False  # an example, real-shaped, not taken from a source


@dataclass(frozen=True)
class Source:
    """A predecessor in a merge or absorption: what passes on, and whether it ends."""

    ref: Ref
    edge: str = "whole"
    share: float | None = None
    ends: bool = True


@dataclass(frozen=True)
class Part:
    """A new unit made from part of a source (split, detach)."""

    unit: NewUnit
    edge: str = "area"
    share: float | None = None


@dataclass(frozen=True)
class Change:
    clause: str | None = field(default=None, kw_only=True)
    effective: date | None = field(default=None, kw_only=True)
    note: str | None = field(default=None, kw_only=True)


@dataclass(frozen=True)
class Establish(Change):
    unit: NewUnit


@dataclass(frozen=True)
class Register(Change):
    """Units that exist on the effective date; their earlier history is unknown, not absent."""

    units: tuple[NewUnit, ...]


@dataclass(frozen=True)
class Rename(Change):
    unit: Ref
    name: str


@dataclass(frozen=True)
class Recode(Change):
    unit: Ref
    code: str | None


@dataclass(frozen=True)
class Reclassify(Change):
    unit: Ref
    type: str | None = None
    kind: str | None = None
    level: str | None = None


@dataclass(frozen=True)
class Reassign(Change):
    unit: Ref
    parent: Ref | None = None
    territory: Ref | None = None
    party: Ref | None = None  # the party organisation it belongs to from the date
    party_ends: bool = False  # ``party: null``: it belongs to none from the date


@dataclass(frozen=True)
class Merge(Change):
    """hợp nhất: the sources end and one NEW unit begins."""

    sources: tuple[Source, ...]
    into: NewUnit


@dataclass(frozen=True)
class Absorb(Change):
    """sáp nhập: the sources end and are taken into an EXISTING unit."""

    sources: tuple[Source, ...]
    into: Ref


@dataclass(frozen=True)
class Split(Change):
    """chia: the source ends and several new units begin."""

    source: Ref
    into: tuple[Part, ...]


@dataclass(frozen=True)
class Detach(Change):
    """tách: a part of the source becomes a new unit; the source continues."""

    source: Ref
    into: Part


@dataclass(frozen=True)
class Transfer(Change):
    """điều chỉnh địa giới: part of one unit's territory goes to another; both continue."""

    source: Ref
    target: Ref
    edge: str = "area"
    share: float | None = None


@dataclass(frozen=True)
class Dissolve(Change):
    unit: Ref


@dataclass(frozen=True)
class AbolishLevel(Change):
    """không tổ chức cấp huyện: every unit of ``level`` directly under ``within`` ends; their
    children move up to ``within``. Applied after the act's other changes."""

    within: Ref
    level: str


@dataclass(frozen=True)
class Correct(Change):
    """Supersede one recorded event of a unit (by its version in the unit's history)."""

    unit: Ref
    version: int
    reason: str


@dataclass(frozen=True)
class Withdraw(Change):
    """Supersede every event of an earlier act: it is void, but "as known at" still shows it."""

    act: UUID
    reason: str


@dataclass(frozen=True)
class Staffing(Change):
    """A staffing figure of one organisation from the change's date: the ``quota`` assigned
    (biên chế được giao) or the staff ``in_post``, optionally for one ``category``."""

    unit: Ref
    measure: str
    value: int
    category: str | None = None


@dataclass(frozen=True)
class StaffingTarget(Change):
    """A target for the subtree of ``unit``: e.g. at least 20% fewer (``change_percent`` -20)
    against ``baseline`` by ``deadline``; what the act does not state stays None."""

    unit: Ref
    measure: str
    description: str
    category: str | None = None
    change_percent: float | None = None
    baseline: date | None = None
    deadline: date | None = None


@dataclass(frozen=True)
class AssignFunction(Change):
    unit: Ref
    function: str


@dataclass(frozen=True)
class TransferFunction(Change):
    """The function passes from ``source`` (holding it the day before) to ``target`` on the date."""

    function: str
    source: Ref
    target: Ref


@dataclass(frozen=True)
class RemoveFunction(Change):
    unit: Ref
    function: str


@dataclass(frozen=True)
class ActRef:
    """How a plan names a recorded act: by id, by number or by title (exactly one recorded act,
    not withdrawn, must match)."""

    id: UUID | None = None
    number: str | None = None
    title: str | None = None

    def __str__(self) -> str:
        if self.id is not None:
            return f"act {self.id}"
        if self.number is not None:
            return f"act number '{self.number}'"
        return f"act titled '{self.title}'"


@dataclass(frozen=True)
class PlanItem(Change):
    """One item of a plan (only in an act of kind ``plan``). Nothing in it is a fact: ``change``
    is the change the plan foresees, checked as a document but never applied."""

    id: str
    title: str
    deadline: date | None = None
    lead: Ref | None = None
    coordinating: tuple[Ref, ...] = ()
    status: str = "planned"
    acts: tuple[ActRef, ...] = ()
    change: dict[str, Any] | None = None


@dataclass(frozen=True)
class PlanStatus(Change):
    """An item of an earlier plan reaches a status on the change's effective date; ``acts``
    (None: the act carrying this change) are the acts that carried it out."""

    plan: ActRef
    item: str
    status: str
    acts: tuple[ActRef, ...] | None = None


KEYS: dict[type[Change], str] = {
    Establish: "establish", Register: "register", Rename: "rename", Recode: "recode",
    Reclassify: "reclassify", Reassign: "reassign", Merge: "merge", Absorb: "absorb",
    Split: "split", Detach: "detach", Transfer: "transfer", Dissolve: "dissolve",
    AbolishLevel: "abolish_level", Correct: "correct", Withdraw: "withdraw",
    Staffing: "staffing", StaffingTarget: "staffing_target", AssignFunction: "assign_function",
    TransferFunction: "transfer_function", RemoveFunction: "remove_function",
    PlanItem: "plan_item", PlanStatus: "plan_status",
}


@dataclass(frozen=True)
class ActHeader:
    id: UUID
    effective: date


class Planner:
    """Applies one act's changes to the timeline as facts (inside ``Timeline.tentative``)."""

    def __init__(self, tl: Timeline, act: ActHeader, actor: str, recorded_at: datetime) -> None:
        self.tl = tl
        self.act = act
        self.actor = actor
        self.recorded_at = recorded_at
        self.keys: dict[str, UUID] = {}
        self.ending: set[tuple[UUID, date]] = set()
        self.withdrawn: list[UUID] = []
        self._minted = 0

    # -- entry ---------------------------------------------------------------------------

    def apply_all(self, changes: list[Change]) -> None:
        """Apply every change in order, except that abolishing a level comes last."""
        order = sorted(enumerate(changes), key=lambda ic: isinstance(ic[1], AbolishLevel))
        for i, change in order:
            key = KEYS[type(change)]
            getattr(self, "_" + key)(change, f"changes[{i}].{key}")

    # -- helpers -------------------------------------------------------------------------

    def _on(self, change: Change) -> date:
        return change.effective or self.act.effective

    def mint(self) -> UUID:
        self._minted += 1
        return uuid.uuid5(self.act.id, f"unit/{self._minted}")

    def fact(self, org: UUID, kind: str, on: date, values: dict[str, Any],
             clause: str | None) -> None:
        record = self.tl.records.get(org)
        version = record.last_version + 1 if record else 1
        self.tl.add(Fact(org, version, kind, on, values, self.act.id, clause, self.actor,
                         self.recorded_at, self.tl.next_seq()))

    def resolve(self, ref: Ref, on: date, field: str) -> UUID:
        if ref.id is not None:
            if ref.id not in self.tl.records:
                raise UnknownReference(str(ref), on, field)
            return ref.id
        if ref.key is not None:
            if ref.key not in self.keys:
                raise UnknownReference(str(ref), on, field)
            return self.keys[ref.key]
        days = [ref.at] if ref.at else [on - timedelta(days=1), on]
        for day in days:
            found = self._candidates(ref, day, field)
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise AmbiguousReference(str(ref), day, [str(f) for f in found])
        raise UnknownReference(str(ref), days[0], field)

    def _candidates(self, ref: Ref, day: date, field: str) -> list[UUID]:
        if ref.code is not None:
            return [v.id for v in self.tl.by_code(ref.code, day, ref.level)
                    if ref.type is None or v.type == ref.type]
        if ref.name is None:
            raise InvalidInput("a reference needs an id, a key, a code or a name", field)
        key = name_key(ref.name)
        if ref.parent is not None:
            parent = self.resolve(ref.parent, day + timedelta(days=1), field + ".parent")
            pool = self.tl.children(parent, day)
        else:
            pool = list(self.tl.existing(day))
        return [v.id for v in pool if name_key(v.name) == key
                and (ref.type is None or v.type == ref.type)
                and (ref.level is None or v.level == ref.level)]

    def begin(self, unit: NewUnit, on: date, clause: str | None, how: str, field: str) -> UUID:
        org = self._backfilled(unit.same_as, on, field) if unit.same_as else self.mint()
        if unit.key is not None:
            if unit.key in self.keys:
                raise InvalidInput(f"key '{unit.key}' is used twice in this act", field + ".key")
            self.keys[unit.key] = org
        parent = self.resolve(unit.parent, on, field + ".parent") if unit.parent else None
        territory = (self.resolve(unit.territory, on, field + ".territory")
                     if unit.territory else None)
        party = self.resolve(unit.party, on, field + ".party") if unit.party else None
        self.fact(org, BEGAN, on, {
            "name": unit.name, "code": unit.code, "kind": unit.kind, "type": unit.type,
            "level": unit.level, "parent": parent, "territory": territory, "how": how,
        }, clause)
        if party is not None:
            self.fact(org, AFFILIATED, on, {"party": party}, clause)
        if unit.illustrative:
            self.fact(org, DESCRIBED, on, {"illustrative": True}, clause)
        return org

    def _backfilled(self, ref: Ref, on: date, field: str) -> UUID:
        """The registered unit that a backfilled beginning extends back in time."""
        if ref.id is None and ref.at is None:
            raise InvalidInput("same_as names the registered unit by id, or with 'at' set to a "
                               "date on which it exists", field + ".same_as")
        org = self.resolve(ref, ref.at or on, field + ".same_as")
        record = self.tl.records[org]
        if not record.registered or record.began is None or record.began <= on:
            raise InvalidInput(f"{ref} is not a registered unit whose known history starts "
                               f"after {on}", field + ".same_as")
        return org

    def end(self, org: UUID, on: date, how: str, clause: str | None) -> None:
        if (org, on) in self.ending:
            return  # several changes of one act may each take a part of the same unit
        self.ending.add((org, on))
        self.fact(org, ENDED, on, {"how": how}, clause)

    def link(self, source: UUID, target: UUID, on: date, edge: str, share: float | None,
             change: str, clause: str | None) -> None:
        if edge not in EDGE_TYPES:
            raise InvalidInput(f"edge must be one of {', '.join(EDGE_TYPES)}", "edge")
        self.fact(target, DERIVED, on, {"source": source, "edge": edge, "share": share,
                                        "change": change}, clause)

    # -- one method per change kind ------------------------------------------------------

    def _establish(self, c: Establish, field: str) -> None:
        self.begin(c.unit, self._on(c), c.clause, "establish", field + ".unit")

    def _register(self, c: Register, field: str) -> None:
        for i, unit in enumerate(c.units):
            self.begin(unit, self._on(c), c.clause, "registration", f"{field}.units[{i}]")

    def _rename(self, c: Rename, field: str) -> None:
        org = self.resolve(c.unit, self._on(c), field + ".unit")
        self.fact(org, RENAMED, self._on(c), {"name": c.name}, c.clause)

    def _recode(self, c: Recode, field: str) -> None:
        org = self.resolve(c.unit, self._on(c), field + ".unit")
        self.fact(org, RECODED, self._on(c), {"code": c.code}, c.clause)

    def _reclassify(self, c: Reclassify, field: str) -> None:
        org = self.resolve(c.unit, self._on(c), field + ".unit")
        on = self._on(c)
        current = self.tl.version(org, on - timedelta(days=1)) or self.tl.version(org, on)
        if current is None:
            raise UnknownReference(str(c.unit), on, field + ".unit")
        values = {"type": c.type or current.type, "kind": c.kind or current.kind,
                  "level": c.level if c.level is not None else current.level}
        self.fact(org, RECLASSIFIED, on, values, c.clause)

    def _reassign(self, c: Reassign, field: str) -> None:
        on = self._on(c)
        org = self.resolve(c.unit, on, field + ".unit")
        if c.parent is not None:
            parent = self.resolve(c.parent, on, field + ".parent")
            self.fact(org, REASSIGNED, on, {"parent": parent}, c.clause)
        if c.territory is not None:
            territory = self.resolve(c.territory, on, field + ".territory")
            self.fact(org, SERVES, on, {"territory": territory}, c.clause)
        if c.party is not None or c.party_ends:
            party = self.resolve(c.party, on, field + ".party") if c.party else None
            self.fact(org, AFFILIATED, on, {"party": party}, c.clause)

    def _sources(self, sources: tuple[Source, ...], on: date, field: str) -> list[UUID]:
        return [self.resolve(s.ref, on, f"{field}.sources[{i}]") for i, s in enumerate(sources)]

    def _merge(self, c: Merge, field: str) -> None:
        on = self._on(c)
        olds = self._sources(c.sources, on, field)
        new = self.begin(c.into, on, c.clause, "merge", field + ".into")
        for old, s in zip(olds, c.sources, strict=True):
            self.link(old, new, on, s.edge, s.share, "merge", c.clause)
            if s.ends:
                self.end(old, on, "merge", c.clause)

    def _absorb(self, c: Absorb, field: str) -> None:
        on = self._on(c)
        olds = self._sources(c.sources, on, field)
        target = self.resolve(c.into, on, field + ".into")
        for old, s in zip(olds, c.sources, strict=True):
            self.link(old, target, on, s.edge, s.share, "absorb", c.clause)
            if s.ends:
                self.end(old, on, "absorb", c.clause)

    def _split(self, c: Split, field: str) -> None:
        on = self._on(c)
        old = self.resolve(c.source, on, field + ".source")
        for i, part in enumerate(c.into):
            new = self.begin(part.unit, on, c.clause, "split", f"{field}.into[{i}]")
            self.link(old, new, on, part.edge, part.share, "split", c.clause)
        self.end(old, on, "split", c.clause)

    def _detach(self, c: Detach, field: str) -> None:
        on = self._on(c)
        old = self.resolve(c.source, on, field + ".source")
        new = self.begin(c.into.unit, on, c.clause, "detach", field + ".into")
        self.link(old, new, on, c.into.edge, c.into.share, "detach", c.clause)

    def _transfer(self, c: Transfer, field: str) -> None:
        on = self._on(c)
        old = self.resolve(c.source, on, field + ".source")
        target = self.resolve(c.target, on, field + ".target")
        self.link(old, target, on, c.edge, c.share, "transfer", c.clause)

    def _dissolve(self, c: Dissolve, field: str) -> None:
        on = self._on(c)
        self.end(self.resolve(c.unit, on, field + ".unit"), on, "dissolve", c.clause)

    def _abolish_level(self, c: AbolishLevel, field: str) -> None:
        on = self._on(c)
        within = self.resolve(c.within, on, field + ".within")
        day_before = on - timedelta(days=1)
        ended = [v for v in self.tl.children(within, day_before) if v.level == c.level]
        if not ended:
            raise InvalidInput(f"no {c.level} units lie directly under {c.within} on "
                               f"{day_before}", field + ".level")
        for unit in ended:
            for child in self.tl.children(unit.id, day_before):
                later = self.tl.version(child.id, on)
                if later is not None and later.parent == unit.id:
                    self.fact(child.id, REASSIGNED, on, {"parent": within}, c.clause)
            self.end(unit.id, on, "abolish_level", c.clause)

    def _correct(self, c: Correct, field: str) -> None:
        org = self.resolve(c.unit, self._on(c), field + ".unit")
        record = self.tl.records[org]
        target = next((f for f in record.facts if f.version == c.version), None)
        if target is None or target.kind == SUPERSEDED:
            raise InvalidInput(f"{c.unit} has no event {c.version} to correct", field + ".version")
        self.fact(org, SUPERSEDED, self._on(c), {"target": c.version, "reason": c.reason},
                  c.clause)

    def _withdraw(self, c: Withdraw, field: str) -> None:
        act = self.tl.acts.get(c.act)
        if act is None or act.withdrawn_by is not None:
            raise InvalidInput(f"act {c.act} is not recorded or already withdrawn",
                               field + ".act")
        voided = {(f.org, f.values["target"]) for f in self.tl.facts() if f.kind == SUPERSEDED}
        for f in [f for f in self.tl.facts() if f.act == c.act and f.kind != SUPERSEDED]:
            if (f.org, f.version) not in voided:
                self.fact(f.org, SUPERSEDED, self._on(c),
                          {"target": f.version, "reason": c.reason}, c.clause)
        self.withdrawn.append(c.act)

    # -- staffing and functions ----------------------------------------------------------

    def _staffing(self, c: Staffing, field: str) -> None:
        on = self._on(c)
        if c.measure not in MEASURES:
            raise InvalidInput(f"must be one of {', '.join(MEASURES)}", field + ".measure")
        if isinstance(c.value, bool) or not isinstance(c.value, int) or c.value < 0:
            raise InvalidInput("a staffing figure is a whole number, 0 or more", field + ".value")
        org = self.resolve(c.unit, on, field + ".unit")
        self.fact(org, STAFFED, on, {"measure": c.measure, "category": c.category,
                                     "value": c.value}, c.clause)

    def _staffing_target(self, c: StaffingTarget, field: str) -> None:
        on = self._on(c)
        if c.measure not in MEASURES:
            raise InvalidInput(f"must be one of {', '.join(MEASURES)}", field + ".measure")
        org = self.resolve(c.unit, on, field + ".unit")
        self.fact(org, STAFFING_TARGET, on, {
            "measure": c.measure, "category": c.category, "change_percent": c.change_percent,
            "baseline": c.baseline, "deadline": c.deadline, "description": c.description},
            c.clause)

    # A function's holder is checked over the whole timeline (OrgRecord._hold): losing a function
    # not held the day before, or gaining one already held, is refused with the rule's name.

    def _assign_function(self, c: AssignFunction, field: str) -> None:
        on = self._on(c)
        org = self.resolve(c.unit, on, field + ".unit")
        self.fact(org, FUNCTION_GAINED, on, {"function": c.function, "source": None}, c.clause)

    def _transfer_function(self, c: TransferFunction, field: str) -> None:
        on = self._on(c)
        source = self.resolve(c.source, on, field + ".from")
        target = self.resolve(c.target, on, field + ".to")
        if source == target:
            raise InvalidInput("a function passes from one organisation to another",
                               field + ".to")
        self.fact(source, FUNCTION_LOST, on, {"function": c.function, "target": target},
                  c.clause)
        self.fact(target, FUNCTION_GAINED, on, {"function": c.function, "source": source},
                  c.clause)

    def _remove_function(self, c: RemoveFunction, field: str) -> None:
        on = self._on(c)
        org = self.resolve(c.unit, on, field + ".unit")
        self.fact(org, FUNCTION_LOST, on, {"function": c.function, "target": None}, c.clause)

    # -- plans: events in the plan's own stream, never facts --------------------------------

    def _plan_event_version(self, plan: UUID) -> int:
        record = self.tl.plans.get(plan)
        return (record.last_version if record else 0) + 1

    def _plan_item(self, c: PlanItem, field: str) -> None:
        on = self._on(c)
        plan = self.act.id
        lead = self._body(c.lead, on, field + ".lead") if c.lead is not None else None
        coordinating = tuple(self._body(r, on, f"{field}.coordinating[{i}]")
                             for i, r in enumerate(c.coordinating))
        acts = tuple(self.resolve_act(r, f"{field}.acts[{i}]").id for i, r in enumerate(c.acts))
        self.tl.add_plan_event(ItemPlanned(
            plan, self._plan_event_version(plan), c.id, c.title, c.deadline, lead, coordinating,
            c.status, acts, c.change, on, self.act.id, c.clause, self.actor, self.recorded_at,
            self.tl.next_seq()))

    def _plan_status(self, c: PlanStatus, field: str) -> None:
        on = self._on(c)
        plan = self.resolve_act(c.plan, field + ".plan")
        record = self.tl.plans.get(plan.id)
        if plan.kind != "plan" or record is None:
            raise ActRefused([Violation(
                "PlanUnknown", f"{c.plan} is not a plan (an act of kind plan with items)",
                (), on)])
        item = record.items.get(c.item)
        if item is None:
            raise ActRefused([Violation(
                "PlanItemUnknown", f"plan {plan.number or plan.id} has no item '{c.item}' "
                f"(it has: {', '.join(record.items) or 'none'})", (), on)])
        if on < item.on:
            raise ActRefused([Violation(
                "PlanStatusBeforePlan", f"item '{c.item}' of plan {plan.number or plan.id} is "
                f"planned from {item.on}; a status cannot take effect before it", (), on)])
        acts = ((self.act.id,) if c.acts is None else
                tuple(self.resolve_act(r, f"{field}.acts[{i}]").id
                      for i, r in enumerate(c.acts)))
        self.tl.add_plan_event(StatusChanged(
            plan.id, self._plan_event_version(plan.id), c.item, c.status, acts, on,
            self.act.id, c.clause, self.actor, self.recorded_at, self.tl.next_seq()))

    def _body(self, ref: Ref, on: date, field: str) -> UUID:
        """An organisation a plan names (lead, coordinating): one existing on the plan's date."""
        if ref.key is not None:
            raise InvalidInput("a plan names existing organisations (by id, code or name), "
                               "not keys", field)
        org = self.resolve(ref if ref.id is not None or ref.at is not None else
                           replace(ref, at=on), on, field)
        if self.tl.version(org, on) is None:
            raise UnknownReference(str(ref), on, field)
        return org

    def resolve_act(self, ref: ActRef, field: str) -> ActInfo:
        """The one recorded, not withdrawn act ``ref`` names."""
        if ref.id is not None:
            found = [a for a in (self.tl.acts.get(ref.id),) if a is not None]
        elif ref.number is not None:
            found = [a for a in self.tl.acts.values() if a.number == ref.number]
        else:
            key = name_key(ref.title or "")
            found = [a for a in self.tl.acts.values() if a.title and name_key(a.title) == key]
        found = [a for a in found if a.withdrawn_by is None]
        if not found:
            raise InvalidInput(f"no recorded act (not withdrawn) matches {ref}", field)
        if len(found) > 1:
            raise InvalidInput(f"{len(found)} recorded acts match {ref}: "
                               + ", ".join(str(a.id) for a in found), field)
        return found[0]
