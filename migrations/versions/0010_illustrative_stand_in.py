"""Each unit version says whether the unit is illustrative (an example, real-shaped, not taken
from a source: fact kind ``described``), and whether the day it began or ended comes only from
acts whose effective date is a stand-in (``effective_stand_in``): answers then never show that day
as an effective date without saying so.

Versions projected before this revision belong to logs that held neither (both came with it):
``false`` is their true value.

Revision ID: 0010_illustrative_stand_in
Revises: 0009_staffing_functions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_illustrative_stand_in"
down_revision = "0009_staffing_functions"
branch_labels = None
depends_on = None

COLUMNS = ("illustrative", "from_stand_in", "to_stand_in")


def upgrade() -> None:
    with op.batch_alter_table("unit_versions") as batch:
        for column in COLUMNS:
            batch.add_column(sa.Column(column, sa.Boolean(), nullable=False,
                                       server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("unit_versions") as batch:
        for column in reversed(COLUMNS):
            batch.drop_column(column)
