"""``registry migrate|rebuild|lineage|crosswalk|diff|search|export``: the read models and the
historical questions answered from them."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from registry import bootstrap
from registry.application.lookups import (
    BULK_COLUMNS,
    EXPORT_COLUMNS,
    bulk_crosswalk,
    export_rows,
    locate,
    unit_ref,
)
from registry.application.reading import Reader, UnitView
from registry.cli import parse_date, parse_moment
from registry.domain.errors import InvalidInput
from registry.settings import Settings


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("migrate", parents=[common],
                       help="create or upgrade the read-model schema (alembic upgrade head)")
    p.set_defaults(handler=_migrate, without_registry=True)

    p = sub.add_parser("rebuild", parents=[common],
                       help="empty the read models and fold the whole event log again")
    p.set_defaults(handler=_rebuild, without_registry=True)

    p = sub.add_parser("status", parents=[common],
                       help="the log's head, the read models' position and lag, and why stuck")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_status, without_registry=True)

    p = sub.add_parser("project", parents=[common],
                       help="fold the log into the read models as acts arrive (the projector "
                            "role on its own; one per database holds the lock)")
    p.add_argument("--once", action="store_true", help="catch up once and exit")
    p.add_argument("--poll", type=float, default=1.0,
                   help="seconds between looks at the log where nothing notifies (SQLite)")
    p.set_defaults(handler=_project, without_registry=True)

    p = _query(sub, common, "lineage", "where a unit came from and where it went", _lineage)
    p.add_argument("code", metavar="UNIT", help="a code, an id or an unambiguous name")
    p.add_argument("--at", type=parse_date, default=None, help="date the code is read on")
    p.add_argument("--level")
    p.add_argument("--direction", choices=("predecessors", "successors", "both"), default="both")
    p.add_argument("--depth", type=int, default=None, help="hops (default: all, transitively)")

    p = _query(sub, common, "crosswalk", "the units that cover a unit on another date", _crosswalk)
    p.add_argument("code", nargs="?", help="one code (or --file)")
    p.add_argument("--file", type=Path, help="CSV with a 'code' column: every code, one CSV row "
                   "per code and covering unit on stdout")
    p.add_argument("--level")
    p.add_argument("--from", dest="from_date", type=parse_date, required=True)
    p.add_argument("--to", dest="to_date", type=parse_date, default=None,
                   help="default: today")

    p = _query(sub, common, "diff", "units begun, ended, renamed, recoded, moved between dates",
               _diff)
    p.add_argument("--from", dest="from_date", type=parse_date, required=True)
    p.add_argument("--to", dest="to_date", type=parse_date, required=True)
    p.add_argument("--within", help="code, id or name of a unit: only its subtree (on either date)")
    p.add_argument("--level", help="level of the --within code")

    p = _query(sub, common, "search", "units by name, current or historical", _search)
    p.add_argument("text")
    p.add_argument("--at", type=parse_date, default=None, help="only names borne on this date")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--level", help="only units of this level")
    p.add_argument("--within", help="code, id or name of a unit: only units under it")

    p = _query(sub, common, "export", "every unit on a date, as CSV or JSON", _export)
    p.add_argument("--at", type=parse_date, default=None, help="default: today")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--within", help="code, id or name of a unit: only its subtree")
    p.add_argument("--level", help="level of the --within code")


def _query(sub: Any, common: argparse.ArgumentParser, name: str, helptext: str,
           handler: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(name, parents=[common], help=helptext)
    p.add_argument("--known-at", type=parse_moment, help="as the registry knew it then")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=handler, without_registry=True)
    return p


def _reader(url: str) -> Reader:
    return bootstrap.question_reader(url)


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def _unit_text(u: UnitView) -> str:
    return f"{u.name} ({u.code or '—'})"


def _act_text(item: dict[str, Any]) -> str:
    act = item.get("act") or {}
    number = act.get("number") or f"unnumbered {act.get('kind', 'act')}"
    clause = f", {item['clause']}" if item.get("clause") else ""
    return number + clause


# -- handlers ----------------------------------------------------------------------------

def _migrate(settings: Settings, url: str, args: argparse.Namespace) -> int:
    bootstrap.migrate(url)
    print("read models: schema at the newest revision")
    return 0


def _rebuild(settings: Settings, url: str, args: argparse.Namespace) -> int:
    projection = bootstrap.build_projection(url)
    try:
        folded = projection.rebuild()
    finally:
        projection.close()
    print(f"read models rebuilt from {folded} events (position {projection.position})")
    return 0


def _status(settings: Settings, url: str, args: argparse.Namespace) -> int:
    state = bootstrap.status(url)
    failure: Any = state["failure"]
    if args.json:
        _print_json(state | {"failure": failure and {
            **failure, "since": failure["since"].isoformat()}})
        return 1 if failure else 0
    print(f"log head      {state['head']}")
    print(f"read models   {state['position']}")
    print(f"lag           {state['lag']}")
    if failure:
        print(f"stuck         at event {failure['event']} ({failure['what']}) since "
              f"{failure['since']:%Y-%m-%d %H:%M:%S}: {failure['reason']}")
        return 1
    return 0


def _project(settings: Settings, url: str, args: argparse.Namespace) -> int:
    from registry.projections.failure import ProjectionFailed

    if args.once:
        position = bootstrap.settle(url)
        print(f"read models at position {position}")
        return 0
    projector = bootstrap.projector(url, args.poll)
    waiting = stuck = None
    try:
        while True:
            if not projector.lock.acquire():
                if not waiting:
                    print("registry: another process projects; waiting for its lock",
                          file=sys.stderr, flush=True)
                waiting = True
            else:
                waiting = False
                try:
                    if projector.projection.catch_up():
                        print(f"read models at position {projector.projection.position}",
                              flush=True)
                    stuck = None
                except ProjectionFailed as e:
                    if str(e) != stuck:
                        print(f"registry: {e}", file=sys.stderr, flush=True)
                    stuck = str(e)
            projector.wakeups.wait()
    finally:
        projector.close()


def _lineage(settings: Settings, url: str, args: argparse.Namespace) -> int:
    with _reader(url) as reader:
        on = args.at or date.today()
        unit = locate(reader, args.code, (on,), args.known_at, "UNIT", args.level)
        directions = (["predecessors", "successors"] if args.direction == "both"
                      else [args.direction])
        out = {d: [s.as_dict() for s in reader.lineage(unit.id, d, args.depth, args.known_at)]
               for d in directions}
        if args.json:
            _print_json({"unit": unit.as_dict(), **out})
            return 0
        print(f"{_unit_text(unit)} on {on}  id {unit.id}")
        for d in directions:
            arrow = "from" if d == "predecessors" else "into"
            if not out[d]:
                print(f"  no {d}")
            for s in out[d]:
                share = f" {s['share']:.0%}" if s["share"] is not None else ""
                print(f"  {'  ' * (s['depth'] - 1)}{arrow} {s['unit']['name']} "
                      f"({s['unit']['code'] or '—'}) on {s['on']}: {s['change']}, "
                      f"{s['edge']}{share} — {_act_text(s)}")
        return 0


def _crosswalk(settings: Settings, url: str, args: argparse.Namespace) -> int:
    with _reader(url) as reader:
        to_date = args.to_date or date.today()
        if (args.code is None) == (args.file is None):
            raise InvalidInput("give one code or --file, not both", "code")
        if args.file is not None:
            return _crosswalk_file(reader, args, to_date)
        items = reader.crosswalk(args.code, args.level, args.from_date, to_date, args.known_at)
        if args.json:
            _print_json([i.as_dict() for i in items])
            return 0
        if not items:
            print(f"nothing on {to_date} covers {args.code} of {args.from_date}")
        for i in items:
            how = "same unit" if not i.path else " → ".join(
                f"{s.change} ({s.edge})" for s in i.path)
            via = f", through {_unit_text(i.via)}" if i.via is not None else ""
            print(f"{_unit_text(i.source)} on {args.from_date} → {_unit_text(i.target)} on "
                  f"{to_date}: {how}{via}")
        return 0


def _crosswalk_file(reader: Reader, args: argparse.Namespace, to_date: date) -> int:
    try:
        with args.file.open(encoding="utf-8-sig", newline="") as f:
            table = list(csv.DictReader(f))
    except OSError as e:
        raise InvalidInput(f"cannot read {args.file}: {e.strerror}", "--file") from None
    if table and "code" not in table[0]:
        raise InvalidInput(f"{args.file} has no 'code' column", "--file")
    codes = [row["code"].strip() for row in table if (row.get("code") or "").strip()]
    rows = bulk_crosswalk(reader, codes, args.level, args.from_date, to_date, args.known_at)
    if args.json:
        _print_json(rows)
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=BULK_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    missing = {r["code"] for r in rows if r["status"] != "ok"}
    print(f"registry: {len(codes)} codes, {len(set(codes)) - len(missing)} covered on {to_date}, "
          f"{len(missing)} not", file=sys.stderr)
    return 0


def _within(reader: Reader, args: argparse.Namespace, *dates: date) -> Any:
    """``--within``: a unit's id, or a code it holds on one of ``dates`` (as in the REST API)."""
    if not args.within:
        return None
    return unit_ref(reader, args.within, dates, args.known_at, "--within", args.level)


def _diff(settings: Settings, url: str, args: argparse.Namespace) -> int:
    with _reader(url) as reader:
        within = _within(reader, args, args.to_date, args.from_date)
        view = reader.diff(args.from_date, args.to_date, within, args.known_at)
        out = view.as_dict()
        if args.json:
            _print_json(out)
            return 0
        counts = ", ".join(f"{n} {k}" for k, n in out["counts"].items())
        print(f"{args.from_date} → {args.to_date}: {counts}")
        for kind in ("begun", "ended", "renamed", "recoded", "moved", "reclassified"):
            for item in out[kind]:
                before, after = item["before"], item["after"]
                if kind in ("begun", "ended"):
                    u = after or before
                    what = f"{u['name']} ({u['code'] or '—'}) {u['level'] or u['type']}"
                else:
                    what = (f"{before['name']} ({before['code'] or '—'}) → {after['name']} "
                            f"({after['code'] or '—'})")
                acts = "; ".join(a.get("number") or f"unnumbered {a['kind']}" for a in item["acts"])
                print(f"  {kind:<12} {what}{'  — ' + acts if acts else ''}")
        return 0


def _search(settings: Settings, url: str, args: argparse.Namespace) -> int:
    with _reader(url) as reader:
        within = (unit_ref(reader, args.within, (args.at or date.today(),), args.known_at,
                           "--within") if args.within else None)
        hits = reader.search(args.text, args.at, args.known_at, args.limit, args.level, within)
        if args.json:
            _print_json([h.as_dict() for h in hits])
            return 0
        if not hits:
            print("no unit bears that name" + (f" on {args.at}" if args.at else ""))
        for h in hits:
            span = f"{h.valid_from} → {h.valid_to or '…'}"
            print(f"{h.label} ({h.unit.code or '—'})  {h.unit.level or h.unit.type}  "
                  f"{span}  id {h.unit.id}")
        return 0


def _export(settings: Settings, url: str, args: argparse.Namespace) -> int:
    with _reader(url) as reader:
        on = args.at or date.today()
        within = _within(reader, args, on)
        rows = export_rows(reader, reader.snapshot(on, within, args.known_at), on, args.known_at)
        if args.format == "json" or args.json:
            _print_json({"at": on.isoformat(), "units": rows})
            return 0
        writer = csv.DictWriter(sys.stdout, fieldnames=EXPORT_COLUMNS, extrasaction="ignore",
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return 0
