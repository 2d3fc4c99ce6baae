"""The act hash chain over the stored log, and its verification (DESIGN §11, ADR 0005).

Each recorded act's ledger event carries ``hash``: SHA-256 over the previous act's hash (32 raw
bytes; 32 zero bytes before the first act) followed by the canonical encoding of every event the
act stored, in notification order, one per line. An event's canonical encoding is its stored form
(stream id, stream version, topic and the JSON state the library wrote, re-encoded with sorted
keys, no whitespace, UTF-8), with the ``hash`` field of the act's own ledger event left out.

Because the encoding is of what is stored, anyone holding a copy of the rows can recompute the
chain without this code; ``verify`` is that recomputation plus the structural checks (every event
decodes, stream versions have no gaps, events belong to the act they follow).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from registry.domain.events import CHAIN_GENESIS as GENESIS

ACT_RECORDED = "registry.domain.events:Ledger.ActRecorded"
ACT_WITHDRAWN = "registry.domain.events:Ledger.ActWithdrawn"
LEDGER_TOPICS = (ACT_RECORDED, ACT_WITHDRAWN)


def canonical(stream: UUID | str, version: int, topic: str, state: bytes) -> bytes:
    """One stored event as the chain hashes it."""
    fields = json.loads(state)
    if topic == ACT_RECORDED:
        fields.pop("hash", None)
    return json.dumps({"stream": str(stream), "version": version, "topic": topic,
                       "state": fields}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def link(previous: str, encodings: Iterable[bytes]) -> str:
    """The hash of an act whose events encode to ``encodings``, chained after ``previous``."""
    digest = hashlib.sha256(bytes.fromhex(previous))
    for i, encoding in enumerate(encodings):
        if i:
            digest.update(b"\n")
        digest.update(encoding)
    return digest.hexdigest()


@dataclass(frozen=True)
class StoredRow:
    """An event as the log stores it."""

    position: int
    stream: UUID | str
    version: int
    topic: str
    state: bytes


@dataclass(frozen=True)
class Problem:
    """The first thing found wrong with the log: where, and what."""

    position: int | None
    act: str | None
    event: str | None
    message: str

    def __str__(self) -> str:
        where = [f"position {self.position}" if self.position is not None else None,
                 f"act {self.act}" if self.act else None,
                 f"event {self.event}" if self.event else None]
        return "; ".join([w for w in where if w] + [self.message])


@dataclass
class Verification:
    """What ``verify`` found: counts, the head, and the first problem (None: the log is whole)."""

    events: int = 0
    acts: int = 0
    unhashed: int = 0  # acts recorded before the chain existed: recomputed, nothing to compare
    gaps_between_acts: int = 0
    head_position: int = 0
    head_hash: str = GENESIS
    head_act: UUID | None = None
    heads: dict[int, str] = field(default_factory=dict)  # an act's last position -> its hash
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


class _Act:
    def __init__(self, row: StoredRow, event: Any) -> None:
        self.position = row.position
        self.id: UUID = event.act_id
        self.label = f"{event.number or self.id} (ledger entry at position {row.position})"
        self.stored_hash: str | None = getattr(event, "hash", None)
        self.last_position = row.position
        self.encodings: list[bytes] = []


def verify(rows: Iterator[StoredRow], decode: Callable[[StoredRow], Any],
           contiguous_ids: bool, keep_heads: bool = False) -> Verification:
    """Recompute the chain over ``rows`` (the whole log, in notification order) and check it.

    ``decode`` maps a row to its domain event (raising if it cannot); ``contiguous_ids`` says
    whether notification ids may have gaps between acts (PostgreSQL's sequence skips the values
    of refused inserts; SQLite's rowids do not). Within an act ids are always contiguous.
    """
    result = Verification()
    versions: dict[str, int] = {}
    previous = GENESIS
    act: _Act | None = None
    last_position = 0

    def close(current: _Act) -> Problem | None:
        nonlocal previous
        computed = link(previous, current.encodings)
        if current.stored_hash is None:
            result.unhashed += 1
        elif current.stored_hash != computed:
            return Problem(current.position, current.label, None,
                           "the act's stored hash does not match its events and the chain "
                           "before it: one of its events, or an earlier act's stored hash, was "
                           "edited, removed, added or reordered")
        previous = computed
        result.acts += 1
        result.head_position = current.last_position
        result.head_hash = computed
        result.head_act = current.id
        if keep_heads:
            result.heads[current.last_position] = computed
        return None

    for row in rows:
        result.events += 1
        event_label = f"{row.stream} v{row.version} ({row.topic.rsplit(':', 1)[-1]})"
        if row.position <= last_position:
            return _fail(result, row, act, event_label, "notification ids are not increasing")
        expected = versions.get(str(row.stream), 0) + 1
        if row.version != expected:
            what = ("missing" if row.version > expected else "repeated or reordered")
            return _fail(result, row, act, event_label,
                         f"stream version {row.version} where {expected} was expected: an event "
                         f"is {what}")
        versions[str(row.stream)] = row.version
        try:
            event = decode(row)
        except Exception as e:  # noqa: BLE001 - any failure to decode is what verify reports
            return _fail(result, row, act, event_label, f"the event does not decode: {e}")
        if row.topic == ACT_RECORDED:
            if act is not None:
                problem = close(act)
                if problem is not None:
                    result.problem = problem
                    return result
                if row.position != last_position + 1:
                    if contiguous_ids:
                        return _fail(result, row, act, event_label,
                                     f"positions {last_position + 1}–{row.position - 1} are "
                                     "missing: events were removed")
                    result.gaps_between_acts += 1
            act = _Act(row, event)
        elif act is None:
            return _fail(result, row, act, event_label,
                         "an event stands before the first act's ledger entry")
        else:
            if row.position != last_position + 1:
                return _fail(result, row, act, event_label,
                             f"positions {last_position + 1}–{row.position - 1} inside the act "
                             "are missing: events were removed")
            owner = getattr(event, "by_act", None) if row.topic in LEDGER_TOPICS else \
                getattr(event, "act", None)
            if owner != act.id:
                return _fail(result, row, act, event_label,
                             f"the event belongs to act {owner}, not to the act it follows")
        act.encodings.append(canonical(row.stream, row.version, row.topic, row.state))
        act.last_position = row.position
        last_position = row.position
    if act is not None:
        problem = close(act)
        if problem is not None:
            result.problem = problem
    return result


def _fail(result: Verification, row: StoredRow, act: _Act | None, event: str,
          message: str) -> Verification:
    result.problem = Problem(row.position, act.label if act else None, event, message)
    return result
