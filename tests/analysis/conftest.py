"""Registries the analysis tests read, each built once per session on SQLite.

``vn_db``: Vietnam's national reform (vn_units_2025_06_30 → 2025-07-01), ``fr_db``: INSEE's
2018 communes and the 2019 release's changes, ``lai_chau_db``: the Lai Châu fixture acts (their
baseline is dated 2025-01-04). Each has its read models caught up; ``*_index`` is the reader's
index built from them.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from registry import bootstrap
from registry.application.reading import Reader
from registry.importers import insee, vn2025
from registry.importers.fixtures import load
from registry.projections.index import ReadIndex
from tests.conftest import LAI_CHAU_UNITS, ROOT


@pytest.fixture(scope="session")
def data() -> Path:
    path = Path(os.environ.get("REGISTRY_SHARED_DATA", ROOT.parent / "shared" / "data"))
    if not (path / "vn").is_dir() or not (path / "fr").is_dir():
        pytest.fail(f"the shared data is not at {path} (set REGISTRY_SHARED_DATA)")
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _reader(url: str) -> Iterator[Reader]:
    reader = bootstrap.build_reader(url)
    yield reader
    reader.close()


@pytest.fixture(scope="session")
def vn_db(data: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('vn') / 'vn.db'}"
    registry = bootstrap.build(url)
    vn2025.run(registry, data / "vn", "test-import")
    registry.log.close()
    return url


@pytest.fixture(scope="session")
def vn_reader(vn_db: str) -> Iterator[Reader]:
    yield from _reader(vn_db)


@pytest.fixture(scope="session")
def vn_index(vn_reader: Reader) -> ReadIndex:
    return vn_reader.source.index()


@pytest.fixture(scope="session")
def fr_db(data: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('fr') / 'fr.db'}"
    registry = bootstrap.build(url)
    insee.load_units(registry, data / "fr" / "comsimp2018.txt", date(2018, 1, 1), "test-import")
    insee.apply_events(registry, data / "fr" / "mvtcommune2019.csv", "test-import")
    registry.log.close()
    return url


@pytest.fixture(scope="session")
def fr_index(fr_db: str) -> Iterator[ReadIndex]:
    for reader in _reader(fr_db):
        yield reader.source.index()


@pytest.fixture(scope="session")
def lai_chau_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('lc') / 'lai-chau.db'}"
    registry = bootstrap.build(url)
    load(registry, LAI_CHAU_UNITS, "cli")
    registry.log.close()
    return url


@pytest.fixture(scope="session")
def lai_chau_reader(lai_chau_db: str) -> Iterator[Reader]:
    yield from _reader(lai_chau_db)


@pytest.fixture(scope="session")
def lai_chau_index(lai_chau_reader: Reader) -> ReadIndex:
    return lai_chau_reader.source.index()
