"""``registry load|show|tree|history``: record fixture acts, and look at units on a date."""

from __future__ import annotations

import argparse
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from registry import bootstrap
from registry.application import queries
from registry.application.service import Registry
from registry.cli import parse_date, parse_moment
from registry.domain.errors import NotFound
from registry.settings import Settings

CLI_ACTOR = "cli"


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("load", parents=[common], help="record the acts in fixture files")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--actor", default=CLI_ACTOR, help="who records (default: cli)")
    p.set_defaults(handler=_load)

    for name, helptext, handler in (("show", "a unit holding a code on a date", _show),
                                    ("tree", "a unit and everything under it on a date", _tree)):
        p = sub.add_parser(name, parents=[common], help=helptext)
        p.add_argument("code")
        p.add_argument("--at", type=parse_date, default=None, help="date (default: today)")
        p.add_argument("--level", help="province, district, commune, …")
        p.add_argument("--known-at", type=parse_moment, help="as the registry knew it then")
        p.add_argument("--json", action="store_true")
        if name == "tree":
            p.add_argument("--depth", type=int, default=None)
        p.set_defaults(handler=handler)

    p = sub.add_parser("history", parents=[common], help="every unit that held a code, in full")
    p.add_argument("code")
    p.add_argument("--level")
    p.add_argument("--known-at", type=parse_moment)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_history)


def _load(registry: Registry, args: argparse.Namespace) -> int:
    from registry.importers.fixtures import load

    def progress(act: Any, result: Any) -> None:
        state = "recorded" if result.created else "already recorded"
        print(f"{act.path}: {state} ({result.events} events)")

    with registry.batch():  # the read models catch up once, after the last act
        results = load(registry, args.paths, args.actor, progress)
    new = sum(r.created for r in results)
    print(f"{len(results)} acts: {new} recorded, {len(results) - new} already there")
    return 0


def _show(registry: Registry, args: argparse.Namespace) -> int:
    on = args.at or date.today()
    with registry.reading(args.known_at) as tl:
        v = _held(tl, args, on)
        out = queries.describe(tl, v, on)
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print(f"{out['name']} ({out['code']})  {out['type']} · {out['level']} · {out['kind']}")
    print(f"  on        {on}")
    print(f"  id        {out['id']}")
    if out["parent_id"]:
        print(f"  superior  {out['parent_name']} ({out['parent_code']})")
    print(f"  version   {out['valid_from']} → {out['valid_to'] or '…'}")
    return 0


def _held(tl: Any, args: argparse.Namespace, on: date) -> Any:
    """The unit holding the code; if none does, the read side says what became of the code
    (its last holder's fate, or near codes), as the REST API does."""
    try:
        return queries.by_code(tl, args.code, on, args.level)
    except NotFound:
        url = args.database or Settings.from_env().database_url
        bootstrap.build_reader(url, max_lag=float("inf")).by_code(
            args.code, on, args.level, args.known_at)
        raise


def _tree(registry: Registry, args: argparse.Namespace) -> int:
    on = args.at or date.today()
    with registry.reading(args.known_at) as tl:
        root = _held(tl, args, on)
        out = queries.tree(tl, root, on, args.depth)
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    _print_tree(out, 0)
    return 0


def _print_tree(node: dict[str, Any], indent: int) -> None:
    n = len(node["children"])
    count = f"  [{n}]" if n else ""
    print(f"{'  ' * indent}{node['name']} ({node['code'] or '—'}){count}")
    for child in node["children"]:
        _print_tree(child, indent + 1)


def _history(registry: Registry, args: argparse.Namespace) -> int:
    with registry.reading(args.known_at) as tl:
        out = [queries.history(tl, org) for org in queries.holders(tl, args.code, args.level)]
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    for i, h in enumerate(out):
        if i:
            print()
        _print_history(h)
    return 0


def _print_history(h: dict[str, Any]) -> None:
    last = h["versions"][-1]
    print(f"{last['name']} ({last['code']})  id {h['id']}")
    unknown = " (earlier history not recorded)" if h["history_before_unknown"] else ""
    ended = "still exists"
    if h["ended"]:
        last_day = date.fromisoformat(h["ended"]) - timedelta(days=1)
        ended = f"ended {h['ended']} (last day {last_day})"
    print(f"  began {h['began']}{unknown}; {ended}")
    for p in h["predecessors"]:
        print(f"  from  {p['name']} ({p['code']}) on {p['on']}: {p['change']}, {p['edge']}"
              f" — {_act_text(p)}")
    for v in h["versions"]:
        sup = f", under {v['parent_name']} ({v['parent_code']})" if v["parent_id"] else ""
        print(f"  {v['valid_from']} → {v['valid_to'] or '…'}  {v['name']} ({v['code']}) "
              f"{v['type']}{sup}")
    for e in h["events"]:
        void = "  [superseded]" if e["superseded"] else ""
        print(f"    #{e['version']} {e['on']} {e['kind']} — {_act_text(e)}{void}")
    for s in h["successors"]:
        print(f"  into  {s['name']} ({s['code']}) on {s['on']}: {s['change']}, {s['edge']}"
              f" — {_act_text(s)}")


def _act_text(item: dict[str, Any]) -> str:
    act = item["act"]
    number = act.get("number") or f"unnumbered {act.get('kind', 'act')}"
    clause = f", {item['clause']}" if item.get("clause") else ""
    return number + clause


