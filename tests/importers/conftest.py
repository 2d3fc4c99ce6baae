"""Fixtures for the importers: the shared real data, and one national import per backend.

The data is read only through ``shared_data`` ($REGISTRY_SHARED_DATA, default
``<repo>/../shared/data``). Full imports are session-scoped: each backend imports the national
reform and the INSEE self-check once, and the read-only tests share them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from registry import bootstrap
from registry.application.service import Registry
from registry.importers import insee, vn2025

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("REGISTRY_TEST_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")


class Clock:
    """A deterministic recording clock: one second per reading."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = Path(os.environ.get("REGISTRY_SHARED_DATA", ROOT.parent / "shared" / "data"))
    if not (path / "vn").is_dir() or not (path / "fr").is_dir():
        pytest.fail(f"the shared data is not at {path} (set REGISTRY_SHARED_DATA)")
    return path


@pytest.fixture(scope="session")
def session_schemas() -> Iterator[list[str]]:
    made: list[str] = []
    yield made
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        for schema in made:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def fresh_url(backend: str, tmp: Path, schemas: list[str]) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp / f'registry-{uuid.uuid4().hex[:8]}.db'}"
    schema = "imp_" + uuid.uuid4().hex[:12]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    schemas.append(schema)
    return f"{POSTGRES_URL}?schema={schema}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def vn_registry(request: pytest.FixtureRequest, shared_data: Path,
                tmp_path_factory: pytest.TempPathFactory,
                session_schemas: list[str]) -> Iterator[Registry]:
    url = fresh_url(request.param, tmp_path_factory.mktemp("vn"), session_schemas)
    registry = bootstrap.build(url, Clock())
    vn2025.run(registry, shared_data / "vn", "test-import")
    yield registry
    registry.log.close()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def insee_2018(request: pytest.FixtureRequest, shared_data: Path,
               tmp_path_factory: pytest.TempPathFactory,
               session_schemas: list[str]) -> Iterator[tuple[Registry, insee.Outcome]]:
    """comsimp2018 as the state on 2018-01-01, then the 2019 release's changes."""
    url = fresh_url(request.param, tmp_path_factory.mktemp("fr"), session_schemas)
    registry = bootstrap.build(url, Clock())
    fr = shared_data / "fr"
    insee.load_units(registry, fr / "comsimp2018.txt", date(2018, 1, 1), "test-import")
    outcome = insee.apply_events(registry, fr / "mvtcommune2019.csv", "test-import")
    yield registry, outcome
    registry.log.close()


SCORES: list[str] = []


@pytest.fixture(scope="session")
def self_check_scores() -> list[str]:
    """Lines shown in the terminal summary (the INSEE self-check score), also without -s."""
    return SCORES


@pytest.fixture
def new_clock() -> type[Clock]:
    return Clock


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SCORES:
        terminalreporter.section("INSEE COG self-check")
        for line in SCORES:
            terminalreporter.write_line(line)


@pytest.fixture
def fresh_database(tmp_path: Path, session_schemas: list[str]):
    """A function giving the URL of an empty database on a backend (a new schema or file)."""
    return lambda backend: fresh_url(backend, tmp_path, session_schemas)
