"""The command line: ``registry load|show|tree|history|…``.

Each concern registers its subcommands from its own module (``registry.cli.units``, …). Errors
are one line on stderr with exit status 2 (bad input) or 1 (refused, not found, unreachable);
never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from importlib import import_module

from registry import bootstrap
from registry.domain.errors import ActRefused, InvalidInput, RegistryError
from registry.projections.failure import ProjectionFailed
from registry.settings import Settings

# Modules that each define ``register(subparsers, common)``; their handlers take (registry, args).
MODULES = ("units", "serve", "imports", "readmodels", "integrity", "backup", "analysis",
           "staffing", "plans")


DESCRIPTION = ("An event-sourced registry of administrative units: every change stored with "
               "its legal act,\nrebuilt at any date, served over REST and GraphQL.")
EPILOG = """examples:
  registry load fixtures                          record the act files in a folder
  registry show 03388 --at 2025-07-01             the unit holding a code on a date
  registry crosswalk 106 --from 2025-06-30 --to 2025-07-01
  registry crosswalk --file codes.csv --from 2025-06-30 --to 2025-07-01
  registry plan show 12/KH-UBND --at 2025-07-01   a plan's items: status, deadline, acts, overdue
  registry serve                                  REST /v1, /docs, GraphiQL /graphql, explorer /

Every command takes --database URL (default: $REGISTRY_DATABASE_URL or sqlite:///registry.db);
`registry COMMAND --help` tells more. Exit status: 0 done, 1 refused or not found, 2 bad input."""


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date (YYYY-MM-DD)") from None


def parse_moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{value}' is not a moment (YYYY-MM-DDTHH:MM:SS[+00:00])") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database", help="database URL (default: $REGISTRY_DATABASE_URL or "
                        "sqlite:///registry.db)")
    top = argparse.ArgumentParser(
        prog="registry", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in MODULES:
        import_module(f"registry.cli.{name}").register(sub, common)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings.from_env()
    url = args.database or settings.database_url
    try:
        if getattr(args, "without_registry", False):
            return args.handler(settings, url, args)
        return _record(url, args)
    except ProjectionFailed as e:
        print(f"registry: the acts are recorded, but the read models are stuck: {e}",
              file=sys.stderr)
        return 1
    except ActRefused as e:
        print(f"registry: refused, nothing stored: {with_notes(e)}", file=sys.stderr)
        for v in e.violations[1:6]:
            print(f"  also {v}", file=sys.stderr)
        return 1
    except InvalidInput as e:
        print(f"registry: {with_notes(e)}", file=sys.stderr)
        return 2
    except RegistryError as e:
        print(f"registry: {with_notes(e)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("registry: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `registry … | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as e:  # noqa: BLE001 (the driver's errors, anything unforeseen: one line, no traceback)
        first = (str(e).splitlines() or [""])[0]
        print(f"registry: {type(e).__name__}: {first}", file=sys.stderr)
        return 1


def _record(url: str, args: argparse.Namespace) -> int:
    """A command that records: its acts, then the read models brought up to the log's end, even
    after a refusal (a rerun that finds every act already there still catches them up)."""
    registry = bootstrap.build(url)
    try:
        try:
            code: int = args.handler(registry, args)
        except RegistryError:
            bootstrap.settle(url, registry.log)
            raise
        bootstrap.settle(url, registry.log)
        return code
    finally:
        registry.log.close()


def with_notes(e: BaseException) -> str:
    notes = getattr(e, "__notes__", [])
    return str(e) + "".join(f" ({n})" for n in notes)


if __name__ == "__main__":
    sys.exit(main())
