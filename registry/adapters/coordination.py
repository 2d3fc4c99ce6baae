"""How processes on one database coordinate: the projector's lock, and wake-ups.

One projector per database at a time: a PostgreSQL session advisory lock (released by the server
when the holder's connection ends, so a crashed projector frees it), or an exclusive ``flock`` on
a file beside a SQLite database (released by the kernel when the process ends).

Wake-ups: on a PostgreSQL primary, ``NOTIFY`` on a channel per database and schema (the recorder
after an act, the projector after a batch) and ``LISTEN`` in the followers. A hot standby refuses
``LISTEN`` and a primary's notifications never reach it, so there, and on SQLite, followers poll.
"""

from __future__ import annotations

import hashlib
import os
import select
import threading
from typing import Any

from registry.adapters.database import Database

LOG, READ_MODELS = "log", "read_models"


def channel(database: Database, kind: str) -> str:
    """A channel name of at most 63 characters, distinct per database, schema and kind."""
    where = f"{database.dbname}:{database.schema or 'public'}"
    return f"registry_{kind}_{hashlib.sha1(where.encode()).hexdigest()[:16]}"


def _connect(database: Database) -> Any:
    import psycopg

    return psycopg.connect(host=database.host, port=database.port, user=database.user,
                           password=database.password or None, dbname=database.dbname,
                           autocommit=True, connect_timeout=5)


class ProjectorLock:
    """The right to project into one database's read models; ``acquire`` never waits."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._conn: Any = None
        self._file: int | None = None
        self.held = False

    def acquire(self) -> bool:
        if self.held and self._alive():
            return True
        self.held = False
        backend = self.database.backend
        if backend == "memory":
            self.held = True
        elif backend == "sqlite":
            self.held = self._flock()
        else:
            self.held = self._advisory()
        return self.held

    def _alive(self) -> bool:
        return self._conn is None or not self._conn.closed and not self._conn.broken

    def _flock(self) -> bool:
        import fcntl

        if self._file is None:
            self._file = os.open(f"{self.database.path}.projector.lock", os.O_RDWR | os.O_CREAT,
                                 0o644)
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _advisory(self) -> bool:
        if self._conn is not None and (self._conn.closed or self._conn.broken):
            self._conn = None
        if self._conn is None:
            self._conn = _connect(self.database)
        key = int.from_bytes(hashlib.sha1(channel(self.database, "projector").encode()).digest()[:8],
                             "big", signed=True)
        return bool(self._conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0])

    def release(self) -> None:
        if self._file is not None:
            os.close(self._file)  # closing the descriptor drops the flock
            self._file = None
        if self._conn is not None:
            self._conn.close()  # the session ends: the advisory lock goes with it
            self._conn = None
        self.held = False


class Wakeups:
    """Waits until another process says something changed, or ``poll`` seconds pass."""

    def __init__(self, database: Database, kinds: tuple[str, ...], poll: float = 0.5) -> None:
        self.database = database
        self.channels = [channel(database, k) for k in kinds]
        self.poll = poll
        self._local = threading.Event()
        self._conn: Any = None
        self.listening = False
        self._pipe = os.pipe()
        if database.backend == "postgresql":
            self._listen()

    def _listen(self) -> None:
        import psycopg

        try:
            self._conn = _connect(self.database)
            for name in self.channels:
                self._conn.execute(f"LISTEN {name}")
            self.listening = True
        except psycopg.Error:  # a hot standby: "cannot execute LISTEN during recovery"
            if self._conn is not None:
                self._conn.close()
            self._conn, self.listening = None, False

    def wake(self) -> None:
        """Wake the waiter now (something changed in this very process)."""
        self._local.set()
        os.write(self._pipe[1], b"!")

    def wait(self, timeout: float | None = None) -> None:
        """Return when told, or after ``timeout`` (default: the polling interval)."""
        timeout = self.poll if timeout is None else timeout
        if self._local.is_set():
            self._drain()
            return
        if not self.listening:
            self._local.wait(timeout)
            self._drain()
            return
        try:
            ready, _, _ = select.select([self._conn.fileno(), self._pipe[0]], [], [], timeout)
            if self._conn.fileno() in ready:
                for _ in self._conn.notifies(timeout=0):
                    pass
        except Exception:  # noqa: BLE001 (the connection broke: poll until it is back)
            self._conn, self.listening = None, False
            self._listen()
        self._drain()

    def _drain(self) -> None:
        self._local.clear()
        os.set_blocking(self._pipe[0], False)
        try:
            while os.read(self._pipe[0], 512):
                pass
        except BlockingIOError:
            pass

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        for fd in self._pipe:
            try:
                os.close(fd)
            except OSError:
                pass


def notify(database: Database, kind: str, conn: Any = None) -> None:
    """Tell the followers (``NOTIFY``; nothing to do on SQLite, whose followers poll)."""
    if database.backend != "postgresql":
        return
    if conn is not None:
        conn.exec_driver_sql(f"NOTIFY {channel(database, kind)}")
        return
    with _connect(database) as c:
        c.execute(f"NOTIFY {channel(database, kind)}")
