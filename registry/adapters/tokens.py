"""API tokens: created and revoked on the command line, stored only as SHA-256 hashes.

The table ``api_tokens`` is created by the alembic migration ``0002_api_tokens``. A token is a
random 32-byte secret shown once; the registry keeps its hash, so a leaked database does not leak
credentials. Revoked tokens are kept (revoked_at set) so that they are refused as revoked, and so
that the actor names in old events stay explained.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from registry.adapters.engine import engine_for
from registry.adapters.eventstore import Database
from registry.domain.errors import InvalidInput

ROLES = ("recorder", "reader")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
PREFIX = "rgt_"

metadata = sa.MetaData()
api_tokens = sa.Table(
    "api_tokens", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)


@dataclass(frozen=True)
class Token:
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def actor(self) -> str:
        return f"token:{self.name}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class TokenStore:
    def __init__(self, database: Database) -> None:
        self.engine = engine_for(database)

    def create(self, name: str, role: str, now: datetime) -> str:
        """A new token for ``name``; returns the secret, which is never stored."""
        if not NAME.match(name):
            raise InvalidInput("letters, digits and . _ @ - (at most 64)", "name")
        if role not in ROLES:
            raise InvalidInput(f"one of {', '.join(ROLES)}", "role")
        secret = PREFIX + secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            active = conn.execute(sa.select(api_tokens.c.id).where(
                api_tokens.c.name == name, api_tokens.c.revoked_at.is_(None))).first()
            if active is not None:
                raise InvalidInput(f"an active token named '{name}' exists; revoke it first",
                                   "name")
            conn.execute(api_tokens.insert().values(
                name=name, role=role, token_hash=digest(secret), created_at=now))
        return secret

    def revoke(self, name: str, now: datetime) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(api_tokens.update().where(
                api_tokens.c.name == name, api_tokens.c.revoked_at.is_(None)
            ).values(revoked_at=now))
            return result.rowcount

    def list(self) -> list[Token]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(api_tokens).order_by(api_tokens.c.name,
                                                                api_tokens.c.id)).all()
        return [_token(r) for r in rows]

    def find(self, secret: str) -> Token | None:
        """The token whose secret this is (active or revoked), or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(api_tokens).where(
                api_tokens.c.token_hash == digest(secret))).first()
        return _token(row) if row is not None else None

    def close(self) -> None:
        self.engine.dispose()


def _token(row: sa.Row) -> Token:
    return Token(row.name, row.role, row.created_at, row.revoked_at)
