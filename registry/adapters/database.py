"""Where the registry lives: a database URL parsed once (no driver imported here, so commands
that only read start quickly)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, unquote, urlparse

from registry.domain.errors import InvalidInput

SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Database:
    """Where the registry lives, parsed once from ``REGISTRY_DATABASE_URL`` or ``--database``.

    Every adapter reaches it from here: the event log through ``eventsourcing_env``, everything
    else through ``registry.adapters.engine.engine_for``. ``shown`` is the URL with its password
    masked; print or log that, never ``url``.
    """

    url: str = field(repr=False)
    backend: str  # "sqlite" | "postgresql" | "memory"
    path: str | None = None
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    dbname: str | None = None
    schema: str | None = None

    @classmethod
    def parse(cls, url: str) -> Database:
        parsed = urlparse(url)
        scheme = parsed.scheme.split("+")[0]
        if scheme == "memory":
            return cls(url, "memory")
        if scheme == "sqlite":
            path = unquote(url.split(":///", 1)[1]) if ":///" in url else ""
            if not path:
                raise InvalidInput("sqlite URLs look like sqlite:///relative.db or "
                                   "sqlite:////absolute/path.db", "database")
            return cls(url, "sqlite", path=path)
        if scheme in ("postgresql", "postgres"):
            query = parse_qs(parsed.query, keep_blank_values=True)
            unknown = sorted(set(query) - {"schema"})
            if unknown:
                raise InvalidInput(f"unknown URL parameter '{unknown[0]}' (the only one is "
                                   "?schema=NAME)", "database")
            schema = query.get("schema", [None])[-1]
            if schema is not None and (len(query["schema"]) > 1
                                       or not SCHEMA_NAME.match(schema)):
                raise InvalidInput("?schema= takes one plain identifier (letters, digits and _, "
                                   "not starting with a digit, at most 63)", "database")
            try:
                port = parsed.port or 5432
            except ValueError:
                raise InvalidInput("the port is not a number", "database") from None
            return cls(url, "postgresql", host=parsed.hostname or "127.0.0.1",
                       port=port, user=unquote(parsed.username or "postgres"),
                       password=unquote(parsed.password or ""),
                       dbname=unquote((parsed.path or "/").lstrip("/")) or "postgres",
                       schema=schema)
        raise InvalidInput(f"unsupported database URL scheme '{parsed.scheme}' "
                           "(use sqlite:///path, postgresql://… or memory://)", "database")

    @property
    def shown(self) -> str:
        """The URL as it may be printed or logged: the password, if any, masked."""
        if self.backend != "postgresql":
            return self.url
        auth = quote(self.user or "", safe="") + (":***" if self.password else "")
        schema = f"?schema={self.schema}" if self.schema else ""
        return f"postgresql://{auth}@{self.host}:{self.port}/{self.dbname}{schema}"

    def __repr__(self) -> str:
        return f"Database({self.shown!r})"

    def eventsourcing_env(self) -> dict[str, str]:
        if self.backend == "memory":  # the library's in-process recorder: tests and scratch work
            return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
        if self.backend == "sqlite":
            return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": self.path or "",
                    "SQLITE_LOCK_TIMEOUT": "30"}
        env = {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": self.dbname,
               "POSTGRES_HOST": self.host, "POSTGRES_PORT": str(self.port),
               "POSTGRES_USER": self.user, "POSTGRES_PASSWORD": self.password,
               "POSTGRES_POOL_SIZE": "4", "POSTGRES_MAX_OVERFLOW": "4",
               "POSTGRES_LOCK_TIMEOUT": "10", "POSTGRES_CONNECT_TIMEOUT": "5",
               "APPLICATION_RECORDER_TOPIC":
                   "registry.adapters.eventstore:UnpipelinedPostgresRecorder"}
        if self.schema:
            env["POSTGRES_SCHEMA"] = self.schema
        return {k: v or "" for k, v in env.items()}

    def sqlalchemy_url(self) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.path}"
        auth = quote(self.user or "", safe="") + (
            f":{quote(self.password, safe='')}" if self.password else "")
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{quote(self.dbname or '')}"
