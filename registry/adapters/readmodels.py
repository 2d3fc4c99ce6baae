"""The read-model tables on SQLite or PostgreSQL (SQLAlchemy Core), and the rows they hold.

Schema changes go through alembic (``migrations/``); these table definitions are what the
migrations create and what the code reads and writes. Every write of a batch of projected events
happens in one transaction together with the projection's position (``apply``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    delete,
    exc,
    false,
    func,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlalchemy.engine import Connection

from registry.adapters.coordination import READ_MODELS, notify
from registry.adapters.database import Database
from registry.adapters.engine import engine_for
from registry.domain.model import Edge, Holding, Version
from registry.domain.plans import ItemPlanned, StatusChanged
from registry.domain.text import fold
from registry.projections.rows import (
    ActRow,
    ChangeRow,
    EdgeRow,
    FigureRow,
    TargetRow,
    VersionRow,
)

PROJECTION = "read_models"
GENERATION = "read_models:generation"  # a row of projection_positions: rebuilds so far
_CHUNK = 500
COPY_FROM = 200  # rows from which PostgreSQL inserts go through COPY


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both backends (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(
            UTC)


metadata = MetaData()
ID = String(36)

unit_versions = Table(
    "unit_versions", metadata,
    Column("org_id", ID, primary_key=True),
    Column("valid_from", Date, primary_key=True),
    Column("recorded_from", UTCDateTime, primary_key=True),
    Column("valid_to", Date),
    Column("recorded_to", UTCDateTime),
    Column("name", Text, nullable=False),
    Column("code", String(32)),
    Column("kind", String(64), nullable=False),
    Column("type", String(128), nullable=False),
    Column("level", String(64)),
    Column("parent_id", ID),
    Column("territory_id", ID),
    Column("search_key", Text),  # the name folded (registry.domain.text.fold), for search
    Column("party_id", ID),  # the party superior (0007_relations)
    # 0010_illustrative_stand_in: an illustrative unit; a beginning or end whose day is a stand-in
    Column("illustrative", Boolean, nullable=False, server_default=false()),
    Column("from_stand_in", Boolean, nullable=False, server_default=false()),
    Column("to_stand_in", Boolean, nullable=False, server_default=false()),
    Index("ix_unit_versions_code", "code", "level"),
    Index("ix_unit_versions_parent", "parent_id"),
    Index("ix_unit_versions_recorded_to", "recorded_to"),
    # partial: most units have neither relation
    Index("ix_unit_versions_party", "party_id", sqlite_where=sql_text("party_id IS NOT NULL"),
          postgresql_where=sql_text("party_id IS NOT NULL")),
    Index("ix_unit_versions_territory", "territory_id",
          sqlite_where=sql_text("territory_id IS NOT NULL"),
          postgresql_where=sql_text("territory_id IS NOT NULL")),
)

lineage_edges = Table(
    "lineage_edges", metadata,
    Column("edge_id", ID, primary_key=True),
    Column("source_id", ID, nullable=False),
    Column("target_id", ID, nullable=False),
    Column("effective", Date, nullable=False),
    Column("edge_type", String(16), nullable=False),
    Column("share", Float),
    Column("change", String(32), nullable=False),
    Column("act_id", ID, nullable=False),
    Column("clause", Text),
    Column("recorded_from", UTCDateTime, nullable=False),
    Column("recorded_to", UTCDateTime),
    Index("ix_lineage_edges_source", "source_id"),
    Index("ix_lineage_edges_target", "target_id"),
)

legal_acts = Table(
    "legal_acts", metadata,
    Column("act_id", ID, primary_key=True),
    Column("seq", BigInteger, nullable=False, unique=True),
    Column("key", Text, nullable=False),
    Column("digest", String(80), nullable=False),
    Column("number", Text),
    Column("kind", String(32), nullable=False),
    Column("issuer", Text),
    Column("signed", Date),
    Column("effective", Date, nullable=False),
    Column("title", Text),
    Column("url", Text),
    Column("verified", Boolean, nullable=False),
    Column("note", Text),
    Column("actor", Text, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("document", Text),
    Column("withdrawn_by", ID),
    Column("withdrawn_at", UTCDateTime),
    Column("hash", String(64)),  # the act's link in the log's hash chain (0004_log_integrity)
)

change_list = Table(
    "change_list", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("stream_id", ID, nullable=False),
    Column("stream_version", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("effective", Date),
    Column("act_id", ID),
    Column("clause", Text),
    Column("actor", Text, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("data", Text, nullable=False),
    Column("superseded_at", UTCDateTime),
    Index("ix_change_list_stream", "stream_id", "stream_version"),
    Index("ix_change_list_effective", "effective"),
)

projection_positions = Table(
    "projection_positions", metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

# Why the projection stopped (one row while it is stuck): readers, /readyz and `registry status`
# read it, on the primary and on every standby.
projection_failures = Table(
    "projection_failures", metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("event_seq", BigInteger, nullable=False),
    Column("event", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("failed_at", UTCDateTime, nullable=False),
)

# Staffing and functions (0009_staffing_functions): current knowledge only, replaced whole per
# organisation whenever its facts change.
staffing_figures = Table(
    "staffing_figures", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("org_id", ID, nullable=False),
    Column("measure", String(16), nullable=False),
    Column("category", Text),
    Column("value", BigInteger, nullable=False),
    Column("effective", Date, nullable=False),
    Column("act_id", ID, nullable=False),
    Column("clause", Text),
    Index("ix_staffing_figures_org", "org_id"),
)

staffing_targets = Table(
    "staffing_targets", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("org_id", ID, nullable=False),
    Column("measure", String(16), nullable=False),
    Column("category", Text),
    Column("change_percent", Float),
    Column("baseline", Date),
    Column("deadline", Date),
    Column("description", Text, nullable=False),
    Column("effective", Date, nullable=False),
    Column("act_id", ID, nullable=False),
    Column("clause", Text),
    Index("ix_staffing_targets_org", "org_id"),
)

function_holdings = Table(
    "function_holdings", metadata,
    Column("org_id", ID, primary_key=True),
    Column("function_key", Text, primary_key=True),
    Column("valid_from", Date, primary_key=True),
    Column("valid_to", Date),
    Column("function", Text, nullable=False),
    Column("source_id", ID),
    Column("target_id", ID),
    Column("act_id", ID, nullable=False),
    Column("end_act_id", ID),
    Column("clause", Text),
    Index("ix_function_holdings_key", "function_key"),
)

# Plans (0008_plans, ADR 0008): each plan's items and every later status change of them. Beside
# the structure's tables, never in them: planned changes are not facts.
plan_items = Table(
    "plan_items", metadata,
    Column("plan_id", ID, primary_key=True),
    Column("item", String(64), primary_key=True),
    Column("seq", BigInteger, nullable=False, unique=True),
    Column("stream_version", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("deadline", Date),
    Column("lead_id", ID),
    Column("coordinating", Text, nullable=False),  # JSON list of organisation ids
    Column("status", String(16), nullable=False),
    Column("acts", Text, nullable=False),  # JSON list of act ids
    Column("change", Text),  # the planned change's document (JSON), never applied
    Column("effective", Date, nullable=False),
    Column("act_id", ID, nullable=False),
    Column("clause", Text),
    Column("actor", Text, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
)

plan_statuses = Table(
    "plan_statuses", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("plan_id", ID, nullable=False),
    Column("item", String(64), nullable=False),
    Column("stream_version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("acts", Text, nullable=False),
    Column("effective", Date, nullable=False),
    Column("act_id", ID, nullable=False),
    Column("clause", Text),
    Column("actor", Text, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Index("ix_plan_statuses_plan", "plan_id", "item"),
)

TABLES = tuple(t.name for t in metadata.sorted_tables)


# Errors that say the database is away or busy, not that the events cannot be stored.
TRANSIENT: tuple[type[Exception], ...] = (exc.OperationalError, exc.InterfaceError,
                                          exc.TimeoutError)


# -- encoding ----------------------------------------------------------------------------

_UUID_VALUES = ("parent", "territory", "party", "source", "act_id", "by_act")


def _default(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__}")


# One encoder for every row: json.dumps builds a new one per call when given options.
_ENCODER = json.JSONEncoder(default=_default, ensure_ascii=False, sort_keys=True)


def encode_values(values: dict[str, Any]) -> str:
    return _ENCODER.encode(values)


def decode_values(data: str) -> dict[str, Any]:
    values = json.loads(data)
    for key in _UUID_VALUES:
        if values.get(key) is not None:
            values[key] = UUID(values[key])
    return values


_IDS: dict[str, UUID] = {}


def _id(value: str) -> UUID:
    """The UUID of a stored id, made once: rows repeat the same ids (an organisation, its superior,
    an act) many times, and building a UUID costs more than reading the row."""
    found = _IDS.get(value)
    if found is None:
        if len(_IDS) > 1_000_000:
            _IDS.clear()
        found = _IDS[value] = UUID(value)
    return found


def _uuid(value: str | None) -> UUID | None:
    return _id(value) if value is not None else None


def _s(value: UUID | None) -> str | None:
    return str(value) if value is not None else None


def version_row(r: Any) -> VersionRow:
    return VersionRow(Version(_id(r.org_id), r.name, r.code, r.kind, r.type, r.level,
                              _uuid(r.parent_id), _uuid(r.territory_id), r.valid_from, r.valid_to,
                              _uuid(r.party_id), bool(r.illustrative), bool(r.from_stand_in),
                              bool(r.to_stand_in)),
                      r.recorded_from, r.recorded_to, r.search_key)


def edge_row(r: Any) -> EdgeRow:
    return EdgeRow(r.edge_id, Edge(_id(r.source_id), _id(r.target_id), r.effective, r.edge_type,
                                   r.share, r.change, _id(r.act_id), r.clause),
                   r.recorded_from, r.recorded_to)


def act_row(r: Any) -> ActRow:
    return ActRow(id=_id(r.act_id), seq=r.seq, key=r.key, digest=r.digest, number=r.number,
                  kind=r.kind, issuer=r.issuer, signed=r.signed, effective=r.effective,
                  title=r.title, url=r.url, verified=bool(r.verified), note=r.note,
                  actor=r.actor, recorded_at=r.recorded_at,
                  document=json.loads(r.document) if r.document is not None else None,
                  withdrawn_by=_uuid(r.withdrawn_by), withdrawn_at=r.withdrawn_at, hash=r.hash)


def change_row(r: Any) -> ChangeRow:
    return ChangeRow(r.seq, _id(r.stream_id), r.stream_version, r.kind, r.effective,
                     _uuid(r.act_id), r.clause, r.actor, r.recorded_at, decode_values(r.data),
                     r.superseded_at)


# Rows as tuples in the tables' column order; ids stay UUIDs until ``_Many`` binds them.

def _version_tuple(row: VersionRow, keys: dict[str, str]) -> tuple[Any, ...]:
    v = row.version
    key = row.search_key or keys.get(v.name)
    if key is None:
        key = keys[v.name] = fold(v.name)
    return (v.id, v.valid_from, row.recorded_from, v.valid_to, row.recorded_to, v.name, v.code,
            v.kind, v.type, v.level, v.parent, v.territory, key, v.party, v.illustrative,
            v.from_stand_in, v.to_stand_in)


def _edge_tuple(row: EdgeRow) -> tuple[Any, ...]:
    e = row.edge
    return (row.id, e.source, e.target, e.on, e.type, e.share, e.change, e.act, e.clause,
            row.recorded_from, row.recorded_to)


def _act_tuple(a: ActRow) -> tuple[Any, ...]:
    return (a.id, a.seq, a.key, a.digest, a.number, a.kind, a.issuer, a.signed, a.effective,
            a.title, a.url, a.verified, a.note, a.actor, a.recorded_at,
            encode_values(a.document) if a.document is not None else None, a.withdrawn_by,
            a.withdrawn_at, a.hash)


def figure_row(r: Any) -> FigureRow:
    return FigureRow(r.seq, _id(r.org_id), r.measure, r.category, r.value, r.effective,
                     _id(r.act_id), r.clause)


def target_row(r: Any) -> TargetRow:
    return TargetRow(r.seq, _id(r.org_id), r.measure, r.category, r.change_percent, r.baseline,
                     r.deadline, r.description, r.effective, _id(r.act_id), r.clause)


def holding_row(r: Any) -> Holding:
    return Holding(_id(r.org_id), r.function, r.function_key, r.valid_from, r.valid_to,
                   _uuid(r.source_id), _uuid(r.target_id), _id(r.act_id), r.clause,
                   _uuid(r.end_act_id))


def _figure_tuple(f: FigureRow) -> tuple[Any, ...]:
    return (f.seq, f.org, f.measure, f.category, f.value, f.on, f.act, f.clause)


def _target_tuple(t: TargetRow) -> tuple[Any, ...]:
    return (t.seq, t.org, t.measure, t.category, t.change_percent, t.baseline, t.deadline,
            t.description, t.on, t.act, t.clause)


def _holding_tuple(h: Holding) -> tuple[Any, ...]:
    return (h.org, h.key, h.start, h.end, h.function, h.source, h.target, h.act, h.end_act,
            h.clause)


def _ids(values: Iterable[UUID]) -> str:
    return json.dumps([str(v) for v in values])


def _plan_item_tuple(i: ItemPlanned) -> tuple[Any, ...]:
    return (i.plan, i.item, i.seq, i.version, i.title, i.deadline, i.lead, _ids(i.coordinating),
            i.status, _ids(i.acts), encode_values(i.change) if i.change is not None else None,
            i.on, i.act, i.clause, i.actor, i.recorded_at)


def _plan_status_tuple(c: StatusChanged) -> tuple[Any, ...]:
    return (c.seq, c.plan, c.item, c.version, c.status, _ids(c.acts), c.on, c.act, c.clause,
            c.actor, c.recorded_at)


def plan_item_row(r: Any) -> ItemPlanned:
    return ItemPlanned(_id(r.plan_id), r.stream_version, r.item, r.title, r.deadline,
                       _uuid(r.lead_id), tuple(_id(i) for i in json.loads(r.coordinating)),
                       r.status, tuple(_id(i) for i in json.loads(r.acts)),
                       json.loads(r.change) if r.change is not None else None, r.effective,
                       _id(r.act_id), r.clause, r.actor, r.recorded_at, r.seq)


def plan_status_row(r: Any) -> StatusChanged:
    return StatusChanged(_id(r.plan_id), r.stream_version, r.item, r.status,
                         tuple(_id(i) for i in json.loads(r.acts)), r.effective, _id(r.act_id),
                         r.clause, r.actor, r.recorded_at, r.seq)


def _change_tuple(c: ChangeRow) -> tuple[Any, ...]:
    return (c.seq, c.stream_id, c.stream_version, c.kind, c.on, c.act_id, c.clause, c.actor,
            c.recorded_at, encode_values(c.values), c.superseded_at)


# -- the store ---------------------------------------------------------------------------

class StalePosition(Exception):
    """Another process moved the projection on since this one read its position."""


class ReadModelStore:
    def __init__(self, database: Database, engine: Engine | None = None) -> None:
        self.database = database
        self.engine = engine or engine_for(database)
        self._bound: Connection | None = None  # inside one_transaction

    def close(self) -> None:
        self.engine.dispose()

    def migrated(self) -> bool:
        """Whether the read-model tables are there (an empty database has none yet)."""
        from sqlalchemy import inspect

        with self.engine.connect() as conn:
            return inspect(conn).has_table(projection_failures.name)

    def read_only(self) -> bool:
        """A hot standby: it replicates the read models, and nothing may be written there."""
        if self.database.backend != "postgresql":
            return False
        with self.engine.connect() as conn:
            return bool(conn.exec_driver_sql("SELECT pg_is_in_recovery()").scalar())

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """One consistent snapshot for several reads."""
        conn = self.engine.connect()
        try:
            if self.database.backend == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn
        finally:
            conn.close()

    # positions

    def position(self, conn: Connection | None = None) -> int:
        return self._counter(PROJECTION, conn)

    def generation(self, conn: Connection | None = None) -> int:
        """How many times the read models were rebuilt (readers reload everything when it moves)."""
        return self._counter(GENERATION, conn)

    def _counter(self, name: str, conn: Connection | None) -> int:
        query = select(projection_positions.c.position).where(projection_positions.c.name == name)
        conn = conn or self._bound
        if conn is not None:
            return conn.execute(query).scalar() or 0
        with self.engine.connect() as c:
            return c.execute(query).scalar() or 0

    # writing (one transaction per batch, with the position)

    @contextmanager
    def one_transaction(self) -> Iterator[None]:
        """Every write until the end of the block in one transaction: a rebuild. Other readers
        keep seeing the previous state until it commits, and never a partly rebuilt one."""
        with self.engine.connect().execution_options(writing=True) as conn, conn.begin():
            self._bound = conn
            try:
                yield
            finally:
                self._bound = None

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        if self._bound is not None:
            yield self._bound
            return
        with self.engine.connect().execution_options(writing=True) as conn, conn.begin():
            yield conn

    def apply(self, ops: Any, expected: int, position: int,
              before_commit: Callable[[], None] | None = None) -> None:
        with self._writing() as conn:
            pos = projection_positions.c.position
            query = select(pos).where(projection_positions.c.name == PROJECTION)
            if self.database.backend == "postgresql":
                query = query.with_for_update()
            current = conn.execute(query).scalar()
            if (current or 0) != expected:
                raise StalePosition(f"projection is at {current}, expected {expected}")
            self._write(conn, ops)
            if current is None:
                conn.execute(insert(projection_positions).values(name=PROJECTION,
                                                                 position=position))
            else:
                conn.execute(update(projection_positions).where(
                    projection_positions.c.name == PROJECTION).values(position=position))
            conn.execute(delete(projection_failures).where(
                projection_failures.c.name == PROJECTION,
                projection_failures.c.event_seq <= position))
            notify(self.database, READ_MODELS, conn)  # delivered when this commits
            if before_commit is not None:
                before_commit()

    def record_failure(self, failure: Any) -> None:
        """Remember why the projection is stuck (its own transaction: the batch rolled back)."""
        if self._bound is not None:  # a rebuild: it rolls back whole, and says why itself
            return
        values = {"position": failure.position, "event_seq": failure.seq,
                  "event": _printable(failure.event), "reason": _printable(failure.reason),
                  "failed_at": failure.at}
        with self.engine.connect().execution_options(writing=True) as conn, conn.begin():
            done = conn.execute(update(projection_failures).where(
                projection_failures.c.name == PROJECTION).values(**values))
            if not done.rowcount:
                conn.execute(insert(projection_failures).values(name=PROJECTION, **values))

    def failure(self, conn: Connection | None = None) -> dict[str, Any] | None:
        """The stored reason the projection is stuck, or None."""
        query = select(projection_failures).where(projection_failures.c.name == PROJECTION)
        if conn is not None:
            row = conn.execute(query).first()
        else:
            with self.engine.connect() as c:
                row = c.execute(query).first()
        if row is None:
            return None
        return {"position": row.position, "event": row.event_seq, "what": row.event,
                "reason": row.reason, "since": row.failed_at}

    def _write(self, conn: Connection, ops: Any) -> None:
        # Straight to the driver's executemany: the batch is large and the statements fixed.
        many = _Many(conn, self.database.backend)
        version_key = "org_id = {p} AND valid_from = {p} AND recorded_from = {p}"
        many.run(f"DELETE FROM unit_versions WHERE {version_key}",
                 [(str(r.version.id), r.version.valid_from, r.recorded_from)
                  for r in ops.version_deletes])
        many.run(f"UPDATE unit_versions SET recorded_to = {{p}} WHERE {version_key}",
                 [(to, str(r.version.id), r.version.valid_from, r.recorded_from)
                  for r, to in ops.version_closes])
        keys: dict[str, str] = {}  # an organisation's versions mostly share its name
        many.insert(unit_versions, [_version_tuple(r, keys)
                                    for r in ops.version_inserts.values()])
        many.run("DELETE FROM lineage_edges WHERE edge_id = {p}",
                 [(i,) for i in ops.edge_deletes])
        many.run("UPDATE lineage_edges SET recorded_to = {p} WHERE edge_id = {p}",
                 [(to, i) for i, to in ops.edge_closes])
        many.insert(lineage_edges, [_edge_tuple(r) for r in ops.edge_inserts.values()])
        many.insert(legal_acts, [_act_tuple(a) for a in ops.act_inserts])
        many.run("UPDATE legal_acts SET withdrawn_by = {p}, withdrawn_at = {p} WHERE act_id = {p}",
                 [(str(by), at, str(act)) for act, by, at in ops.act_withdrawals])
        many.insert(change_list, [_change_tuple(c) for c in ops.change_inserts])
        if ops.extras:  # staffing and functions: each organisation's rows replaced whole
            replaced = [(str(org),) for org in ops.extras if org not in ops.extras_new]
            for table in ("staffing_figures", "staffing_targets", "function_holdings"):
                many.run(f"DELETE FROM {table} WHERE org_id = {{p}}", replaced)
            extras = list(ops.extras.values())
            many.insert(staffing_figures, [_figure_tuple(f) for x in extras for f in x[0]])
            many.insert(staffing_targets, [_target_tuple(t) for x in extras for t in x[1]])
            many.insert(function_holdings, [_holding_tuple(h) for x in extras for h in x[2]])
        many.insert(plan_items, [_plan_item_tuple(i) for i in ops.plan_items])
        many.insert(plan_statuses, [_plan_status_tuple(c) for c in ops.plan_statuses])
        many.run("UPDATE change_list SET superseded_at = {p} WHERE stream_id = {p} AND "
                 "stream_version = {p} AND superseded_at IS NULL",
                 [(at, str(stream), v) for stream, v, at in ops.change_supersedes])

    def clear(self) -> None:
        """Empty every read model and reset the position (a rebuild starts from zero); the
        generation moves on."""
        with self._writing() as conn:
            generation = self.generation(conn)
            for table in reversed(metadata.sorted_tables):
                conn.execute(delete(table))
            conn.execute(insert(projection_positions).values(name=GENERATION,
                                                             position=generation + 1))

    # reading, for the projection's own state

    def org_state(self, orgs: Iterable[UUID]
                  ) -> tuple[list[ChangeRow], list[VersionRow], list[EdgeRow]]:
        """Facts, open version rows and open edges (into them) of some organisations."""
        ids = sorted(str(o) for o in orgs)
        facts: list[ChangeRow] = []
        versions: list[VersionRow] = []
        edges: list[EdgeRow] = []
        with self.reading() as conn:
            for chunk in _chunks(ids):
                facts += [change_row(r) for r in conn.execute(select(change_list).where(
                    change_list.c.stream_id.in_(chunk)).order_by(change_list.c.seq))]
                versions += [version_row(r) for r in conn.execute(select(unit_versions).where(
                    unit_versions.c.org_id.in_(chunk), unit_versions.c.recorded_to.is_(None)))]
                edges += [edge_row(r) for r in conn.execute(select(lineage_edges).where(
                    lineage_edges.c.target_id.in_(chunk), lineage_edges.c.recorded_to.is_(None)))]
        return facts, versions, edges

    # reading, for the queries

    def load_all(self, conn: Connection) -> tuple[list[VersionRow], list[EdgeRow], list[ActRow]]:
        return ([version_row(r) for r in conn.execute(select(unit_versions))],
                [edge_row(r) for r in conn.execute(select(lineage_edges))],
                self.acts(conn))

    def stand_in_acts(self) -> set[UUID]:
        """The acts whose effective date is a stand-in (``ActInfo.stand_in``)."""
        with self.reading() as conn:
            rows = conn.execute(select(legal_acts).where(
                legal_acts.c.document.like("%effective_stand_in%")))
            return {a.id for a in map(act_row, rows) if a.stand_in}

    def acts(self, conn: Connection) -> list[ActRow]:
        return [act_row(r) for r in conn.execute(select(legal_acts).order_by(legal_acts.c.seq))]

    def touched_between(self, conn: Connection, after: int, upto: int) -> set[UUID]:
        rows = conn.execute(select(change_list.c.stream_id).where(
            change_list.c.seq > after, change_list.c.seq <= upto).distinct())
        return {_id(r[0]) for r in rows}

    def org_rows(self, conn: Connection, orgs: Iterable[UUID]
                 ) -> tuple[list[VersionRow], list[EdgeRow]]:
        """Every version of some organisations, and every edge into them."""
        return self._rows(conn, orgs, outgoing=False)

    # reading only what one question needs (a command's reader, registry.projections.partial)

    def rows_touching(self, conn: Connection, orgs: Iterable[UUID]
                      ) -> tuple[list[VersionRow], list[EdgeRow]]:
        """Every version of some organisations, and every edge into or out of them."""
        return self._rows(conn, orgs, outgoing=True)

    def _rows(self, conn: Connection, orgs: Iterable[UUID], outgoing: bool
              ) -> tuple[list[VersionRow], list[EdgeRow]]:
        versions: list[VersionRow] = []
        edges: list[EdgeRow] = []
        for chunk in _chunks(sorted(str(o) for o in orgs)):
            versions += [version_row(r) for r in conn.execute(select(unit_versions).where(
                unit_versions.c.org_id.in_(chunk)))]
            touching = lineage_edges.c.target_id.in_(chunk)
            if outgoing:
                touching = touching | lineage_edges.c.source_id.in_(chunk)
            edges += [edge_row(r) for r in conn.execute(select(lineage_edges).where(touching))]
        return versions, edges

    def staffing(self, conn: Connection, orgs: Iterable[UUID]
                 ) -> tuple[list[FigureRow], list[TargetRow]]:
        """The staffing figures and targets of some organisations, oldest first."""
        figures: list[FigureRow] = []
        targets: list[TargetRow] = []
        for chunk in _chunks(sorted(str(o) for o in orgs)):
            figures += [figure_row(r) for r in conn.execute(select(staffing_figures).where(
                staffing_figures.c.org_id.in_(chunk)))]
            targets += [target_row(r) for r in conn.execute(select(staffing_targets).where(
                staffing_targets.c.org_id.in_(chunk)))]
        figures.sort(key=lambda f: (f.on, f.seq))
        targets.sort(key=lambda t: (t.on, t.seq))
        return figures, targets

    def holdings(self, conn: Connection, orgs: Iterable[UUID] | None = None,
                 key: str | None = None) -> list[Holding]:
        """Function holdings of some organisations, or of the function with name_key ``key``."""
        c = function_holdings.c
        out: list[Holding] = []
        if orgs is None:
            out = [holding_row(r) for r in conn.execute(select(function_holdings).where(
                c.function_key == key))]
        else:
            for chunk in _chunks(sorted(str(o) for o in orgs)):
                query = select(function_holdings).where(c.org_id.in_(chunk))
                if key is not None:
                    query = query.where(c.function_key == key)
                out += [holding_row(r) for r in conn.execute(query)]
        return sorted(out, key=lambda h: (h.start, h.key, str(h.org)))

    def ids_with_code(self, conn: Connection, code: str) -> set[UUID]:
        return {_id(r[0]) for r in conn.execute(select(unit_versions.c.org_id).where(
            unit_versions.c.code == code).distinct())}

    def all_codes(self, conn: Connection) -> set[str]:
        return {r[0] for r in conn.execute(select(unit_versions.c.code).where(
            unit_versions.c.code.is_not(None)).distinct())}

    def ids_under(self, conn: Connection, parents: Iterable[UUID],
                  columns: Sequence[str] = ("parent_id",)) -> set[UUID]:
        """Every organisation that was ever under one of ``parents`` (in one of ``columns``:
        ``parent_id``, ``party_id``, ``territory_id``)."""
        found: set[UUID] = set()
        for chunk in _chunks(sorted(str(o) for o in parents)):
            for column in columns:
                found |= {_id(r[0]) for r in conn.execute(select(unit_versions.c.org_id).where(
                    unit_versions.c[column].in_(chunk)).distinct())}
        return found

    def ids_on(self, conn: Connection, on: date, known: datetime | None) -> set[UUID]:
        """Every organisation with a version on ``on`` (as believed at ``known``)."""
        c = unit_versions.c
        believed = (c.recorded_to.is_(None) if known is None else
                    (c.recorded_from <= known) & (c.recorded_to.is_(None) | (c.recorded_to > known)))
        return {_id(r[0]) for r in conn.execute(select(c.org_id).where(
            believed, c.valid_from <= on, c.valid_to.is_(None) | (c.valid_to > on)).distinct())}

    def ids_named(self, conn: Connection, needle: str, where: str = "anywhere") -> set[UUID]:
        """Every organisation that ever bore a name whose search key contains ``needle``:
        ``anywhere``; as a whole ``word`` (now); at the ``start`` of a word (now)."""
        text = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        key = unit_versions.c.search_key
        if where == "anywhere":
            found = key.like(f"%{text}%", escape="\\")
        elif where == "word":
            found = (key == needle) | key.like(f"{text} %", escape="\\") | key.like(
                f"% {text} %", escape="\\") | key.like(f"% {text}", escape="\\")
        else:
            found = key.like(f"{text}%", escape="\\") | key.like(f"% {text}%", escape="\\")
        if where != "anywhere":
            found = found & unit_versions.c.recorded_to.is_(None)
        return {_id(r[0]) for r in conn.execute(select(unit_versions.c.org_id).where(
            found).distinct())}

    def count_named(self, conn: Connection, needle: str) -> int:
        """How many search keys ever borne contain ``needle`` (``ids_named``'s, counted)."""
        text = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        key = unit_versions.c.search_key
        return int(conn.execute(select(func.count(key.distinct())).where(
            key.like(f"%{text}%", escape="\\"))).scalar() or 0)

    def acts_by_id(self, conn: Connection, ids: Iterable[UUID]) -> list[ActRow]:
        out: list[ActRow] = []
        for chunk in _chunks(sorted(str(i) for i in ids)):
            out += [act_row(r) for r in conn.execute(select(legal_acts).where(
                legal_acts.c.act_id.in_(chunk)))]
        return out

    def plan_rows(self, upto: int, plan: UUID | None = None,
                  conn: Connection | None = None
                  ) -> tuple[list[ItemPlanned], list[StatusChanged]]:
        """Plans' items and status changes up to a log position (one plan's, or every one)."""
        items = select(plan_items).where(plan_items.c.seq <= upto).order_by(plan_items.c.seq)
        changes = select(plan_statuses).where(plan_statuses.c.seq <= upto).order_by(
            plan_statuses.c.seq)
        if plan is not None:
            items = items.where(plan_items.c.plan_id == str(plan))
            changes = changes.where(plan_statuses.c.plan_id == str(plan))
        if conn is None:
            with self.engine.connect() as c:
                return self.plan_rows(upto, plan, c)
        return ([plan_item_row(r) for r in conn.execute(items)],
                [plan_status_row(r) for r in conn.execute(changes)])

    def last_recorded(self, conn: Connection) -> datetime | None:
        return conn.execute(select(func.max(change_list.c.recorded_at))).scalar()

    def facts_of(self, org: UUID, upto: int) -> list[ChangeRow]:
        with self.engine.connect() as conn:
            return [change_row(r) for r in conn.execute(select(change_list).where(
                change_list.c.stream_id == str(org), change_list.c.seq <= upto).order_by(
                change_list.c.seq))]

    def facts_between(self, first: date, last: date, upto: int,
                      after: tuple[date, int] | None = None, limit: int | None = None,
                      streams: set[UUID] | None = None) -> list[ChangeRow]:
        """Facts that took effect between two dates, in log order; with ``limit``, a page in
        (effective date, log position) order, after ``after``; with ``streams``, only theirs
        (a page may hold others when there are too many to name)."""
        c = change_list.c
        if streams is not None and len(streams) > _CHUNK:  # named a chunk at a time
            if limit is not None:  # a page: the caller filters (its length says if more follow)
                return self.facts_between(first, last, upto, after, limit)
            ids = sorted(streams, key=str)
            found = [f for i in range(0, len(ids), _CHUNK) for f in self.facts_between(
                first, last, upto, streams=set(ids[i:i + _CHUNK]))]
            return sorted(found, key=lambda f: f.seq)
        query = select(change_list).where(c.effective >= first, c.effective <= last,
                                          c.seq <= upto, c.kind.not_in(NOT_FACTS))
        if streams is not None:
            query = query.where(c.stream_id.in_(sorted(str(s) for s in streams)))
        if limit is None:
            query = query.order_by(c.seq)
        else:
            if after is not None:
                query = query.where(tuple_(c.effective, c.seq) > tuple_(*after))
            query = query.order_by(c.effective, c.seq).limit(limit)
        with self.engine.connect() as conn:
            return [change_row(r) for r in conn.execute(query)]

    def log_after(self, after: int, limit: int, upto: int) -> list[ChangeRow]:
        with self.engine.connect() as conn:
            return [change_row(r) for r in conn.execute(select(change_list).where(
                change_list.c.seq > after, change_list.c.seq <= upto).order_by(
                change_list.c.seq).limit(limit))]

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every read model, ordered: to compare two builds."""
        out = {}
        with self.reading() as conn:
            for table in metadata.sorted_tables:
                query = select(table).order_by(*table.primary_key.columns)
                if table is projection_positions:  # what was built, not how many times
                    query = query.where(projection_positions.c.name != GENERATION)
                rows = conn.execute(query)
                out[table.name] = [tuple(r) for r in rows]
        return out


# change-list rows that are no organisation's fact: ledger entries and plans (ADR 0008)
NOT_FACTS = ("act_recorded", "act_withdrawn", "plan_item", "plan_status")


class _Many:
    """executemany through the driver, with values stored exactly as SQLAlchemy stores them."""

    def __init__(self, conn: Connection, backend: str) -> None:
        self.conn = conn
        self.sqlite = backend in ("sqlite", "memory")
        self.mark = "?" if self.sqlite else "%s"
        self.memo: dict[Any, Any] = {}

    def _stored(self, value: Any) -> Any:
        if isinstance(value, UUID):
            return str(value)
        if not self.sqlite:
            return value
        if isinstance(value, datetime):  # SQLAlchemy's SQLite DATETIME storage format
            return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, bool):
            return int(value)
        return value

    def _binder(self) -> Callable[[Any], Any]:
        memo = self.memo  # a batch repeats the same ids, moments and dates many times
        plain = (str, int, float, type(None))
        stored_as = self._stored

        def bind(value: Any) -> Any:
            if type(value) in plain:
                return value
            stored = memo.get(value)
            if stored is None:
                stored = memo[value] = stored_as(value)
            return stored

        return bind

    def _bound(self, rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """The rows with their values as stored, converted column by column: a column holds one
        type, and one whose values are all plain (most of them) is passed through untouched."""
        bind = self._binder()
        plain = {str, int, float, type(None)}
        columns = [column if set(map(type, column)) <= plain else list(map(bind, column))
                   for column in zip(*rows, strict=True)]
        return list(zip(*columns, strict=True))

    def run(self, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        self.conn.exec_driver_sql(sql.format(p=self.mark), self._bound(rows))

    def insert(self, table: Table, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        names = [c.name for c in table.columns]
        if not self.sqlite and len(rows) >= COPY_FROM:
            # PostgreSQL's bulk path: one COPY instead of a statement per row (rebuilds, large
            # acts), in the same transaction as the rest of the batch.
            cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                for row in self._bound(rows):
                    copy.write_row(row)
            return
        sql = (f"INSERT INTO {table.name} ({', '.join(names)}) "
               f"VALUES ({', '.join(['{p}'] * len(names))})")
        self.run(sql, rows)


def _printable(text: str) -> str:
    """Text any backend can store (the reason may quote the very value that failed)."""
    return text.replace("\x00", "\\x00")[:2000]


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


def migrate(database: Database, engine: Engine | None = None, revision: str = "head") -> None:
    """``alembic upgrade head`` for the read models, on the registry's database and schema.

    The event table comes first (the library creates it with the log): a migration installs the
    triggers that keep it append-only.
    """
    from alembic import command
    from alembic.config import Config

    from registry import resources
    from registry.adapters.eventstore import EventLog

    EventLog(database).close()

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.migration_scripts()))
    cfg.attributes["database_url"] = database.url
    if engine is not None:
        cfg.attributes["engine"] = engine
    command.upgrade(cfg, revision)
