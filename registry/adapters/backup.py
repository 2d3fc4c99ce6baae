"""Backing up a running registry, and restoring it into an empty database.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies the database through SQLite
itself, in one step, under one read transaction: what it copies is a consistent snapshot that
includes every committed act, also those still in the write-ahead log (``registry.db-wal``), which
a plain copy of ``registry.db`` misses until the next checkpoint. Writers are not blocked (WAL).
The copy is switched to rollback-journal mode so that it is one self-contained file.

PostgreSQL: ``pg_dump`` (custom format) of the registry's schema, which reads everything in one
repeatable-read snapshot; ``pg_restore`` in one transaction. The password travels in
``PGPASSWORD``, never on a command line. The event log and the read models are in the same
snapshot, so a restored registry's read models match its log position.

A restore only fills an empty database (or an empty schema): it never overwrites a registry.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from registry.adapters.engine import engine_for
from registry.adapters.eventstore import Database
from registry.domain.errors import InvalidInput, NotFound, RegistryError

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
SQLITE_EVENTS = "stored_events"  # the eventsourcing library's table on SQLite


class BackupFailed(RegistryError):
    """The backup or restore did not complete; nothing was left half-written."""


@dataclass(frozen=True)
class Summary:
    path: Path
    bytes: int


def backup(database: Database, path: Path) -> Summary:
    """Write a backup of the registry at ``database`` to ``path`` (which must not exist)."""
    if path.exists():
        raise InvalidInput(f"{path} exists; a backup never overwrites a file", "path")
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if database.backend == "sqlite":
            _sqlite_backup(database, partial)
        elif database.backend == "postgresql":
            _pg_dump(database, partial)
        else:
            raise InvalidInput("only SQLite and PostgreSQL registries can be backed up",
                               "database")
        partial.rename(path)  # a file at PATH is always a whole backup
    finally:
        partial.unlink(missing_ok=True)
    return Summary(path, path.stat().st_size)


def restore(database: Database, path: Path) -> Summary:
    """Restore the backup at ``path`` into the empty database (or schema) ``database``."""
    if not path.is_file():
        raise NotFound(f"no backup at {path}")
    with path.open("rb") as f:
        head = f.read(16)
    if head.startswith(SQLITE_MAGIC):
        if database.backend != "sqlite":
            raise InvalidInput("this is a SQLite backup: restore it into a sqlite:/// database",
                               "database")
        _sqlite_restore(database, path)
    elif head.startswith(PG_DUMP_MAGIC):
        if database.backend != "postgresql":
            raise InvalidInput("this is a PostgreSQL backup (pg_dump): restore it into a "
                               "postgresql:// database", "database")
        _pg_restore(database, path)
    else:
        raise InvalidInput(f"{path} is not a registry backup (neither SQLite nor pg_dump)",
                           "path")
    return Summary(path, path.stat().st_size)


# -- SQLite ------------------------------------------------------------------------------

def _sqlite_backup(database: Database, target: Path) -> None:
    source_path = Path(database.path or "")
    if not source_path.is_file():
        raise NotFound(f"no registry at {source_path}")
    engine = engine_for(database)
    try:
        source = engine.raw_connection()
        try:
            registry: sqlite3.Connection = source.driver_connection  # type: ignore[assignment]
            if not _has_table(registry, SQLITE_EVENTS):
                raise NotFound(f"{source_path} holds no registry (no event log)")
            copy = sqlite3.connect(target)
            try:
                registry.backup(copy)  # pages=-1: all in one step, one consistent snapshot
                copy.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
            finally:
                copy.close()
        finally:
            source.close()
    finally:
        engine.dispose()


def _sqlite_restore(database: Database, path: Path) -> None:
    target = Path(database.path or "")
    if target.exists() and target.stat().st_size > 0:
        raise InvalidInput(f"{target} exists; restore into a new database file", "database")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if not _has_table(source, SQLITE_EVENTS):
            raise InvalidInput(f"{path} is a SQLite file but not a registry backup", "path")
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=WAL")  # as the registry runs it
        finally:
            copy.close()
        partial.rename(target)
    finally:
        source.close()


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                        (name,)).fetchone() is not None


# -- PostgreSQL --------------------------------------------------------------------------

def _schema(database: Database) -> str:
    return database.schema or "public"


def _pg_env(database: Database) -> dict[str, str]:
    env = {**os.environ, "PGHOST": database.host or "", "PGPORT": str(database.port),
           "PGUSER": database.user or "", "PGDATABASE": database.dbname or "",
           "PGCONNECT_TIMEOUT": "5"}
    env.pop("PGPASSWORD", None)
    if database.password:
        env["PGPASSWORD"] = database.password
    return env


def _run(tool: str, args: list[str], database: Database) -> str:
    program = shutil.which(tool)
    if program is None:
        raise BackupFailed(f"{tool} is not installed (PostgreSQL's client tools are needed)")
    done = subprocess.run([program, *args], env=_pg_env(database), capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise BackupFailed(f"{tool} failed: {done.stderr.strip()[:2000]}")
    return done.stdout


def _pg_dump(database: Database, target: Path) -> None:
    schema = _schema(database)
    if not _pg_tables(database):
        raise NotFound(f"schema '{schema}' of {database.shown} holds no registry")
    _run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges",
                     f"--schema={schema}", f"--file={target}"], database)


def _pg_restore(database: Database, path: Path) -> None:
    schema = _schema(database)
    entries = _run("pg_restore", ["--list", str(path)], database).splitlines()
    held = {s for s in map(_entry_schema, entries) if s is not None}
    if held != {schema}:
        shown = ", ".join(sorted(s for s in held if s)) or "none"
        raise InvalidInput(f"this backup holds schema {shown}; restore it with "
                           f"?schema={shown} (or into a database's public schema if that is it)",
                           "database")
    if _pg_tables(database):
        raise InvalidInput(f"schema '{schema}' of {database.shown} is not empty; restore into "
                           "a new database or schema", "database")
    if _pg_schema_exists(database):  # do not create it again
        entries = [e for e in entries if not _creates_schema(e, schema)]
    listing = path.with_name(path.name + ".list")
    listing.write_text("\n".join(entries) + "\n")
    try:
        _run("pg_restore", ["--single-transaction", "--exit-on-error", "--no-owner",
                            "--no-privileges", f"--use-list={listing}",
                            f"--dbname={database.dbname}", str(path)], database)
    finally:
        listing.unlink(missing_ok=True)


def _entry_schema(entry: str) -> str | None:
    """``216; 1259 20905 TABLE public t postgres`` (or ``TABLE DATA public t``) → ``public``."""
    words = entry.split(";", 1)[-1].split()
    if len(words) < 5 or words[2] != "TABLE":
        return None
    return words[4] if words[3] == "DATA" else words[3]


def _creates_schema(entry: str, schema: str) -> bool:
    words = entry.split(";", 1)[-1].split()
    return (words[2:5] == ["SCHEMA", "-", schema]
            or words[2:6] == ["COMMENT", "-", "SCHEMA", schema])


def _pg_tables(database: Database) -> list[str]:
    engine = engine_for(database)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = :s"),
                {"s": _schema(database)}).scalars())
    finally:
        engine.dispose()


def _pg_schema_exists(database: Database) -> bool:
    engine = engine_for(database)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(
                "SELECT 1 FROM pg_namespace WHERE nspname = :s"),
                {"s": _schema(database)}).first() is not None
    finally:
        engine.dispose()
