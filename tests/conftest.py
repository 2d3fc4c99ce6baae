"""Shared fixtures: a fresh registry on SQLite and on PostgreSQL for every contract test.

PostgreSQL is mandatory: if the server at $REGISTRY_TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/test) cannot be reached the tests fail, they are not skipped.
Each test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from registry import bootstrap
from registry.application.service import Registry

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
POSTGRES_URL = os.environ.get("REGISTRY_TEST_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")


class TickingClock:
    """A deterministic recording clock: one second per reading."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def clock() -> TickingClock:
    return TickingClock()


@contextmanager
def fresh_postgres_schema() -> Iterator[str]:
    """The URL of a new, empty schema on the test server, dropped afterwards."""
    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{POSTGRES_URL}?schema={schema}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    with fresh_postgres_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.db'}"
    return request.getfixturevalue("postgres_schema")


@pytest.fixture
def registry(database_url: str, clock: TickingClock) -> Iterator[Registry]:
    reg = bootstrap.build(database_url, clock)
    yield reg
    reg.log.close()


# The administrative units of Lai Châu and Resolution 1670 (the political-system acts are other
# files in the same folder).
LAI_CHAU_UNITS = [FIXTURES / "lai-chau" / "00-baseline-2025-01-04.yaml",
                  FIXTURES / "lai-chau" / "10-resolution-1670-NQ-UBTVQH15.yaml"]


@pytest.fixture(scope="session")
def lai_chau_paths() -> list[Path]:
    return list(LAI_CHAU_UNITS)


def wait_until_ready(server: subprocess.Popen[str], base: str, seconds: float) -> None:
    """Wait for a ``registry serve`` child to answer ``/readyz``; fail with its stderr if it
    exits first."""
    import httpx

    deadline = time.monotonic() + seconds
    while True:
        assert server.poll() is None, server.stderr.read() if server.stderr else ""
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            assert time.monotonic() < deadline, f"not ready within {seconds:.0f} s"
            time.sleep(0.2)
