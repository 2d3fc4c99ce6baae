"""Why the read models stopped following the log (a module of its own: the command line imports it
to report the failure without loading the projection)."""

from __future__ import annotations

from datetime import UTC, datetime


class ProjectionFailed(Exception):
    """An act the projection cannot fold or write: the read models stay at ``position``.

    Every act before it is projected; this one (its first event is ``seq``) and everything after
    wait until the code or the data is fixed. Readers keep answering from ``position``.
    """

    def __init__(self, position: int, seq: int, event: str, reason: str,
                 at: datetime | None = None) -> None:
        super().__init__(f"read models stuck at position {position}: event {seq} ({event}) "
                         f"cannot be projected: {reason}")
        self.position, self.seq, self.event, self.reason = position, seq, event, reason
        self.at = at or datetime.now(UTC)

    def same_as(self, other: ProjectionFailed | None) -> bool:
        return other is not None and (self.position, self.seq, self.reason) == (
            other.position, other.seq, other.reason)
