"""``registry import vn-2025 DIR`` and ``registry import insee-cog``: real data recorded as acts.

A progress bar (n/N, rate, time left) on a terminal; one line per act with ``--verbose``. The
time taken includes the read models' catch-up. An interrupted import is resumed by running it
again (acts already recorded are found by their idempotency keys and skipped).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from registry.application.service import Recorded, Registry
from registry.cli import parse_date, parse_moment
from registry.cli.progress import Bar, bar
from registry.domain.errors import InvalidInput

if TYPE_CHECKING:
    from registry.application.service import Recorded, Registry

IMPORT_ACTOR = "import"


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    top = sub.add_parser("import", help="record real data (vn-2025, insee-cog) as acts")
    kinds = top.add_subparsers(dest="source", required=True)

    p = kinds.add_parser("vn-2025", parents=[common],
                         help="Vietnam's 2025 reform from a folder laid out like shared/data/vn")
    p.add_argument("folder", type=Path)
    p.add_argument("--actor", default=IMPORT_ACTOR)
    p.add_argument("--verbose", action="store_true", help="one line per act")
    p.set_defaults(handler=_batched(_vn_2025))

    p = kinds.add_parser("insee-cog", parents=[common],
                         help="INSEE Code officiel géographique: a unit list or a changes file")
    p.add_argument("--units", type=Path, help="a unit list (commune20XX.csv or comsimp20XX.txt)")
    p.add_argument("--as-of", type=parse_date, help="the date the unit list describes")
    p.add_argument("--events", type=Path, help="a changes file (mvtcommune20XX.csv)")
    p.add_argument("--history", action="store_true",
                   help="with --units and --events: rewind the unit list to the day before "
                        "the earliest change, register it, and apply every change forwards")
    p.add_argument("--check", type=Path, metavar="LIST",
                   help="compare the registry on --at with a unit list and print every "
                        "difference (exit 1 if any); records nothing")
    p.add_argument("--at", type=parse_date, help="with --check: the date the list describes")
    p.add_argument("--known-at", type=parse_moment,
                   help="with --check: the registry as it stood at this moment")
    p.add_argument("--actor", default=IMPORT_ACTOR)
    p.add_argument("--verbose", action="store_true", help="one line per act")
    p.set_defaults(handler=_batched(_insee_cog))


def _batched(handler: Callable[[Registry, argparse.Namespace, Bar], int]
             ) -> Callable[[Registry, argparse.Namespace], int]:
    """An import records thousands of acts: the read models catch up once, at the end (and
    the time taken includes that catch-up)."""

    def run(registry: Registry, args: argparse.Namespace) -> int:
        started = time.perf_counter()
        with bar(args.verbose) as progress, registry.batch():
            status = handler(registry, args, progress)
            progress.finish()
            progress.start("read models", None)
        _summary(started)
        return status

    return run


def _vn_2025(registry: Registry, args: argparse.Namespace, bar: Bar) -> int:
    from registry.importers import vn2025

    started = time.perf_counter()
    steps = vn2025.plan(args.folder)
    bar.start("acts", len(steps))

    def progress(step: Any, result: Recorded) -> None:
        state = "recorded" if result.created else "already recorded"
        bar.advance(f"{time.perf_counter() - started:7.1f}s  {step.label}: {state} "
                    f"({result.events} events)")

    results = vn2025.run(registry, args.folder, args.actor, progress, steps)
    new = sum(r.created for r in results)
    print(f"{len(results)} acts: {new} recorded, {len(results) - new} already there")
    return 0


def _insee_cog(registry: Registry, args: argparse.Namespace, bar: Bar) -> int:
    from registry.importers import insee

    started = time.perf_counter()
    if args.events is not None and args.events.is_file():
        bar.start("units" if args.history else "events",
                  None if args.history else len(insee.read_events(args.events)))
    else:
        bar.start("units", None)
    events_started = False

    def progress(line: str) -> None:
        nonlocal events_started
        if args.history and not events_started and not line.startswith("units on"):
            events_started = True  # the unit list is registered: now the changes, one by one
            bar.start("events", len(insee.read_events(args.events)))
        bar.advance(f"{time.perf_counter() - started:7.1f}s  {line}")

    if args.check is not None:
        if args.units or args.events or args.history:
            raise InvalidInput("--check compares only: give it without --units, --events, "
                               "--history")
        if args.at is None:
            raise InvalidInput("--check needs --at DATE (the date the list describes)")
        return _check(registry, args)
    if args.history:
        if args.units is None or args.events is None:
            raise InvalidInput("--history needs --units FILE and --events FILE")
        return _report(insee.load_history(registry, args.units, args.events, args.actor,
                                          progress))
    if (args.units is None) == (args.events is None):
        raise InvalidInput("give either --units FILE --as-of DATE or --events FILE")
    if args.units is not None:
        if args.as_of is None:
            raise InvalidInput("--units needs --as-of DATE (the date the list describes)")

        def recorded(label: str, result: Recorded) -> None:
            state = "recorded" if result.created else "already recorded"
            bar.advance(f"{time.perf_counter() - started:7.1f}s  units on {args.as_of}, "
                        f"{label}: {state} ({result.events} events)")

        results = insee.load_units(registry, args.units, args.as_of, args.actor, recorded)
        new = sum(r.created for r in results)
        print(f"{len(results)} acts: {new} recorded, {len(results) - new} already there")
        return 0

    return _report(insee.apply_events(registry, args.events, args.actor, progress))


def _check(registry: Registry, args: argparse.Namespace) -> int:
    from registry.importers.insee_check import check
    from registry.importers.insee_mapping import read_units

    units = read_units(args.check)
    with registry.reading(args.known_at) as tl:
        result = check(tl, units, args.at)
    for line in result.differences:
        print(line)
    seen = f" as known at {args.known_at.isoformat()}" if args.known_at else ""
    print(f"{args.check.name} on {args.at}{seen}: {result.exact:,} of {result.communes:,} "
          f"communes exact; {len(result.differences)} differences")
    return 1 if result.differences else 0


def _report(out: Any) -> int:
    print(f"{out.recorded} events recorded, {out.withdrawn} withdrawn (dropped or reworded by "
          f"the release, or recorded again after one), {out.amended} amendments of the unit "
          f"list, {out.already} skipped as already known, {out.skipped_before_list} on or "
          f"before the unit list, {out.untouched} on units the registry does not hold")
    for label, reason in out.refused:
        print(f"refused {label}: {reason}", file=sys.stderr)
        print("  everything before it is recorded; run the same import again to resume",
              file=sys.stderr)
    return 1 if out.refused else 0


def _summary(started: float) -> None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"took {time.perf_counter() - started:.1f}s (read models included), peak memory "
          f"{peak:.0f} MB")
