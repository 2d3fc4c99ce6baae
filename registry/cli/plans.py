"""``registry plan show|list``: what a plan foresaw, what is done and by which act, and what is
overdue on a date (ADR 0008: planned changes are never part of the structure)."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from registry.cli import parse_date, parse_moment
from registry.settings import Settings

MARK = {"planned": "·", "in_progress": "…", "done": "✓", "dropped": "✗"}


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    plan = sub.add_parser("plan", help="plans: their items, statuses, deadlines and acts")
    verbs = plan.add_subparsers(dest="verb", required=True, metavar="VERB")

    p = verbs.add_parser("show", parents=[common],
                         help="a plan's items on a date: status, deadline, lead, acts, overdue")
    p.add_argument("plan", metavar="ID_OR_NUMBER_OR_TITLE")
    p.add_argument("--at", type=parse_date, default=None, help="date (default: today)")
    p.add_argument("--known-at", type=parse_moment, help="as the registry knew it then")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_show, without_registry=True)

    p = verbs.add_parser("list", parents=[common], help="every plan, with its items' statuses")
    p.add_argument("--at", type=parse_date, default=None, help="date (default: today)")
    p.add_argument("--known-at", type=parse_moment, help="as the registry knew it then")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_list, without_registry=True)


def _show(settings: Settings, url: str, args: argparse.Namespace) -> int:
    from registry import bootstrap

    on = args.at or date.today()
    with bootstrap.question_reader(url) as reader:
        out = reader.plan(args.plan, on, args.known_at).as_dict()
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    act = out["act"]
    print(f"{act['number'] or 'unnumbered plan'}  {act['title'] or ''}".rstrip())
    effective = (f"≈{act['effective']} (stand-in)" if act.get("effective_stand_in")
                 else act["effective"])
    print(f"  effective {effective}; on {out['at']}: " + ", ".join(
        f"{n} {k.replace('_', ' ')}" for k, n in out["counts"].items() if n))
    rows = [("", "item", "status", "deadline", "lead", "acts")]
    for item in out["items"]:
        status = item["status"] or "not yet"
        if item["since"] and item["status"] != "planned":
            status += (f" ≈{item['since']}" if item.get("since_stand_in")
                       else f" {item['since']}")
        lead = item["lead"]["name"] or item["lead"]["id"] if item["lead"] else "—"
        acts = ", ".join(a["number"] or a["id"][:8] for a in item["acts"]) or "—"
        rows.append((MARK.get(item["status"] or "", " "), f"{item['id']} {item['title']}",
                     status + ("  OVERDUE" if item["overdue"] else ""),
                     item["deadline"] or "—", lead, acts))
    _table(rows)
    return 0


def _list(settings: Settings, url: str, args: argparse.Namespace) -> int:
    from registry import bootstrap

    on = args.at or date.today()
    with bootstrap.question_reader(url) as reader:
        out = [p.as_dict() for p in reader.plans(on, args.known_at, limit=1000).items]
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    rows = [("plan", "effective", "items", f"on {on}", "id")]
    for p in out:
        act = p["act"]
        counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in p["counts"].items() if n)
        rows.append((f"{act['number'] or '—'} {act['title'] or ''}".strip(), act["effective"],
                     str(p["items"]), counts, act["id"]))
    _table(rows)
    return 0


def _table(rows: list[tuple[str, ...]], width: int = 48) -> None:
    cut = [tuple(c if len(c) <= width else c[:width - 1] + "…" for c in r) for r in rows]
    sizes = [max(len(r[i]) for r in cut) for i in range(len(cut[0]))]
    for r in cut:
        print("  ".join(c.ljust(sizes[i]) for i, c in enumerate(r)).rstrip())
