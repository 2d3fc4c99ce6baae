"""``registry backup PATH`` and ``registry restore PATH``: a consistent copy of a running
registry (SQLite's online backup API, PostgreSQL's ``pg_dump``), and its return into an empty
database (see registry/adapters/backup.py for why it is safe while the server records)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from registry.settings import Settings


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("backup", parents=[common],
                       help="write a consistent backup of the registry (safe while it serves)")
    p.add_argument("path", type=Path, help="the backup file to write (must not exist)")
    p.set_defaults(handler=_backup, without_registry=True)

    p = sub.add_parser("restore", parents=[common],
                       help="restore a backup into an empty database (or schema)")
    p.add_argument("path", type=Path, help="a file written by 'registry backup'")
    p.set_defaults(handler=_restore, without_registry=True)


def _backup(settings: Settings, url: str, args: argparse.Namespace) -> int:
    from registry.adapters import backup
    from registry.adapters.eventstore import Database

    database = Database.parse(url)
    summary = backup.backup(database, args.path)
    print(f"registry: backed up {database.shown} to {summary.path} ({summary.bytes:,} bytes)",
          file=sys.stderr)
    return 0


def _restore(settings: Settings, url: str, args: argparse.Namespace) -> int:
    from registry import bootstrap
    from registry.adapters import backup
    from registry.adapters.eventstore import Database, EventLog

    database = Database.parse(url)
    backup.restore(database, args.path)
    bootstrap.migrate(url)  # a backup made by an older version gets the newer read models
    log = EventLog(database)
    try:
        position = log.last_id()
    finally:
        log.close()
    print(f"registry: restored {args.path} into {database.shown}; the event log ends at "
          f"position {position}", file=sys.stderr)
    return 0
