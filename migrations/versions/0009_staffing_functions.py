"""Staffing figures, staffing targets and function holdings: read models folded from the
``staffed``, ``staffing_target``, ``function_gained`` and ``function_lost`` facts. Current
knowledge only: a superseded or withdrawn fact's row is deleted, not closed.

Revision ID: 0009_staffing_functions
Revises: 0006_search_keys
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_staffing_functions"
down_revision = "0008_plans"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staffing_figures",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("org_id", sa.String(36), nullable=False),
        sa.Column("measure", sa.String(16), nullable=False),
        sa.Column("category", sa.Text),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.Column("effective", sa.Date, nullable=False),
        sa.Column("act_id", sa.String(36), nullable=False),
        sa.Column("clause", sa.Text),
    )
    op.create_index("ix_staffing_figures_org", "staffing_figures", ["org_id"])
    op.create_table(
        "staffing_targets",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("org_id", sa.String(36), nullable=False),
        sa.Column("measure", sa.String(16), nullable=False),
        sa.Column("category", sa.Text),
        sa.Column("change_percent", sa.Float),
        sa.Column("baseline", sa.Date),
        sa.Column("deadline", sa.Date),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("effective", sa.Date, nullable=False),
        sa.Column("act_id", sa.String(36), nullable=False),
        sa.Column("clause", sa.Text),
    )
    op.create_index("ix_staffing_targets_org", "staffing_targets", ["org_id"])
    op.create_table(
        "function_holdings",
        sa.Column("org_id", sa.String(36), primary_key=True),
        sa.Column("function_key", sa.Text, primary_key=True),
        sa.Column("valid_from", sa.Date, primary_key=True),
        sa.Column("valid_to", sa.Date),
        sa.Column("function", sa.Text, nullable=False),
        sa.Column("source_id", sa.String(36)),
        sa.Column("target_id", sa.String(36)),
        sa.Column("act_id", sa.String(36), nullable=False),
        sa.Column("end_act_id", sa.String(36)),
        sa.Column("clause", sa.Text),
    )
    op.create_index("ix_function_holdings_key", "function_holdings", ["function_key"])


def downgrade() -> None:
    op.drop_table("function_holdings")
    op.drop_table("staffing_targets")
    op.drop_table("staffing_figures")
