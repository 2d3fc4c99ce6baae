"""``registry import vn-2025 DIR`` and ``registry import insee-cog``: real data recorded as acts.

Each recorded act prints one line; an interrupted import is resumed by running it again (acts
already recorded are found by their idempotency keys and skipped).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from registry.cli import parse_date
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
    p.set_defaults(handler=_batched(_vn_2025))

    p = kinds.add_parser("insee-cog", parents=[common],
                         help="INSEE Code officiel géographique: a unit list or a changes file")
    p.add_argument("--units", type=Path, help="a unit list (commune20XX.csv or comsimp20XX.txt)")
    p.add_argument("--as-of", type=parse_date, help="the date the unit list describes")
    p.add_argument("--events", type=Path, help="a changes file (mvtcommune20XX.csv)")
    p.add_argument("--history", action="store_true",
                   help="with --units and --events: rewind the unit list to the day before "
                        "the earliest change, register it, and apply every change forwards")
    p.add_argument("--actor", default=IMPORT_ACTOR)
    p.set_defaults(handler=_batched(_insee_cog))


def _batched(handler: Callable[[Registry, argparse.Namespace], int]
             ) -> Callable[[Registry, argparse.Namespace], int]:
    """An import records thousands of acts: the read models catch up once, at the end."""

    def run(registry: Registry, args: argparse.Namespace) -> int:
        with registry.batch():
            return handler(registry, args)

    return run


def _vn_2025(registry: Registry, args: argparse.Namespace) -> int:
    from registry.importers import vn2025

    started = time.perf_counter()

    def progress(step: Any, result: Recorded) -> None:
        state = "recorded" if result.created else "already recorded"
        print(f"{time.perf_counter() - started:7.1f}s  {step.label}: {state} "
              f"({result.events} events)", flush=True)

    results = vn2025.run(registry, args.folder, args.actor, progress)
    new = sum(r.created for r in results)
    print(f"{len(results)} acts: {new} recorded, {len(results) - new} already there")
    _summary(started)
    return 0


def _insee_cog(registry: Registry, args: argparse.Namespace) -> int:
    from registry.importers import insee

    started = time.perf_counter()

    def progress(line: str) -> None:
        print(f"{time.perf_counter() - started:7.1f}s  {line}", flush=True)

    if args.history:
        if args.units is None or args.events is None:
            raise InvalidInput("--history needs --units FILE and --events FILE")
        return _report(insee.load_history(registry, args.units, args.events, args.actor,
                                          progress), started)
    if (args.units is None) == (args.events is None):
        raise InvalidInput("give either --units FILE --as-of DATE or --events FILE")
    if args.units is not None:
        if args.as_of is None:
            raise InvalidInput("--units needs --as-of DATE (the date the list describes)")

        def recorded(label: str, result: Recorded) -> None:
            state = "recorded" if result.created else "already recorded"
            print(f"{time.perf_counter() - started:7.1f}s  units on {args.as_of}, {label}: "
                  f"{state} ({result.events} events)", flush=True)

        results = insee.load_units(registry, args.units, args.as_of, args.actor, recorded)
        new = sum(r.created for r in results)
        print(f"{len(results)} acts: {new} recorded, {len(results) - new} already there")
        _summary(started)
        return 0

    return _report(insee.apply_events(registry, args.events, args.actor, progress), started)


def _report(out: Any, started: float) -> int:
    print(f"{out.recorded} events recorded, {out.already} already there, {out.withdrawn} "
          f"withdrawn, {out.skipped_before_list} on or before the loaded list, "
          f"{len(out.refused)} refused")
    for label, reason in out.refused[:20]:
        print(f"  refused {label}: {reason}", file=sys.stderr)
    _summary(started)
    return 1 if out.refused else 0


def _summary(started: float) -> None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"took {time.perf_counter() - started:.1f}s, peak memory {peak:.0f} MB")
