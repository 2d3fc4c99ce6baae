"""API tokens: created and revoked on the command line, stored only as SHA-256 hashes.

The table ``api_tokens`` is created by the alembic migrations ``0002_api_tokens`` and
``0003_token_expiry``. A token is a random 32-byte secret shown once; the registry keeps its hash,
so a leaked database does not leak credentials. Every token expires (``DEFAULT_LIFETIME`` unless
told otherwise). Revoked tokens are kept (revoked_at set) so that they are refused as revoked, so
that the actor names in old events stay explained, and so that their names are never given again:
the actor an act records (``token:<name>#<id>``) names exactly one credential.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from registry.adapters.engine import engine_for
from registry.adapters.eventstore import Database
from registry.adapters.readmodels import UTCDateTime
from registry.domain.errors import InvalidInput

RECORDER = "recorder"
ROLES = (RECORDER,)  # reads are public: the one thing a token grants is recording
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
PREFIX = "rgt_"
DEFAULT_LIFETIME = timedelta(days=90)

metadata = sa.MetaData()
api_tokens = sa.Table(
    "api_tokens", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("revoked_at", UTCDateTime, nullable=True),
    sa.Column("expires_at", UTCDateTime, nullable=False),
)


@dataclass(frozen=True)
class Token:
    id: int
    name: str
    role: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    @property
    def label(self) -> str:
        return f"{self.name}#{self.id}"

    @property
    def actor(self) -> str:
        """Unique per credential: a name is never given to a second token while the first may
        still be trusted, and never again once revoked."""
        return f"token:{self.label}"

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expired(now) else "active"

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class TokenStore:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.engine = engine_for(database, durable=True)  # a revocation must survive a crash

    def create(self, name: str, now: datetime, expires_at: datetime | None = None,
               role: str = RECORDER) -> tuple[Token, str]:
        """A new token for ``name``, and its secret (which is never stored).

        Refused when the name has a token still in force (revoke it, or let it expire, first)
        or ever had a revoked one (revoked names are not given again)."""
        if not NAME.match(name):
            raise InvalidInput("letters, digits and . _ @ - (at most 64)", "name")
        if role not in ROLES:
            raise InvalidInput(f"one of {', '.join(ROLES)} (reads need no token)", "role")
        expires_at = expires_at or now + DEFAULT_LIFETIME
        if expires_at <= now:
            raise InvalidInput("must be in the future", "expires")
        secret = PREFIX + secrets.token_urlsafe(32)
        with self._writing() as conn:
            for old in (_token(r) for r in conn.execute(
                    sa.select(api_tokens).where(api_tokens.c.name == name))):
                if old.revoked_at is not None:
                    raise InvalidInput(
                        f"a token named '{name}' was revoked on {old.revoked_at:%Y-%m-%d}; the "
                        "names of revoked tokens are not given again (choose another)", "name")
                if not old.expired(now):
                    raise InvalidInput(f"the token '{old.label}' is still in force (until "
                                       f"{old.expires_at:%Y-%m-%d}); revoke it first", "name")
            new_id = conn.execute(api_tokens.insert().values(
                name=name, role=role, token_hash=digest(secret), created_at=now,
                expires_at=expires_at)).inserted_primary_key[0]
        return Token(new_id, name, role, now, expires_at, None), secret

    def revoke(self, name: str, now: datetime) -> int:
        """Revoke every token of ``name`` not yet revoked (expired ones too: the name is then
        never given again); the number revoked."""
        with self._writing() as conn:
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
        """The token whose secret this is (in force, expired or revoked), or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(api_tokens).where(
                api_tokens.c.token_hash == digest(secret))).first()
        return _token(row) if row is not None else None

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _writing(self) -> Iterator[sa.engine.Connection]:
        """A transaction holding the table's write lock from its start, so that two
        ``token create`` for one name cannot both find it free."""
        with self.engine.connect().execution_options(writing=True) as conn, conn.begin():
            if self.database.backend == "postgresql":  # SQLite: BEGIN IMMEDIATE (writing=True)
                conn.execute(sa.text("LOCK TABLE api_tokens IN SHARE ROW EXCLUSIVE MODE"))
            yield conn


def _token(row: sa.Row) -> Token:
    return Token(row.id, row.name, row.role, row.created_at, row.expires_at, row.revoked_at)
