"""Read models: unit versions, lineage edges, legal acts, the change list, projection positions.

Every version and edge row carries valid time (valid_from/valid_to, or effective) and transaction
time (recorded_from/recorded_to), so "as known at" questions are answered from these tables.

Revision ID: 0001_read_models
Revises:
"""

import sqlalchemy as sa
from alembic import op

from registry.adapters.readmodels import UTCDateTime

revision = "0001_read_models"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(36)


def upgrade() -> None:
    op.create_table(
        "unit_versions",
        sa.Column("org_id", ID, primary_key=True),
        sa.Column("valid_from", sa.Date, primary_key=True),
        sa.Column("recorded_from", UTCDateTime, primary_key=True),
        sa.Column("valid_to", sa.Date),
        sa.Column("recorded_to", UTCDateTime),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("code", sa.String(32)),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("type", sa.String(128), nullable=False),
        sa.Column("level", sa.String(64)),
        sa.Column("parent_id", ID),
        sa.Column("territory_id", ID),
    )
    op.create_index("ix_unit_versions_code", "unit_versions", ["code", "level"])
    op.create_index("ix_unit_versions_parent", "unit_versions", ["parent_id"])
    op.create_index("ix_unit_versions_recorded_to", "unit_versions", ["recorded_to"])
    op.create_table(
        "lineage_edges",
        sa.Column("edge_id", ID, primary_key=True),
        sa.Column("source_id", ID, nullable=False),
        sa.Column("target_id", ID, nullable=False),
        sa.Column("effective", sa.Date, nullable=False),
        sa.Column("edge_type", sa.String(16), nullable=False),
        sa.Column("share", sa.Float),
        sa.Column("change", sa.String(32), nullable=False),
        sa.Column("act_id", ID, nullable=False),
        sa.Column("clause", sa.Text),
        sa.Column("recorded_from", UTCDateTime, nullable=False),
        sa.Column("recorded_to", UTCDateTime),
    )
    op.create_index("ix_lineage_edges_source", "lineage_edges", ["source_id"])
    op.create_index("ix_lineage_edges_target", "lineage_edges", ["target_id"])
    op.create_table(
        "legal_acts",
        sa.Column("act_id", ID, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False, unique=True),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("digest", sa.String(80), nullable=False),
        sa.Column("number", sa.Text),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("issuer", sa.Text),
        sa.Column("signed", sa.Date),
        sa.Column("effective", sa.Date, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("verified", sa.Boolean, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("document", sa.Text),
        sa.Column("withdrawn_by", ID),
        sa.Column("withdrawn_at", UTCDateTime),
    )
    op.create_table(
        "change_list",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("stream_id", ID, nullable=False),
        sa.Column("stream_version", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("effective", sa.Date),
        sa.Column("act_id", ID),
        sa.Column("clause", sa.Text),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("superseded_at", UTCDateTime),
    )
    op.create_index("ix_change_list_stream", "change_list", ["stream_id", "stream_version"])
    op.create_index("ix_change_list_effective", "change_list", ["effective"])
    op.create_table(
        "projection_positions",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for table in ("projection_positions", "change_list", "legal_acts", "lineage_edges",
                  "unit_versions"):
        op.drop_table(table)
