"""The whole temporal state in memory: every organisation's facts, and indexes over all time.

The write side validates each act against this state (DESIGN §5); it is caught up from the event
log and each accepted act is applied to it. Changes are applied tentatively inside
``Timeline.tentative()``: if validation or storage fails, they are undone, so a refused act leaves
the state exactly as it was.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from registry.domain import rules
from registry.domain.errors import ActRefused
from registry.domain.model import (
    PARTY,
    TERRITORY,
    Edge,
    Fact,
    OrgRecord,
    Version,
    superior,
)
from registry.domain.plans import PlanEvent, PlanRecord
from registry.domain.text import name_key


@dataclass(frozen=True)
class ActInfo:
    """A legal act as recorded: its metadata, who recorded it and when, and its withdrawal (the
    write side's timeline and the read models hold the same record)."""

    id: UUID
    seq: int
    key: str
    digest: str
    number: str | None
    kind: str
    issuer: str | None
    signed: date | None
    effective: date
    title: str | None
    url: str | None
    verified: bool
    note: str | None
    actor: str
    recorded_at: datetime
    document: dict[str, Any] | None = field(default=None, compare=False)
    withdrawn_by: UUID | None = None
    withdrawn_at: datetime | None = None
    hash: str | None = None  # its link in the log's hash chain

    def known(self, moment: datetime | None) -> bool:
        return moment is None or self.recorded_at <= moment

    @property
    def stand_in(self) -> bool:
        """True when the act's effective date only places it in time: its true date is unknown
        (``effective_stand_in`` in the document)."""
        head = (self.document or {}).get("act")
        return isinstance(head, dict) and head.get("effective_stand_in") is True

    def withdrawn(self, moment: datetime | None) -> UUID | None:
        if self.withdrawn_at is None or (moment is not None and self.withdrawn_at > moment):
            return None
        return self.withdrawn_by


@dataclass
class Tentative:
    facts: list[Fact] = field(default_factory=list)
    touched: set[UUID] = field(default_factory=set)
    plan_events: list[PlanEvent] = field(default_factory=list)  # in a plan's stream, not facts


class Timeline:
    def __init__(self) -> None:
        self.records: dict[UUID, OrgRecord] = {}
        self.acts: dict[UUID, ActInfo] = {}
        self.acts_by_key: dict[str, UUID] = {}
        self.plans: dict[UUID, PlanRecord] = {}  # by the plan act's id (registry.domain.plans)
        self.seq = 0
        self.position = 0  # the last event-log notification id folded in
        self._children: dict[UUID, set[UUID]] = defaultdict(set)
        self._members: dict[UUID, set[UUID]] = defaultdict(set)  # by party (``Version.party``)
        self._served: dict[UUID, set[UUID]] = defaultdict(set)  # by territory
        self._by_code: dict[tuple[str | None, str], set[UUID]] = defaultdict(set)
        self._by_name: dict[tuple[UUID | None, str, str], set[UUID]] = defaultdict(set)
        self._successors: dict[UUID, set[UUID]] = defaultdict(set)
        self._keys: dict[UUID, list[tuple[dict[Any, set[UUID]], Any]]] = {}
        self._open: Tentative | None = None

    # -- writing -------------------------------------------------------------------------

    def add(self, fact: Fact) -> None:
        """Fold in a fact read from the log or made by an act being recorded."""
        self.seq = max(self.seq, fact.seq)
        record = self.records.get(fact.org)
        if record is None:
            record = self.records[fact.org] = OrgRecord(fact.org)
        record.facts.append(fact)
        if self._open is not None:
            self._open.facts.append(fact)
            self._open.touched.add(fact.org)
        self._reindex(record)

    def add_plan_event(self, event: PlanEvent) -> None:
        """Fold in a plan's item or status change (read from the log or made by an act)."""
        self.seq = max(self.seq, event.seq)
        record = self.plans.get(event.plan)
        if record is None:
            record = self.plans[event.plan] = PlanRecord(event.plan)
        record.add(event)
        if self._open is not None:
            self._open.plan_events.append(event)

    def add_act(self, act: ActInfo) -> None:
        self.acts[act.id] = act
        self.acts_by_key[act.key] = act.id
        self.seq = max(self.seq, act.seq)

    def withdraw_act(self, act_id: UUID, by: UUID, at: datetime) -> None:
        self.acts[act_id] = replace(self.acts[act_id], withdrawn_by=by, withdrawn_at=at)

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    @contextmanager
    def tentative(self) -> Iterator[Tentative]:
        """Apply facts provisionally; undo them all if the block raises."""
        assert self._open is None, "acts are recorded one at a time"
        self._open = tx = Tentative()
        seq_before = self.seq
        try:
            yield tx
        except BaseException:
            self._open = None
            self._undo(tx, seq_before)
            raise
        self._open = None

    def settle(self, tx: Tentative) -> None:
        """Refuse what a tentative block applied if it breaks any invariant at any date."""
        violations = rules.check(self, tx.touched)
        if violations:
            raise ActRefused(violations)

    def _undo(self, tx: Tentative, seq_before: int) -> None:
        for plan in {e.plan for e in tx.plan_events}:
            record = self.plans[plan]
            record.remove(tx.plan_events)
            if not record.items and not record.changes:
                del self.plans[plan]
        added = {id(f) for f in tx.facts}
        for org in tx.touched:
            record = self.records[org]
            record.facts = [f for f in record.facts if id(f) not in added]
        self._reindex_all(tx.touched)
        for org in tx.touched:
            if not self.records[org].facts:
                del self.records[org]
                self._unindex(org)
        self.seq = seq_before

    def _reindex_all(self, orgs: Iterable[UUID]) -> None:
        for org in orgs:
            self._reindex(self.records[org])

    def _unindex(self, org: UUID) -> None:
        for index, key in self._keys.pop(org, []):
            members = index.get(key)
            if members is not None:
                members.discard(org)
                if not members:
                    del index[key]

    def _reindex(self, record: OrgRecord) -> None:
        self._unindex(record.id)
        record.derive()
        keys: list[tuple[dict[Any, set[UUID]], Any]] = []
        for v in record.versions:
            if v.parent is not None:
                keys.append((self._children, v.parent))
            if v.party is not None:
                keys.append((self._members, v.party))
            if v.territory is not None:
                keys.append((self._served, v.territory))
            if v.code is not None:
                keys.append((self._by_code, (v.level, v.code)))
            keys.append((self._by_name, (v.parent, v.type, name_key(v.name))))
        for e in record.edges_in:
            keys.append((self._successors, e.source))
        for index, key in keys:
            index[key].add(record.id)
        self._keys[record.id] = keys

    # -- reading -------------------------------------------------------------------------

    def record(self, org: UUID) -> OrgRecord | None:
        return self.records.get(org)

    def version(self, org: UUID, on: date) -> Version | None:
        record = self.records.get(org)
        return record.version_on(on) if record else None

    def children_ever(self, org: UUID) -> set[UUID]:
        return self._children.get(org, set())

    def members_ever(self, org: UUID) -> set[UUID]:
        """Every organisation that ever belonged to the party organisation ``org``."""
        return self._members.get(org, set())

    def children(self, org: UUID, on: date, relation: str | None = None) -> list[Version]:
        """The units directly under ``org`` on ``on`` along ``relation`` (None: their own
        line, the ``parent``)."""
        if relation == PARTY:
            pool: set[UUID] = self._children.get(org, set()) | self._members.get(org, set())
        elif relation == TERRITORY:
            pool = self._served.get(org, set())
        else:
            pool = self._children.get(org, set())
        out = []
        for child in pool:
            v = self.version(child, on)
            if v is not None and superior(v, relation) == org:
                out.append(v)
        return sorted(out, key=lambda v: (v.code or "", v.name))

    def holders_ever(self, level: str | None, code: str) -> set[UUID]:
        return self._by_code.get((level, code), set())

    def named_ever(self, parent: UUID | None, type_: str, name: str) -> set[UUID]:
        return self._by_name.get((parent, type_, name_key(name)), set())

    def by_code(self, code: str, on: date, level: str | None = None) -> list[Version]:
        levels = [level] if level is not None else sorted(
            {lv for (lv, c) in self._by_code if c == code}, key=str)
        out = []
        for lv in levels:
            for org in self._by_code.get((lv, code), ()):
                v = self.version(org, on)
                if v is not None and v.code == code and v.level == lv:
                    out.append(v)
        return out

    def edges_out(self, org: UUID) -> list[Edge]:
        out = []
        for succ in self._successors.get(org, ()):
            out.extend(e for e in self.records[succ].edges_in if e.source == org)
        return sorted(out, key=lambda e: (e.on, str(e.target)))

    def edges_in(self, org: UUID) -> list[Edge]:
        record = self.records.get(org)
        return list(record.edges_in) if record else []

    def ancestors(self, org: UUID, on: date) -> list[Version]:
        out: list[Version] = []
        seen = {org}
        v = self.version(org, on)
        while v is not None and v.parent is not None and v.parent not in seen:
            seen.add(v.parent)
            v = self.version(v.parent, on)
            if v is not None:
                out.append(v)
        return out

    def existing(self, on: date) -> Iterator[Version]:
        for record in self.records.values():
            v = record.version_on(on)
            if v is not None:
                yield v

    def facts(self) -> Iterator[Fact]:
        for record in self.records.values():
            yield from record.facts

    def known_at(self, moment: datetime) -> Timeline:
        """The timeline as the registry knew it at ``moment`` (transaction time)."""
        past = Timeline()
        for act in sorted(self.acts.values(), key=lambda a: a.seq):
            if act.known(moment):
                if act.withdrawn_by and act.withdrawn(moment) is None:
                    act = replace(act, withdrawn_by=None, withdrawn_at=None)
                past.add_act(act)
        for fact in sorted(self.facts(), key=lambda f: f.seq):
            if fact.recorded_at <= moment:
                past.add(fact)
        for record in self.plans.values():
            for event in sorted([*record.items.values(), *record.changes], key=lambda e: e.seq):
                if event.recorded_at <= moment:
                    past.add_plan_event(event)
        past.position = self.position
        return past
