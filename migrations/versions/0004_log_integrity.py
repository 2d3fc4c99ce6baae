"""The event log made append-only by the database, and each act's chain hash in the read models.

Triggers refuse UPDATE, DELETE and TRUNCATE on the event table for every role, the owner's
included (DESIGN §11): corrections are new events, never edits. Only a superuser who disables
the triggers can edit the log, and ``registry verify`` exists to catch exactly that.

The read models gain ``legal_acts.hash``. They are derived from the log, so they are emptied here
and the next catch-up (or ``registry rebuild``) refills them, hashes included.

Revision ID: 0004_log_integrity
Revises: 0003_token_expiry
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_log_integrity"
down_revision = "0003_token_expiry"
branch_labels = None
depends_on = None

# The library names its event table by backend (tests check these against the recorder's).
EVENT_TABLES = {"postgresql": "registry_events", "sqlite": "stored_events"}
REFUSED = "the event log is append-only: corrections are new events (refused: {} on {})"
READ_MODELS = ("unit_versions", "lineage_edges", "legal_acts", "change_list",
               "projection_positions")


def upgrade() -> None:
    bind = op.get_bind()
    EVENTS = EVENT_TABLES[bind.dialect.name]
    if not sa.inspect(bind).has_table(EVENTS):
        raise RuntimeError(f"the event table {EVENTS} does not exist yet: run `registry migrate`, "
                           "which creates it before the migrations")
    if bind.dialect.name == "postgresql":
        op.execute(f"""
            CREATE OR REPLACE FUNCTION registry_events_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{REFUSED.format('%', '%')}', TG_OP, TG_TABLE_NAME
                    USING ERRCODE = 'insufficient_privilege';
            END $$""")
        op.execute(f"""
            CREATE TRIGGER registry_events_no_update_or_delete
            BEFORE UPDATE OR DELETE ON {EVENTS}
            FOR EACH ROW EXECUTE FUNCTION registry_events_append_only()""")
        op.execute(f"""
            CREATE TRIGGER registry_events_no_truncate
            BEFORE TRUNCATE ON {EVENTS}
            FOR EACH STATEMENT EXECUTE FUNCTION registry_events_append_only()""")
    else:  # SQLite has no TRUNCATE: an unqualified DELETE fires the DELETE trigger
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER {EVENTS}_no_{verb.lower()}
                BEFORE {verb} ON {EVENTS}
                BEGIN SELECT RAISE(ABORT, '{REFUSED.format(verb, EVENTS)}'); END""")
    for table in READ_MODELS:
        op.execute(f"DELETE FROM {table}")
    with op.batch_alter_table("legal_acts") as batch:
        batch.add_column(sa.Column("hash", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("legal_acts") as batch:
        batch.drop_column("hash")
    EVENTS = EVENT_TABLES[op.get_bind().dialect.name]
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS registry_events_no_truncate ON {EVENTS}")
        op.execute(f"DROP TRIGGER IF EXISTS registry_events_no_update_or_delete ON {EVENTS}")
        op.execute("DROP FUNCTION IF EXISTS registry_events_append_only()")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {EVENTS}_no_{verb}")
