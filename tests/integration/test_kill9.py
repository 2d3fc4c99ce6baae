"""Fault injection: `kill -9` in the middle of the national import and of a rebuild, then run the
same command again. Nothing is lost or doubled, the log verifies, and the read models equal a
rebuild from zero (both backends, the real `registry` command in a child process)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from registry.adapters.eventstore import Database, EventLog
from tests.conftest import POSTGRES_URL, fresh_postgres_schema

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("REGISTRY_SHARED_DATA", ROOT.parent / "shared" / "data"))
REGISTRY = [sys.executable, "-m", "registry.cli"]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kill9.db'}"
        return
    with fresh_postgres_schema() as schema_url:
        yield schema_url


def run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*REGISTRY, *args, "--database", url], capture_output=True,
                          text=True, timeout=600, cwd=ROOT, check=False)


def killed_when(url: str, args: list[str], ready: Callable[[], bool]) -> None:
    """Start ``registry ARGS`` and SIGKILL it as soon as ``ready()`` holds (polled)."""
    child = subprocess.Popen([*REGISTRY, *args, "--database", url], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while child.poll() is None and time.monotonic() < deadline:
            if ready():
                child.send_signal(signal.SIGKILL)
                break
            time.sleep(0.02)
        child.wait(timeout=60)
        assert child.returncode == -signal.SIGKILL, "the command ended before it was killed"
    finally:
        if child.poll() is None:
            child.kill()


def log_position(url: str) -> int:
    try:
        log = EventLog(Database.parse(url))
    except Exception:  # noqa: BLE001 - the child has not created the tables yet
        return 0
    try:
        return log.last_id()
    finally:
        log.close()


def read_model_position(url: str) -> int:
    db = Database.parse(url)
    sql = "SELECT position FROM projection_positions"
    try:
        if db.backend == "sqlite":
            import sqlite3
            with sqlite3.connect(db.path or "", timeout=1) as conn:
                row = conn.execute(sql).fetchone()
        else:
            with psycopg.connect(POSTGRES_URL) as conn:
                conn.execute(f"SET search_path TO {db.schema}")
                row = conn.execute(sql).fetchone()
    except (psycopg.Error, Exception):  # noqa: BLE001 - not created yet: position 0
        return 0
    return int(row[0]) if row else 0


def export(url: str, at: str) -> str:
    done = run(url, "export", "--at", at, "--format", "csv")
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_killed_import_and_rebuild_resume_with_nothing_lost_or_doubled(url: str) -> None:
    vn = ["import", "vn-2025", str(DATA / "vn")]
    # 1. Killed in the middle of recording (after some 15,000 events are stored).
    killed_when(url, vn, lambda: log_position(url) > 15_000)
    # 2. Rerun, killed while the read models catch up.
    head = log_position(url)
    killed_when(url, vn, lambda: (log_position(url) > head
                                  and read_model_position(url) > 0))
    # 3. Rerun to the end.
    done = run(url, *vn)
    assert done.returncode == 0, done.stderr

    verified = run(url, "verify")
    assert verified.returncode == 0, verified.stderr
    assert " 98 acts" in verified.stdout
    assert read_model_position(url) == log_position(url)
    before, after = export(url, "2025-06-30"), export(url, "2025-07-01")
    assert before.count("\n") - 1 == 63 + 696 + 10_035
    assert after.count("\n") - 1 == 34 + 3_321

    # 4. A rebuild killed half-way through (timed by a whole one), then run again.
    started = time.monotonic()
    assert run(url, "rebuild").returncode == 0
    killed_at = time.monotonic() + (time.monotonic() - started) / 2
    killed_when(url, ["rebuild"], lambda: time.monotonic() >= killed_at)
    rebuilt = run(url, "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert export(url, "2025-06-30") == before and export(url, "2025-07-01") == after
