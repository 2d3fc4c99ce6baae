"""Tokens expire: ``expires_at`` on every token. Tokens made before this revision expire 90 days
after the upgrade (they never expired before; nobody is locked out by upgrading).

Revision ID: 0003_token_expiry
Revises: 0002_api_tokens
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0003_token_expiry"
down_revision = "0002_api_tokens"
branch_labels = None
depends_on = None

GRACE = timedelta(days=90)


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    expires = datetime.now(UTC) + GRACE
    if op.get_bind().dialect.name == "sqlite":  # stored naive, in UTC, as the adapter writes it
        expires = expires.replace(tzinfo=None)
    tokens = sa.table("api_tokens", sa.column("expires_at", sa.DateTime(timezone=True)))
    op.execute(tokens.update().where(tokens.c.expires_at.is_(None)).values(expires_at=expires))
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("expires_at", existing_type=sa.DateTime(timezone=True),
                           nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
