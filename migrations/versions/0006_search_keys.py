"""Search keys: each unit version's name folded (no case, no diacritics), stored beside it so a
reader can find names with one query instead of loading every name.

Revision ID: 0006_search_keys
Revises: 0005_projection_failures
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from registry.domain.text import fold

revision = "0006_search_keys"
down_revision = "0005_projection_failures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("unit_versions") as batch:
        batch.add_column(sa.Column("search_key", sa.Text, nullable=True))
    conn = op.get_bind()
    names = [r[0] for r in conn.execute(sa.text("SELECT DISTINCT name FROM unit_versions"))]
    if names:
        conn.execute(sa.text("UPDATE unit_versions SET search_key = :key WHERE name = :name"),
                     [{"key": fold(n), "name": n} for n in names])


def downgrade() -> None:
    with op.batch_alter_table("unit_versions") as batch:
        batch.drop_column("search_key")
