"""Upgrading to ``0003_token_expiry`` gives the tokens made before it 90 days, and keeps them
working meanwhile (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from registry.adapters.engine import engine_for
from registry.adapters.eventstore import Database
from registry.adapters.readmodels import migrate
from registry.adapters.tokens import TokenStore, digest


def test_tokens_made_before_expiry_existed_expire_90_days_after_the_upgrade(
        database_url: str) -> None:
    database = Database.parse(database_url)
    engine = engine_for(database)
    try:
        migrate(database, engine, revision="0002_api_tokens")
        old = sa.table("api_tokens", *(sa.column(c) for c in (
            "name", "role", "token_hash", "created_at")))
        with engine.begin() as conn:
            conn.execute(old.insert().values(name="alice", role="recorder",
                                             token_hash=digest("rgt_old"),
                                             created_at=datetime(2024, 1, 1, tzinfo=UTC)))
        before = datetime.now(UTC)
        migrate(database, engine)
    finally:
        engine.dispose()
    store = TokenStore(database)
    try:
        token = store.find("rgt_old")
        assert token is not None and token.actor == "token:alice#1"
        assert (before + timedelta(days=90) - timedelta(seconds=1) <= token.expires_at
                <= datetime.now(UTC) + timedelta(days=90))
        assert token.state(datetime.now(UTC)) == "active"
    finally:
        store.close()
