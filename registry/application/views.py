"""The answers of the read side: frozen views with ``as_dict()`` giving JSON-ready dicts.

Dates are ISO strings, ids strings, ``valid_to`` null while a version lasts (exclusive end).
Cursors are opaque strings; a malformed one raises ``InvalidInput(field="cursor")``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from registry.domain.errors import InvalidInput
from registry.domain.model import Version
from registry.projections.rows import ActRow

T = TypeVar("T")
MAX_LIMIT = 1000


def _iso(d: date | datetime | None) -> str | None:
    return d.isoformat() if d is not None else None


def _sid(u: UUID | None) -> str | None:
    return str(u) if u is not None else None


# -- views -------------------------------------------------------------------------------

@dataclass(frozen=True)
class UnitView:
    id: UUID
    code: str | None
    name: str
    kind: str
    type: str
    level: str | None
    parent_id: UUID | None
    territory_id: UUID | None
    valid_from: date
    valid_to: date | None
    party_id: UUID | None = None
    illustrative: bool = False  # an example, real-shaped, not taken from a source
    valid_from_stand_in: bool = False  # the day it began comes only from a stand-in date
    valid_to_stand_in: bool = False
    # Its superiors by relation on the date it is seen on (only where one unit is asked for:
    # ``Reader.unit``, ``Reader.by_code``); None where not computed.
    superiors: tuple[SuperiorView, ...] | None = field(default=None, compare=False)

    @classmethod
    def of(cls, v: Version) -> UnitView:
        return cls(v.id, v.code, v.name, v.kind, v.type, v.level, v.parent, v.territory,
                   v.valid_from, v.valid_to, v.party, v.illustrative, v.from_stand_in,
                   v.to_stand_in)

    def as_dict(self) -> dict[str, Any]:
        out = {"id": str(self.id), "code": self.code, "name": self.name, "kind": self.kind,
               "type": self.type, "level": self.level, "parent_id": _sid(self.parent_id),
               "territory_id": _sid(self.territory_id), "party_id": _sid(self.party_id),
               "illustrative": self.illustrative,
               "valid_from": _iso(self.valid_from), "valid_to": _iso(self.valid_to),
               "valid_from_stand_in": self.valid_from_stand_in,
               "valid_to_stand_in": self.valid_to_stand_in}
        if self.superiors is not None:
            out["superiors"] = [s.as_dict() for s in self.superiors]
        return out


@dataclass(frozen=True)
class SuperiorView:
    """A unit's superior along one relation (administrative, party, territory) on a date."""

    relation: str
    id: UUID
    code: str | None
    name: str

    def as_dict(self) -> dict[str, Any]:
        return {"relation": self.relation, "id": str(self.id), "code": self.code,
                "name": self.name}


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"items": [i.as_dict() for i in self.items], "next": self.next}  # type: ignore[attr-defined]


@dataclass(frozen=True)
class CodeMatch:
    unit: UnitView
    warnings: list[str]
    # every unit that held the code at this level, oldest first: id, name, valid_from, valid_to
    meanings: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"unit": self.unit.as_dict(), "warnings": list(self.warnings),
                "meanings": list(self.meanings)}


@dataclass(frozen=True)
class ActView:
    id: UUID
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
    withdrawn_by: UUID | None
    document: dict[str, Any] | None = field(default=None, compare=False)
    hash: str | None = None
    stand_in: bool = False  # the effective date only places the act in time

    @classmethod
    def of(cls, row: ActRow, known_at: datetime | None, document: bool = False) -> ActView:
        return cls(row.id, row.number, row.kind, row.issuer, row.signed, row.effective, row.title,
                   row.url, row.verified, row.note, row.actor, row.recorded_at,
                   row.withdrawn(known_at), row.document if document else None, row.hash,
                   row.stand_in)

    def summary(self) -> dict[str, Any]:
        return {"id": str(self.id), "number": self.number, "kind": self.kind,
                "effective": _iso(self.effective), "effective_stand_in": self.stand_in,
                "verified": self.verified, "withdrawn": self.withdrawn_by is not None}

    def as_dict(self) -> dict[str, Any]:
        out = {"id": str(self.id), "number": self.number, "kind": self.kind,
               "issuer": self.issuer, "signed": _iso(self.signed),
               "effective": _iso(self.effective), "effective_stand_in": self.stand_in,
               "title": self.title, "url": self.url, "verified": self.verified, "note": self.note, "actor": self.actor,
               "recorded_at": _iso(self.recorded_at), "withdrawn": self.withdrawn_by is not None,
               "withdrawn_by": _sid(self.withdrawn_by), "hash": self.hash}
        if self.document is not None:
            out["document"] = self.document
        return out


def act_summary(act: ActView | None, act_id: UUID | None) -> dict[str, Any] | None:
    if act is not None:
        return act.summary()
    return {"id": str(act_id)} if act_id is not None else None


@dataclass(frozen=True)
class LineageStep:
    unit: UnitView          # the unit on the far side, as it was at the change
    from_id: UUID           # the unit on the near side (the one asked about, at depth 1)
    edge: str               # whole | area | population | remainder
    share: float | None
    change: str             # merge, absorb, split, detach, transfer, …
    on: date
    act: ActView | None
    act_id: UUID
    clause: str | None
    depth: int

    def as_dict(self) -> dict[str, Any]:
        return {"unit": self.unit.as_dict(), "from_id": str(self.from_id), "edge": self.edge,
                "share": self.share, "change": self.change, "on": _iso(self.on),
                "act": act_summary(self.act, self.act_id), "clause": self.clause,
                "depth": self.depth}


@dataclass(frozen=True)
class EventView:
    position: int
    version: int
    kind: str
    on: date | None
    values: dict[str, Any]
    act: ActView | None
    act_id: UUID | None
    clause: str | None
    actor: str
    recorded_at: datetime
    superseded: bool

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "version": self.version, "kind": self.kind,
                "on": _iso(self.on), "values": jsonable(self.values),
                "act": act_summary(self.act, self.act_id), "clause": self.clause,
                "actor": self.actor, "recorded_at": _iso(self.recorded_at),
                "superseded": self.superseded}


@dataclass(frozen=True)
class HistoryView:
    id: UUID
    began: date
    ended: date | None
    history_before_unknown: bool
    versions: list[UnitView]
    events: list[EventView]
    predecessors: list[LineageStep]
    successors: list[LineageStep]

    def as_dict(self) -> dict[str, Any]:
        return {"id": str(self.id), "began": _iso(self.began), "ended": _iso(self.ended),
                "history_before_unknown": self.history_before_unknown,
                "versions": [v.as_dict() for v in self.versions],
                "events": [e.as_dict() for e in self.events],
                "predecessors": [s.as_dict() for s in self.predecessors],
                "successors": [s.as_dict() for s in self.successors]}


@dataclass(frozen=True)
class CrosswalkItem:
    source: UnitView        # the unit at from_date
    target: UnitView        # a unit at to_date that covers (part of) it
    path: list[LineageStep]  # the lineage steps between them; empty when it is the same unit
    # the unit under the source whose area leads to the target, when the source itself ended
    # without a successor (a level abolished: its units moved on without it)
    via: UnitView | None = None

    @property
    def edges(self) -> list[str]:
        return [s.edge for s in self.path]

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source.as_dict(), "target": self.target.as_dict(),
                "same_unit": not self.path and self.via is None, "edges": self.edges,
                "path": [s.as_dict() for s in self.path],
                "via": self.via.as_dict() if self.via is not None else None}


@dataclass(frozen=True)
class DiffItem:
    id: UUID
    before: UnitView | None
    after: UnitView | None
    acts: list[ActView]

    @property
    def unit(self) -> UnitView:
        return self.after or self.before  # type: ignore[return-value]

    def as_dict(self) -> dict[str, Any]:
        return {"id": str(self.id), "unit": self.unit.as_dict(),
                "before": self.before.as_dict() if self.before else None,
                "after": self.after.as_dict() if self.after else None,
                "acts": [a.summary() for a in self.acts]}


DIFF_KINDS = ("begun", "ended", "renamed", "recoded", "moved", "reclassified")


@dataclass(frozen=True)
class DiffView:
    from_date: date
    to_date: date
    within: UUID | None
    begun: list[DiffItem]
    ended: list[DiffItem]
    renamed: list[DiffItem]
    recoded: list[DiffItem]
    moved: list[DiffItem]
    reclassified: list[DiffItem]

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"from": _iso(self.from_date), "to": _iso(self.to_date),
                               "within": _sid(self.within)}
        for kind in DIFF_KINDS:
            out[kind] = [i.as_dict() for i in getattr(self, kind)]
        out["counts"] = {kind: len(getattr(self, kind)) for kind in DIFF_KINDS}
        return out


@dataclass(frozen=True)
class ChangeView:
    position: int
    on: date
    kind: str
    unit: UnitView
    values: dict[str, Any]
    act: ActView | None
    act_id: UUID | None
    clause: str | None
    actor: str
    recorded_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "on": _iso(self.on), "kind": self.kind,
                "unit": self.unit.as_dict(), "values": jsonable(self.values),
                "act": act_summary(self.act, self.act_id), "clause": self.clause,
                "actor": self.actor, "recorded_at": _iso(self.recorded_at)}


@dataclass(frozen=True)
class SearchHit:
    unit: UnitView          # the last version that carried the name
    name: str
    valid_from: date        # when the unit carried this name
    valid_to: date | None
    score: int              # 0 the name or the code, 1 its first words, 2 words, 3 word start, 4 anywhere
    superiors: list[UnitView] = field(default_factory=list)  # nearest first, on the hit's date

    @property
    def label(self) -> str:
        """``Xã Bình Minh · Huyện Thanh Oai · Thành phố Hà Nội``"""
        return " · ".join([self.name, *(u.name for u in self.superiors)])

    def as_dict(self) -> dict[str, Any]:
        return {"unit": self.unit.as_dict(), "name": self.name,
                "valid_from": _iso(self.valid_from), "valid_to": _iso(self.valid_to),
                "score": self.score, "label": self.label,
                "superiors": [{"id": str(u.id), "code": u.code, "name": u.name,
                               "level": u.level, "type": u.type} for u in self.superiors]}


@dataclass(frozen=True)
class FeedItem:
    position: int
    recorded_at: datetime
    type: str               # a fact kind (began, renamed, …) or act_recorded / act_withdrawn
    stream_id: UUID
    stream_version: int
    on: date | None
    act_id: UUID | None
    clause: str | None
    actor: str
    data: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "recorded_at": _iso(self.recorded_at),
                "type": self.type, "stream_id": str(self.stream_id),
                "stream_version": self.stream_version, "on": _iso(self.on),
                "act_id": _sid(self.act_id), "clause": self.clause, "actor": self.actor,
                "data": jsonable(self.data)}


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    next: int               # the position to resume after

    def as_dict(self) -> dict[str, Any]:
        return {"items": [i.as_dict() for i in self.items], "next": self.next}


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


# -- cursors -----------------------------------------------------------------------------

def encode_cursor(key: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, length: int | None = None) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (ValueError, TypeError):
        raise InvalidInput("malformed cursor", "cursor") from None
    if not isinstance(key, list) or not key or (length is not None and len(key) != length):
        raise InvalidInput("malformed cursor", "cursor")
    return key


def check_limit(limit: int) -> None:
    if not isinstance(limit, int) or limit < 1 or limit > MAX_LIMIT:
        raise InvalidInput(f"must be between 1 and {MAX_LIMIT}", "limit")


def page_of(items: list[T], key: Callable[[T], list[Any]], limit: int,
          cursor: str | None) -> Page[T]:
    check_limit(limit)
    after = decode_cursor(cursor)
    if after is not None:
        try:
            items = [i for i in items if key(i) > after]
        except TypeError:
            raise InvalidInput("malformed cursor", "cursor") from None
    chunk = items[:limit]
    nxt = encode_cursor(key(chunk[-1])) if len(items) > limit else None
    return Page(chunk, nxt)


# -- staffing and functions --------------------------------------------------------------

@dataclass(frozen=True)
class HoldingView:
    """An organisation held a function over [since, until)."""

    unit: UnitView                 # as it stood on the date asked (or on its last day)
    function: str
    since: date
    until: date | None             # exclusive; null while it lasts
    source_id: UUID | None         # the organisation it came from (null: assigned)
    target_id: UUID | None         # the organisation it passed to (null: removed, or it ended)
    act: ActView | None
    act_id: UUID
    clause: str | None
    end_act_id: UUID | None

    def as_dict(self) -> dict[str, Any]:
        return {"unit": self.unit.as_dict(), "id": str(self.unit.id), "name": self.unit.name,
                "function": self.function, "since": _iso(self.since),
                "until": _iso(self.until), "source_id": _sid(self.source_id),
                "target_id": _sid(self.target_id), "act": act_summary(self.act, self.act_id),
                "clause": self.clause, "end_act_id": _sid(self.end_act_id)}


@dataclass(frozen=True)
class StaffingReport:
    """``registry staffing``: figures on two dates over a subtree, lineage-aware, and targets.

    ``lines``: one per organisation of the subtree on ``to`` (its figure then, and its baseline:
    its own figure on ``from``, plus its predecessors' between the dates), and one per
    organisation of the subtree on ``from`` whose figure passed to none of them (it ended without
    a successor, or left the subtree). Nothing is invented: a missing figure is null and listed
    in ``missing``; a baseline through an edge without a share is an ``estimate``; organisations
    with no figure of the measure at all (nor predecessors with one) are ``unreported``, outside
    the totals."""

    unit: UnitView
    from_date: date
    to_date: date
    measure: str
    category: str | None
    lines: list[dict[str, Any]]
    totals: dict[str, Any]
    targets: list[dict[str, Any]]
    missing: list[dict[str, Any]]
    unreported: list[dict[str, Any]]  # no figure of this measure, nor any predecessor's
    notes: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"unit": self.unit.as_dict(), "from": _iso(self.from_date),
                "to": _iso(self.to_date), "measure": self.measure, "category": self.category,
                "lines": self.lines, "totals": self.totals, "targets": self.targets,
                "missing": self.missing, "unreported": self.unreported, "notes": self.notes}
