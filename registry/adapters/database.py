"""Where the registry lives: a database URL parsed once (no driver imported here, so commands
that only read start quickly)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlparse

from registry.domain.errors import InvalidInput


@dataclass(frozen=True)
class Database:
    """Where the registry lives, parsed once from ``REGISTRY_DATABASE_URL`` or ``--database``."""

    url: str
    backend: str  # "sqlite" | "postgresql" | "memory"
    path: str | None = None
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = None
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
            query = dict(p.split("=", 1) for p in parsed.query.split("&") if "=" in p)
            return cls(url, "postgresql", host=parsed.hostname or "127.0.0.1",
                       port=parsed.port or 5432, user=unquote(parsed.username or "postgres"),
                       password=unquote(parsed.password or ""),
                       dbname=(parsed.path or "/").lstrip("/") or "postgres",
                       schema=query.get("schema"))
        raise InvalidInput(f"unsupported database URL scheme '{parsed.scheme}' "
                           "(use sqlite:///path, postgresql://… or memory://)", "database")

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
        auth = self.user + (f":{self.password}" if self.password else "")
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{self.dbname}"
