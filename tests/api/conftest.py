"""The real application on a real database, with the Lai Châu acts loaded.

``loaded_sqlite`` loads the fixture acts once per session into a SQLite file; tests that write get
their own copy (``fresh_copy``), or their own PostgreSQL schema through ``database_url``.
"""

from __future__ import annotations

import shutil
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from registry import bootstrap
from registry.adapters.eventstore import Database
from registry.adapters.tokens import TokenStore
from registry.application.service import Registry
from registry.importers.fixtures import load
from registry.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette: "use httpx2"; httpx is what we have
    from starlette.testclient import TestClient

from registry.api.app import create_app


class CountingReader:
    """The real reader, counting the calls made to it (the reads a request costs)."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.reader, name)
        if not callable(attr):
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return attr(*args, **kwargs)
        return counted


@dataclass
class Api:
    url: str
    registry: Registry
    reader: CountingReader
    tokens: TokenStore
    client: TestClient

    def token(self, name: str) -> str:
        return self.tokens.create(name, datetime.now(UTC))[1]


def start(url: str, settings: Settings | None = None) -> Iterator[Api]:
    registry = bootstrap.build(url)
    bootstrap.migrate(url)
    reader = CountingReader(bootstrap.build_reader(url, registry))
    tokens = TokenStore(Database.parse(url))
    app = create_app(settings or Settings(database_url=url), registry, reader, tokens)  # type: ignore[arg-type]
    with TestClient(app) as client:
        yield Api(url, registry, reader, tokens, client)
    tokens.close()
    registry.log.close()


@pytest.fixture(scope="session")
def loaded_sqlite(tmp_path_factory: pytest.TempPathFactory, lai_chau_paths: list[Path]) -> Path:
    path = tmp_path_factory.mktemp("api") / "lai-chau.db"
    url = f"sqlite:///{path}"
    registry = bootstrap.build(url)
    load(registry, lai_chau_paths, "cli")
    registry.log.close()
    bootstrap.migrate(url)
    return path


@pytest.fixture(scope="session")
def api(loaded_sqlite: Path) -> Iterator[Api]:
    """The application over the loaded SQLite registry, for tests that only read."""
    yield from start(f"sqlite:///{loaded_sqlite}")


@pytest.fixture
def fresh_copy(loaded_sqlite: Path, tmp_path: Path) -> str:
    target = tmp_path / "copy.db"
    shutil.copy(loaded_sqlite, target)
    for suffix in ("-wal", "-shm"):
        side = Path(str(loaded_sqlite) + suffix)
        if side.exists():
            shutil.copy(side, Path(str(target) + suffix))
    return f"sqlite:///{target}"


@pytest.fixture
def writable_api(database_url: str, lai_chau_paths: list[Path]) -> Iterator[Api]:
    """The application over a registry of its own (SQLite file or PostgreSQL schema), loaded."""
    registry = bootstrap.build(database_url)
    load(registry, lai_chau_paths, "cli")
    registry.log.close()
    yield from start(database_url)


@dataclass
class Live:
    """The application served by uvicorn on a free loopback port (for clients that need a real
    socket: generated clients, event streams)."""
    base: str
    api: Api


def serve(api: Api) -> Iterator[Live]:
    import socket
    import threading

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(api.client.app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off",
                                           timeout_graceful_shutdown=5))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    while not started.wait(0.05):
        if server.started:
            started.set()
        elif not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
    try:
        yield Live(f"http://127.0.0.1:{port}", api)
    finally:
        server.should_exit = True
        thread.join()


@pytest.fixture(scope="module")
def live(loaded_sqlite: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A live server over a copy of the loaded registry (tests may record acts)."""
    path = tmp_path_factory.mktemp("live") / "registry.db"
    shutil.copy(loaded_sqlite, path)
    for api in start(f"sqlite:///{path}"):
        yield from serve(api)
