"""``registry load|show|tree|history``: record fixture acts, and look at units on a date (through
the Reader, like every query)."""

from __future__ import annotations

import argparse
import json
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from registry.application.lookups import locate, organisations
from registry.cli import parse_date, parse_moment
from registry.domain.errors import NotFound
from registry.settings import Settings

if TYPE_CHECKING:
    from registry.application.reading import Reader, UnitView
    from registry.application.service import Registry

CLI_ACTOR = "cli"
RELATIONS = ("administrative", "party", "territory")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("load", parents=[common], help="record the acts in fixture files")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--actor", default=CLI_ACTOR, help="who records (default: cli)")
    p.set_defaults(handler=_load)

    for name, helptext, handler in (("show", "a unit holding a code on a date", _show),
                                    ("tree", "a unit and everything under it on a date", _tree)):
        p = sub.add_parser(name, parents=[common], help=helptext)
        p.add_argument("code", metavar="UNIT", help="a code, an id or an unambiguous name")
        p.add_argument("--at", type=parse_date, default=None, help="date (default: today)")
        p.add_argument("--level", help="province, district, commune, …")
        p.add_argument("--known-at", type=parse_moment, help="as the registry knew it then")
        p.add_argument("--json", action="store_true")
        if name == "tree":
            p.add_argument("--depth", type=int, default=None)
            p.add_argument("--relation", choices=RELATIONS, default=None,
                           help="the line to follow: administrative, party or territory "
                                "(default: each unit's own line)")
        p.set_defaults(handler=handler, without_registry=True)

    p = sub.add_parser("history", parents=[common], help="every unit that held a code, in full")
    p.add_argument("code", metavar="UNIT", help="a code (every unit that held it), an id or an "
                   "unambiguous name")
    p.add_argument("--level")
    p.add_argument("--known-at", type=parse_moment)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_history, without_registry=True)


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


def _reader(url: str) -> Reader:
    """A reader of the read models as they are (a query command never projects)."""
    from registry import bootstrap

    return bootstrap.question_reader(url)


def _show(settings: Settings, url: str, args: argparse.Namespace) -> int:
    on = args.at or date.today()
    reader = _reader(url)
    try:
        unit = locate(reader, args.code, (on,), args.known_at, "UNIT", args.level)
        parent = (reader.unit(unit.parent_id, on, args.known_at, superiors=False)
                  if unit.parent_id else None)
    finally:
        reader.close()
    out = {**unit.as_dict(), "parent_code": parent.code if parent else None,
           "parent_name": parent.name if parent else None}
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print(f"{out['name']} ({out['code'] or '—'})  {out['type']} · {out['level']} · {out['kind']}")
    print(f"  on        {on}")
    print(f"  id        {out['id']}")
    if parent is not None:
        print(f"  superior  {parent.name} ({parent.code or '—'})")
    print(f"  version   {span(out)}")
    if out.get("illustrative"):
        print("  note      illustrative: an example, real-shaped, not taken from a source")
    if out.get("superiors"):
        print("  superiors by relation")
        for s in out["superiors"]:
            print(f"    {s['relation']:<14} {s['name']} ({s['code'] or '—'})")
    return 0


def _tree(settings: Settings, url: str, args: argparse.Namespace) -> int:
    on = args.at or date.today()
    reader = _reader(url)
    try:
        root = locate(reader, args.code, (on,), args.known_at, "UNIT", args.level)
        out = reader.subtree(root.id, on, args.known_at, args.depth, args.relation)
    finally:
        reader.close()
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    _print_tree(out, 0)
    return 0


def _print_tree(node: dict[str, Any], indent: int) -> None:
    n = len(node["children"])
    count = f"  [{n}]" if n else ""
    mark = "  (illustrative)" if node.get("illustrative") else ""
    print(f"{'  ' * indent}{node['name']} ({node['code'] or '—'}){count}{mark}")
    for child in node["children"]:
        _print_tree(child, indent + 1)


def _history(settings: Settings, url: str, args: argparse.Namespace) -> int:
    reader = _reader(url)
    try:
        out = [reader.history(org, args.known_at).as_dict()
               for org in organisations(reader, args.code, args.level, args.known_at, "UNIT")]
        names = {u.id: u for h in out for u in _superiors(reader, h, args.known_at)}
    finally:
        reader.close()
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    for i, h in enumerate(out):
        if i:
            print()
        _print_history(h, names)
    return 0


def _superiors(reader: Reader, h: dict[str, Any], known_at: Any) -> list[UnitView]:
    found = []
    for v in h["versions"]:
        if v["parent_id"]:
            try:
                found.append(reader.unit(UUID(v["parent_id"]), date.fromisoformat(
                    v["valid_from"]), known_at, superiors=False))
            except NotFound:
                pass
    return found


def _print_history(h: dict[str, Any], superiors: dict[UUID, UnitView]) -> None:
    last = h["versions"][-1]
    print(f"{last['name']} ({last['code'] or '—'})  id {h['id']}")
    unknown = " (earlier history not recorded)" if h["history_before_unknown"] else ""
    ended = "still exists"
    if h["ended"]:
        last_day = date.fromisoformat(h["ended"]) - timedelta(days=1)
        ended = f"ended {h['ended']} (last day {last_day})"
    print(f"  began {h['began']}{unknown}; {ended}")
    for p in h["predecessors"]:
        print(f"  from  {p['unit']['name']} ({p['unit']['code']}) on {p['on']}: {p['change']}, "
              f"{p['edge']} — {_act_text(p)}")
    for v in h["versions"]:
        sup = superiors.get(UUID(v["parent_id"])) if v["parent_id"] else None
        under = f", under {sup.name} ({sup.code})" if sup else ""
        mark = "  (illustrative)" if v.get("illustrative") else ""
        print(f"  {span(v)}  {v['name']} ({v['code'] or '—'}) {v['type']}{under}{mark}")
    for e in h["events"]:
        void = "  [superseded]" if e["superseded"] else ""
        print(f"    #{e['version']} {e['on']} {e['kind']} — {_act_text(e)}{void}")
    for s in h["successors"]:
        print(f"  into  {s['unit']['name']} ({s['unit']['code']}) on {s['on']}: {s['change']}, "
              f"{s['edge']} — {_act_text(s)}")


def span(v: dict[str, Any]) -> str:
    """A version's days, a stand-in day said as one: "≈2025-03-01 (stand-in)"."""
    def day(key: str) -> str:
        value = v.get(key)
        if value is None:
            return "…"
        return f"≈{value} (stand-in)" if v.get(f"{key}_stand_in") else value
    return f"{day('valid_from')} → {day('valid_to')}"


def _act_text(item: dict[str, Any]) -> str:
    act = item["act"] or {}
    number = act.get("number") or f"unnumbered {act.get('kind', 'act')}"
    clause = f", {item['clause']}" if item.get("clause") else ""
    return number + clause
