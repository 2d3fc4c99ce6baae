"""Recording acts, and keeping the in-memory timeline caught up with the event log.

The write path of DESIGN §5: an act is parsed, its changes are applied tentatively to the whole
temporal state, every invariant is checked, and the ledger event and all organisation events are
stored in one transaction. The ledger stream's version is the optimistic lock: a recorder that
validated against a stale state fails to append and gets ``Conflict``, storing nothing.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

from registry.application.acts import parse_act
from registry.domain.changes import ActHeader, Planner
from registry.domain.errors import IdempotencyKeyReused
from registry.domain.events import (
    LEDGER_ID,
    NAMESPACE,
    Ledger,
    Organisation,
    Plan,
    act_from_event,
    event_from_fact,
    event_from_plan,
    fact_from_event,
    plan_from_event,
)
from registry.domain.timeline import Timeline

PAGE = 2_000


class EventLog(Protocol):
    """The event log this service needs (``registry.adapters.eventstore.EventLog`` is one)."""

    def append(self, events: Sequence[Any]) -> list[int]: ...
    def read(self, after: int, limit: int) -> list[tuple[int, Any]]: ...
    def last_id(self) -> int: ...
    def stream(self, originator: UUID) -> list[Any]: ...
    def chain(self, previous: str, events: Sequence[Any]) -> str: ...
    def chain_head(self) -> str: ...
    def close(self) -> None: ...


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Recorded:
    act_id: UUID
    created: bool  # False when the same act (idempotency key) was recorded before
    events: int
    organisations: int


class Registry:
    """The application service: record acts, and give queries a current timeline."""

    def __init__(self, log: EventLog, clock: Callable[[], datetime] = utcnow) -> None:
        self.log = log
        self.clock = clock
        self.timeline = Timeline()
        self.ledger_version = 0
        # The last act's link in the hash chain; None before the first act is seen, or when the
        # last act predates the chain: then the log recomputes it.
        self.chain_head: str | None = None
        self._lock = threading.RLock()
        self._listeners: list[Callable[[], None]] = []
        self._batching = 0
        self._untold = False

    # -- catching up ---------------------------------------------------------------------

    def catch_up(self) -> int:
        """Fold every event recorded since the last call (by any process) into the timeline."""
        with self._lock:
            applied = 0
            while True:
                page = self.log.read(self.timeline.position, PAGE)
                for notification_id, event in page:
                    self._apply(notification_id, event)
                    self.timeline.position = notification_id
                applied += len(page)
                if len(page) < PAGE:
                    return applied

    def _apply(self, seq: int, event: Any) -> None:
        tl = self.timeline
        if isinstance(event, Organisation.Event):
            tl.add(fact_from_event(event, seq))
        elif isinstance(event, Plan.Event):
            tl.add_plan_event(plan_from_event(event, seq))
        elif isinstance(event, Ledger.ActRecorded):
            self.ledger_version = event.originator_version
            self.chain_head = event.hash
            tl.add_act(act_from_event(event, seq))
        elif isinstance(event, Ledger.ActWithdrawn):
            self.ledger_version = event.originator_version
            if event.act_id in tl.acts:
                tl.withdraw_act(event.act_id, event.by_act, event.timestamp)

    # -- recording -----------------------------------------------------------------------

    def record(self, document: Any, actor: str, key: str | None = None) -> Recorded:
        """Record an act document atomically; the same idempotency key twice is a no-op."""
        parsed = parse_act(document)
        key = key or f"sha256:{parsed.digest}"
        with self._lock:
            self.catch_up()
            tl = self.timeline
            known = tl.acts_by_key.get(key)
            if known is not None:
                if tl.acts[known].digest != parsed.digest:
                    raise IdempotencyKeyReused(
                        f"idempotency key '{key}' was used for another act ({known})")
                return Recorded(known, False, 0, 0)
            act_id = uuid.uuid5(NAMESPACE, key)
            now = self.clock()
            seq_before = tl.seq
            ledger_seq = tl.next_seq()
            with tl.tentative() as tx:
                planner = Planner(tl, ActHeader(act_id, parsed.effective), actor, now)
                planner.apply_all(parsed.changes)
                tl.settle(tx)
                version = self.ledger_version + 1
                ledger_events: list[Any] = [Ledger.ActRecorded(
                    originator_id=LEDGER_ID, originator_version=version, timestamp=now,
                    act_id=act_id, key=key, digest=parsed.digest, number=parsed.number,
                    act_kind=parsed.kind, issuer=parsed.issuer, signed=parsed.signed,
                    effective=parsed.effective, title=parsed.title, url=parsed.url,
                    verified=parsed.verified, note=parsed.note, actor=actor,
                    document=parsed.document)]
                for withdrawn in planner.withdrawn:
                    version += 1
                    ledger_events.append(Ledger.ActWithdrawn(
                        originator_id=LEDGER_ID, originator_version=version, timestamp=now,
                        act_id=withdrawn, by_act=act_id, actor=actor))
                events = ledger_events + [event_from_fact(f) for f in tx.facts] + [
                    event_from_plan(p) for p in tx.plan_events]
                previous = self.chain_head or self.log.chain_head()
                # The ledger stream's version makes this link safe: had another act been
                # appended since ``previous``, this append fails with Conflict.
                events[0] = ledger_events[0] = dataclasses.replace(
                    ledger_events[0], hash=self.log.chain(previous, events))
                try:
                    ids = self.log.append(events)
                except BaseException:
                    tl.seq = seq_before
                    raise
            self.ledger_version = version
            self.chain_head = ledger_events[0].hash
            tl.add_act(act_from_event(ledger_events[0], ledger_seq))
            for withdrawn in planner.withdrawn:
                tl.withdraw_act(withdrawn, act_id, now)
            if ids:
                tl.position = max(ids)
            result = Recorded(act_id, True, len(events), len(tx.touched))
        if self._batching:
            self._untold = True
        else:
            self._tell()
        return result

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after each recorded act (after each batch, inside ``batch``)."""
        self._listeners.append(listener)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Record many acts (an import), telling the listeners once at the end, not per act."""
        self._batching += 1
        try:
            yield
        finally:
            self._batching -= 1
            if not self._batching and self._untold:
                self._untold = False
                self._tell()

    def _tell(self) -> None:
        for listener in self._listeners:
            listener()

    # -- reading -------------------------------------------------------------------------

    @contextmanager
    def reading(self, known_at: datetime | None = None) -> Iterator[Timeline]:
        """A caught-up timeline (or the one known at a past moment), stable while in use."""
        with self._lock:
            self.catch_up()
            yield self.timeline if known_at is None else self.timeline.known_at(known_at)

