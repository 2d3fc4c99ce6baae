"""The rows of the read models. Each carries the transaction-time interval over which it was known.

A row recorded at T and closed at T' is what the registry said for any "known at" moment in
[T, T'); ``recorded_to`` is None while it is still believed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from registry.domain.model import Edge, Version
from registry.domain.timeline import ActInfo

BEGINNING = datetime(1, 1, 1, tzinfo=UTC)


def known(recorded_from: datetime, recorded_to: datetime | None, moment: datetime | None) -> bool:
    """Whether a row was believed at ``moment`` (None: now)."""
    if moment is None:
        return recorded_to is None
    return recorded_from <= moment and (recorded_to is None or moment < recorded_to)


@dataclass(frozen=True, slots=True)
class VersionRow:
    version: Version
    recorded_from: datetime
    recorded_to: datetime | None = None
    search_key: str | None = field(default=None, compare=False)  # the name folded, as stored

    def known(self, moment: datetime | None) -> bool:
        return known(self.recorded_from, self.recorded_to, moment)


@dataclass(frozen=True, slots=True)
class EdgeRow:
    id: str
    edge: Edge
    recorded_from: datetime
    recorded_to: datetime | None = None

    def known(self, moment: datetime | None) -> bool:
        return known(self.recorded_from, self.recorded_to, moment)


# An act as recorded is the same record on the write side and in the read models.
ActRow = ActInfo


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One event of the log: an organisation's fact, or a ledger entry (an act recorded/withdrawn)."""

    seq: int
    stream_id: UUID
    stream_version: int
    kind: str
    on: date | None
    act_id: UUID | None
    clause: str | None
    actor: str
    recorded_at: datetime
    values: dict[str, Any]
    superseded_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FigureRow:
    """A staffing figure (a ``staffed`` fact not superseded): from ``on`` until the next one."""

    seq: int
    org: UUID
    measure: str
    category: str | None
    value: int
    on: date
    act: UUID
    clause: str | None


@dataclass(frozen=True, slots=True)
class TargetRow:
    """A staffing target set on ``org`` for its subtree (a ``staffing_target`` fact)."""

    seq: int
    org: UUID
    measure: str
    category: str | None
    change_percent: float | None
    baseline: date | None
    deadline: date | None
    description: str
    on: date
    act: UUID
    clause: str | None
