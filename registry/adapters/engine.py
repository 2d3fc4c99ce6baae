"""The one way every SQLAlchemy adapter (read models, tokens, migrations, backups) reaches the
database. The event log reaches the same database through the library (``Database.
eventsourcing_env``).

The token store once built its own engine with SQLite's connect options and so failed on every
PostgreSQL URL without ``?schema=`` (``invalid connection option "timeout"``): one factory, tested
with every URL form the README documents (tests/integration/test_database_urls.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.pool import StaticPool

from registry.adapters.eventstore import Database


def engine_for(database: Database, durable: bool = False) -> Engine:
    """An engine on the registry's database (and schema), with real transactions on SQLite.

    On SQLite, ``conn.execution_options(writing=True)`` begins ``BEGIN IMMEDIATE`` (the write lock
    taken up front, so two writers queue instead of failing at commit). ``durable`` waits for the
    disk at every commit (``synchronous=FULL``): for what cannot be rebuilt, such as a revocation.
    """
    if database.backend in ("sqlite", "memory"):
        if database.backend == "memory":  # beside the in-process log: one shared connection
            engine = create_engine("sqlite://", poolclass=StaticPool,
                                   connect_args={"check_same_thread": False})
        else:
            engine = create_engine(database.sqlalchemy_url(), connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            # pysqlite's own transaction handling begins late; take control (SQLAlchemy docs).
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            # WAL with synchronous=NORMAL loses no committed transaction when the process dies,
            # only on power loss; read models are rebuilt from the log anyway.
            dbapi_connection.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            dbapi_connection.execute("PRAGMA cache_size=-65536")  # 64 MiB: indexes stay cached

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(
                "writing") else "BEGIN")

        return engine
    args: dict[str, Any] = {"connect_timeout": 5}
    if database.schema:  # a plain identifier (Database.parse refuses anything else)
        args["options"] = f"-csearch_path={database.schema}"
    return create_engine(database.sqlalchemy_url(), connect_args=args, pool_size=4,
                         max_overflow=4, pool_pre_ping=True)
