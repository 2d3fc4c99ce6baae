"""Configuration, read once from the environment and typed; flags override it."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///registry.db"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = 8 * 1024 * 1024
    max_response_bytes: int = 10 * 1024 * 1024  # a GraphQL answer; over it, a TOO_COSTLY error
    threads: int = 1  # threads running plain `def` endpoints at once, per process

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        origins = tuple(o.strip() for o in env.get("REGISTRY_CORS_ORIGINS", "").split(",")
                        if o.strip())
        return cls(
            database_url=env.get("REGISTRY_DATABASE_URL") or DEFAULT_DATABASE_URL,
            host=env.get("REGISTRY_HOST") or "127.0.0.1",
            port=int(env.get("REGISTRY_PORT") or 8000),
            cors_origins=origins,
            max_body_bytes=int(env.get("REGISTRY_MAX_BODY_BYTES") or 8 * 1024 * 1024),
            max_response_bytes=int(env.get("REGISTRY_MAX_RESPONSE_BYTES")
                                   or 10 * 1024 * 1024),
            threads=int(env.get("REGISTRY_THREADS") or 1),
        )
