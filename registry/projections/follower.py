"""The thread that keeps a serving process's index fresh, off the event loop.

It waits to be woken (PostgreSQL ``LISTEN/NOTIFY`` on a primary, a polling interval on SQLite
and on hot standbys, or this process recording an act), then refreshes the source: projecting
first if this process is the projector, then swapping in a new index. Request handlers only ever
read the index that is there; they never run SQL, folding or a refresh themselves.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from registry.projections.source import ModelSource

log = logging.getLogger(__name__)


class Wakeups(Protocol):
    def wait(self, timeout: float | None = None) -> None: ...

    def wake(self) -> None: ...

    def close(self) -> None: ...


class Follower:
    def __init__(self, source: ModelSource, wakeups: Wakeups) -> None:
        self.source = source
        self.wakeups = wakeups
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.errors = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="registry-follower", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self.wakeups.wake()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.source.refresh()
                self.errors = 0
            except Exception:  # the database went away: keep the index, retry when woken
                self.errors += 1
                if self.errors == 1:
                    log.exception("the read models could not be refreshed; will retry")
            self.wakeups.wait()

    def stop(self) -> None:
        self._stop.set()
        self.wakeups.wake()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.wakeups.close()
