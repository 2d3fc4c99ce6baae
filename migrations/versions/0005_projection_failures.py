"""Why the read models stopped: the event the projection could not fold or write, and the reason.

Revision ID: 0005_projection_failures
Revises: 0004_log_integrity
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_projection_failures"
down_revision = "0004_log_integrity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projection_failures",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("event_seq", sa.BigInteger, nullable=False),
        sa.Column("event", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("projection_failures")
