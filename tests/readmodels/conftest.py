"""Fixtures of the read-model tests: fresh databases on both backends, and Lai Châu loaded once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from registry import bootstrap
from registry.application.reading import Reader
from registry.application.service import Registry
from registry.importers.fixtures import load
from tests.conftest import LAI_CHAU_UNITS, TickingClock, fresh_postgres_schema


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    """An empty registry database: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'registry-{uuid.uuid4().hex[:8]}.db'}"
        return
    with fresh_postgres_schema() as url:
        yield url


class LaiChau:
    def __init__(self, url: str, registry: Registry, reader: Reader) -> None:
        self.url, self.registry, self.reader = url, registry, reader


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def lai_chau(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[LaiChau]:
    with fresh_database(request.param, tmp_path_factory.mktemp("lai-chau")) as url:
        registry = bootstrap.build(url, TickingClock())
        load(registry, LAI_CHAU_UNITS, "test", None)
        reader = bootstrap.build_reader(url)
        try:
            yield LaiChau(url, registry, reader)
        finally:
            reader.close()
            registry.log.close()
