"""Typed relations: each unit version's party superior (``Version.party``, set by the fact kind
``affiliated``), and indexes to find the units under a superior along the party and territory
relations with one query. Both indexes are partial (only rows that have the relation): most units
have neither, and a national import pays nothing for them.

Revision ID: 0007_relations
Revises: 0006_search_keys
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_relations"
down_revision = "0006_search_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Versions projected before this revision hold no affiliation: NULL is their true value.
    with op.batch_alter_table("unit_versions") as batch:
        batch.add_column(sa.Column("party_id", sa.String(36), nullable=True))
    for column in ("party_id", "territory_id"):
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(f"ix_unit_versions_{column.removesuffix('_id')}", "unit_versions",
                        [column], sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    op.drop_index("ix_unit_versions_territory", "unit_versions")
    op.drop_index("ix_unit_versions_party", "unit_versions")
    with op.batch_alter_table("unit_versions") as batch:
        batch.drop_column("party_id")
