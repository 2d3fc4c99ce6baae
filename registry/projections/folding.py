"""Folding log events into read-model row operations, with the domain's own fold.

Events arrive in log order. Events recorded at the same moment (one act) form a group; after each
group, every organisation it touched is folded again (``OrgRecord.derive``, the same code the
write side validates with) and its versions and incoming lineage edges are compared with the rows
currently believed: rows no longer true are closed at the group's recording time, new ones open
there. So each row carries the transaction-time interval over which the registry held it.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from registry.domain.events import (
    LEDGER_ID,
    Ledger,
    Organisation,
    Plan,
    act_from_event,
    fact_from_event,
    plan_from_event,
)
from registry.domain.model import (
    BEGAN,
    ENDED,
    FUNCTION_GAINED,
    FUNCTION_LOST,
    SETS,
    STAFFED,
    STAFFING_TARGET,
    SUPERSEDED,
    Edge,
    Fact,
    Holding,
    OrgRecord,
    Version,
)
from registry.domain.plans import ItemPlanned, StatusChanged
from registry.projections.rows import (
    ActRow,
    ChangeRow,
    EdgeRow,
    FigureRow,
    TargetRow,
    VersionRow,
)

EXTRA_KINDS = frozenset((STAFFED, STAFFING_TARGET, FUNCTION_GAINED, FUNCTION_LOST))
EDGE_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:registry:lineage-edge")


@dataclass
class Ops:
    """What one batch of events does to the read models."""

    # Inserts are keyed so that a row opened and closed within one batch is written once, closed.
    version_inserts: dict[tuple[UUID, Any, datetime], VersionRow] = field(default_factory=dict)
    version_closes: list[tuple[VersionRow, datetime]] = field(default_factory=list)
    version_deletes: list[VersionRow] = field(default_factory=list)
    edge_inserts: dict[str, EdgeRow] = field(default_factory=dict)
    edge_closes: list[tuple[str, datetime]] = field(default_factory=list)
    edge_deletes: list[str] = field(default_factory=list)
    act_inserts: list[ActRow] = field(default_factory=list)
    act_withdrawals: list[tuple[UUID, UUID, datetime]] = field(default_factory=list)
    change_inserts: list[ChangeRow] = field(default_factory=list)
    change_supersedes: list[tuple[UUID, int, datetime]] = field(default_factory=list)
    # Staffing figures, targets and function holdings, by organisation: its rows replaced whole
    # (``extras_new``: organisations with no such rows stored yet, nothing to delete first).
    extras: dict[UUID, tuple[list[FigureRow], list[TargetRow], list[Holding]]] = field(
        default_factory=dict)
    extras_new: set[UUID] = field(default_factory=set)
    plan_items: list[ItemPlanned] = field(default_factory=list)
    plan_statuses: list[StatusChanged] = field(default_factory=list)


def stand_in_marked(record: OrgRecord, stand_in: set[UUID]) -> list[Version]:
    """The record's versions, each saying whether the day it began (``from_stand_in``) or ended
    (``to_stand_in``) comes only from acts whose effective date is a stand-in."""
    acts_on: dict[date, set[UUID]] = {}
    for f in record.active_facts():
        if f.kind == BEGAN or f.kind == ENDED or SETS[f.kind]:
            acts_on.setdefault(f.on, set()).add(f.act)

    def only_stand_in(day: date | None) -> bool:
        acts = acts_on.get(day) if day is not None else None
        return bool(acts) and acts <= stand_in  # type: ignore[operator]

    out = []
    for v in record.versions:
        start, end = only_stand_in(v.valid_from), only_stand_in(v.valid_to)
        out.append(replace(v, from_stand_in=start, to_stand_in=end) if start or end else v)
    return out


def fact_of(row: ChangeRow) -> Fact:
    assert row.on is not None and row.act_id is not None
    return Fact(row.stream_id, row.stream_version, row.kind, row.on, row.values, row.act_id,
                row.clause, row.actor, row.recorded_at, row.seq)


class Folder:
    """The projection's working state: the facts and open rows of the organisations it has seen."""

    def __init__(self) -> None:
        self.records: dict[UUID, OrgRecord] = {}
        self.open_versions: dict[UUID, dict[date, VersionRow]] = {}  # by valid_from
        self.open_edges: dict[UUID, list[EdgeRow]] = {}
        # True when every organisation in the read models is in memory (a build from zero):
        # then an unknown organisation is new and nothing needs loading.
        self.complete = False
        self.with_extras: set[UUID] = set()  # organisations that may have staffing/function rows
        # Acts whose effective date is a stand-in: every act of a build from zero is seen here;
        # an incremental projection is given the earlier ones (``ReadModelStore.stand_in_acts``).
        self.stand_in: set[UUID] = set()

    def missing(self, orgs: Iterable[UUID]) -> set[UUID]:
        return set() if self.complete else {o for o in orgs if o not in self.records}

    def prime(self, orgs: set[UUID], facts: Sequence[ChangeRow], versions: Sequence[VersionRow],
              edges: Sequence[EdgeRow]) -> None:
        for org in orgs:
            self.records[org] = OrgRecord(org)
            self.open_versions[org] = {}
            self.open_edges[org] = []
        for row in facts:
            if row.stream_id in orgs:
                self.records[row.stream_id].facts.append(fact_of(row))
                if row.kind in EXTRA_KINDS:
                    self.with_extras.add(row.stream_id)
        for v in versions:
            self.open_versions[v.version.id][v.version.valid_from] = v
        for e in edges:
            self.open_edges[e.edge.target].append(e)

    def fold(self, events: Sequence[tuple[int, Any]], ops: Ops | None = None) -> Ops:
        """The row operations of ``events`` (whole acts), added to ``ops`` if given: a rebuild
        folds the whole log into one ``Ops``, so every row is inserted once, already closed."""
        ops = Ops() if ops is None else ops
        touched: set[UUID] = set()
        moment: datetime | None = None
        for seq, event in events:
            if moment is not None and event.timestamp != moment:
                self._flush(touched, moment, ops)
                touched = set()
            moment = event.timestamp
            if isinstance(event, Organisation.Event):
                fact = fact_from_event(event, seq)
                record = self.records.get(fact.org)
                if record is None:
                    record = self.records[fact.org] = OrgRecord(fact.org)
                    self.open_versions[fact.org] = {}
                    self.open_edges[fact.org] = []
                record.facts.append(fact)
                touched.add(fact.org)
                ops.change_inserts.append(ChangeRow(
                    seq, fact.org, fact.version, fact.kind, fact.on, fact.act, fact.clause,
                    fact.actor, fact.recorded_at, fact.values))  # never mutated: shared
                if fact.kind == SUPERSEDED:
                    ops.change_supersedes.append((fact.org, fact.values["target"], moment))
            elif isinstance(event, Plan.Event):
                planned = plan_from_event(event, seq)
                if isinstance(planned, ItemPlanned):
                    ops.plan_items.append(planned)
                    kind = "plan_item"
                else:
                    ops.plan_statuses.append(planned)
                    kind = "plan_status"
                ops.change_inserts.append(ChangeRow(
                    seq, event.originator_id, event.originator_version, kind, event.on,
                    event.act, event.clause, event.actor, event.timestamp, _plan_values(event)))
            elif isinstance(event, Ledger.ActRecorded):
                act = _act(seq, event)
                if act.stand_in:
                    self.stand_in.add(act.id)
                ops.act_inserts.append(act)
                ops.change_inserts.append(ChangeRow(
                    seq, LEDGER_ID, event.originator_version, "act_recorded", event.effective,
                    event.act_id, None, event.actor, event.timestamp, _ledger_values(event)))
            elif isinstance(event, Ledger.ActWithdrawn):
                ops.act_withdrawals.append((event.act_id, event.by_act, event.timestamp))
                ops.change_inserts.append(ChangeRow(
                    seq, LEDGER_ID, event.originator_version, "act_withdrawn", None,
                    event.act_id, None, event.actor, event.timestamp,
                    {"act_id": event.act_id, "by_act": event.by_act}))
        if moment is not None:
            self._flush(touched, moment, ops)
        return ops

    def _flush(self, touched: set[UUID], moment: datetime, ops: Ops) -> None:
        for org in sorted(touched, key=str) if len(touched) > 1 else touched:
            record = self.records[org]
            record.derive()
            versions = (stand_in_marked(record, self.stand_in) if self.stand_in
                        else record.versions)
            self._versions(org, versions, moment, ops)
            self._edges(org, record.edges_in, moment, ops)
            self._extras(org, record, ops)

    def _extras(self, org: UUID, record: OrgRecord, ops: Ops) -> None:
        """The organisation's staffing figures, targets and function holdings, whole."""
        extras = _extras(record) if record.facts and any(
            f.kind in EXTRA_KINDS for f in record.facts) else ([], [], [])
        if not any(extras) and org not in self.with_extras:
            return
        if org not in ops.extras and org not in self.with_extras:
            ops.extras_new.add(org)
        ops.extras[org] = extras
        self.with_extras.add(org)

    def _versions(self, org: UUID, versions: list[Version], moment: datetime, ops: Ops) -> None:
        believed = self.open_versions[org]
        now = {v.valid_from: v for v in versions}
        for start, row in list(believed.items()):
            v = now.get(start)
            if v is not None and v == row.version:
                continue
            del believed[start]
            key = (org, start, row.recorded_from)
            pending = key in ops.version_inserts
            if row.recorded_from == moment:
                if pending:
                    del ops.version_inserts[key]
                else:
                    ops.version_deletes.append(row)
            elif pending:
                ops.version_inserts[key] = VersionRow(row.version, row.recorded_from, moment)
            else:
                ops.version_closes.append((row, moment))
        for start, v in now.items():
            if start not in believed:
                believed[start] = row = VersionRow(v, moment)
                ops.version_inserts[(org, start, moment)] = row

    def _edges(self, org: UUID, edges: list[Edge], moment: datetime, ops: Ops) -> None:
        believed = self.open_edges[org]
        if not edges and not believed:  # most organisations have no lineage: skip the Counter
            return
        wanted = Counter(edges)
        kept: list[EdgeRow] = []
        for row in believed:
            if wanted[row.edge] > 0:
                wanted[row.edge] -= 1
                kept.append(row)
            elif row.id in ops.edge_inserts:
                if row.recorded_from == moment:
                    del ops.edge_inserts[row.id]
                else:
                    ops.edge_inserts[row.id] = EdgeRow(row.id, row.edge, row.recorded_from, moment)
            elif row.recorded_from == moment:
                ops.edge_deletes.append(row.id)
            else:
                ops.edge_closes.append((row.id, moment))
        for edge, count in wanted.items():
            for _ in range(count):
                n = sum(1 for r in kept if r.edge == edge and r.recorded_from == moment)
                row = EdgeRow(_edge_id(edge, moment, n), edge, moment)
                kept.append(row)
                ops.edge_inserts[row.id] = row
        self.open_edges[org] = kept


def _uuid(value: Any) -> UUID | None:
    """An id from a fact's values (a UUID from the log, a string from the change list)."""
    return value if value is None or isinstance(value, UUID) else UUID(str(value))


def _date(value: Any) -> date | None:
    return value if value is None or isinstance(value, date) else date.fromisoformat(value)


def _extras(record: OrgRecord) -> tuple[list[FigureRow], list[TargetRow], list[Holding]]:
    if record.problems:
        return [], [], []
    figures, targets = [], []
    for f in record.active_facts():
        v = f.values
        if f.kind == STAFFED:
            figures.append(FigureRow(f.seq, f.org, v["measure"], v.get("category"),
                                     int(v["value"]), f.on, f.act, f.clause))
        elif f.kind == STAFFING_TARGET:
            percent = v.get("change_percent")
            targets.append(TargetRow(
                f.seq, f.org, v["measure"], v.get("category"),
                float(percent) if percent is not None else None, _date(v.get("baseline")),
                _date(v.get("deadline")), v["description"], f.on, f.act, f.clause))
    holdings = [Holding(h.org, h.function, h.key, h.start, h.end, _uuid(h.source),
                        _uuid(h.target), h.act, h.clause, h.end_act) for h in record.holdings]
    return figures, targets, holdings


def _edge_id(e: Edge, moment: datetime, n: int) -> str:
    return str(uuid.uuid5(EDGE_NAMESPACE, "|".join(map(str, (
        e.target, e.source, e.on, e.type, e.share, e.change, e.act, e.clause,
        moment.isoformat(), n)))))


def _act(seq: int, e: Ledger.ActRecorded) -> ActRow:
    return act_from_event(e, seq)


def _ledger_values(e: Ledger.ActRecorded) -> dict[str, Any]:
    return {"act_id": e.act_id, "key": e.key, "number": e.number, "kind": e.act_kind,
            "issuer": e.issuer, "signed": e.signed, "effective": e.effective, "title": e.title,
            "url": e.url, "verified": e.verified, "note": e.note, "hash": e.hash}


def _plan_values(e: Plan.Event) -> dict[str, Any]:
    """A plan event's own fields, as the change list and the feed carry them."""
    common = {"originator_id", "originator_version", "timestamp", "on", "act", "clause", "actor"}
    return {k: v for k, v in e.__dict__.items() if k not in common}
