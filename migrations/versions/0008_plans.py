"""Plans: each plan's items and their dated statuses (ADR 0008). Planned changes are not facts:
these tables sit beside the structure's, never in it.

Revision ID: 0008_plans
Revises: 0006_search_keys
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_plans"
down_revision = "0007_relations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_items",
        sa.Column("plan_id", sa.String(36), primary_key=True),
        sa.Column("item", sa.String(64), primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False, unique=True),
        sa.Column("stream_version", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("deadline", sa.Date),
        sa.Column("lead_id", sa.String(36)),
        sa.Column("coordinating", sa.Text, nullable=False),  # JSON list of organisation ids
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("acts", sa.Text, nullable=False),  # JSON list of act ids
        sa.Column("change", sa.Text),  # the planned change's document (JSON), never applied
        sa.Column("effective", sa.Date, nullable=False),
        sa.Column("act_id", sa.String(36), nullable=False),
        sa.Column("clause", sa.Text),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "plan_statuses",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("plan_id", sa.String(36), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("stream_version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("acts", sa.Text, nullable=False),
        sa.Column("effective", sa.Date, nullable=False),
        sa.Column("act_id", sa.String(36), nullable=False),
        sa.Column("clause", sa.Text),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Index("ix_plan_statuses_plan", "plan_id", "item"),
    )


def downgrade() -> None:
    op.drop_table("plan_statuses")
    op.drop_table("plan_items")
