"""``registry staffing|function``: staffing figures against their targets, and who held a
function on a date (through the Reader, like every query)."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from registry import bootstrap
from registry.application.lookups import unit_ref
from registry.cli import parse_date
from registry.domain.model import MEASURES
from registry.settings import Settings


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("staffing", parents=[common],
                       help="a subtree's staffing on two dates, lineage-aware, against targets")
    p.add_argument("unit", metavar="UNIT", help="a code held on --to (or --from), an id or an "
                   "unambiguous name")
    p.add_argument("--from", dest="from_date", type=parse_date, required=True)
    p.add_argument("--to", dest="to_date", type=parse_date, required=True)
    p.add_argument("--measure", choices=MEASURES, default="quota",
                   help="quota (biên chế được giao, the default) or in_post")
    p.add_argument("--category", help="only figures of this category (default: the totals)")
    p.add_argument("--level", help="the level of the code, if several levels use it")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_staffing, without_registry=True)

    p = sub.add_parser("function", help="who held a function on a date", parents=[common])
    p.add_argument("function", help="the function's name (case and tone-mark placement ignored)")
    p.add_argument("--at", type=parse_date, default=None, help="date (default: today)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_function, without_registry=True)


def _staffing(settings: Settings, url: str, args: argparse.Namespace) -> int:
    with bootstrap.question_reader(url) as reader:
        org = unit_ref(reader, args.unit, (args.to_date, args.from_date), None, "unit",
                       args.level)
        report = reader.staffing(org, args.from_date, args.to_date, args.measure,
                                 args.category).as_dict()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    _print_report(report)
    return 0


def _n(value: Any) -> str:
    return "—" if value is None else f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def _print_report(r: dict[str, Any]) -> None:
    unit = r["unit"]
    what = r["measure"] + (f" ({r['category']})" if r["category"] else "")
    print(f"{unit['name']} ({unit['code'] or unit['id']})  {what}  {r['from']} → {r['to']}")
    width = max([len(ln["unit"]["name"]) for ln in r["lines"]] + [10])
    for ln in r["lines"]:
        mark = " ~" if ln["estimate"] else ""
        parts = ""
        if ln["status"] == "new" or len(ln["baseline"]) > 1:
            parts = "  from " + " + ".join(
                p["name"] + (f" ×{p['factor']:g}" if p["factor"] != 1 else "")
                for p in ln["baseline"])
        print(f"  {ln['unit']['name']:<{width}}  {_n(ln['from']):>8}{mark} → {_n(ln['to']):>8}"
              f"  {ln['status']}{parts}")
    t = r["totals"]
    pct = f" ({t['change_percent']:+g}%)" if t["change_percent"] is not None else ""
    est = " (an estimate)" if t["estimate"] else ""
    print(f"  {'total':<{width}}  {_n(t['from']):>8} → {_n(t['to']):>8}  change "
          f"{_n(t['change'])}{pct}{est}")
    for target in r["targets"]:
        goal = (f"{target['change_percent']:+g}%" if target["change_percent"] is not None
                else "no number")
        act = (target["act"] or {}).get("number") or "unnumbered act"
        notes = "; ".join(target["notes"])
        print(f"  target {goal} ({target['description']}; {act}): {target['status']}"
              + (f" — {notes}" if notes else ""))
    for m in r["missing"]:
        print(f"  missing: no figure for {m['name']} ({m['id']}) on {m['on']}")
    if r["unreported"]:
        print(f"  no figures at all: {', '.join(u['name'] for u in r['unreported'])}")
    for note in r["notes"]:
        print(f"  note: {note}")


def _function(settings: Settings, url: str, args: argparse.Namespace) -> int:
    on = args.at or date.today()
    with bootstrap.question_reader(url) as reader:
        holders = [h.as_dict() for h in reader.function_holders(args.function, on)]
    if args.json:
        print(json.dumps(holders, ensure_ascii=False, indent=2))
        return 0
    if not holders:
        print(f"nobody held '{args.function}' on {on}")
        return 0
    for h in holders:
        act = (h["act"] or {}).get("number") or "unnumbered act"
        until = f" until {h['until']}" if h["until"] else ""
        since = h["since"]
        if (h["act"] or {}).get("effective_stand_in") and h["act"].get("effective") == since:
            since = f"≈{since} (stand-in)"
        print(f"{h['name']}  id {h['id']}  since {since}{until} — {act}"
              + (f", {h['clause']}" if h["clause"] else ""))
    return 0
