"""``registry harmonize|which-date|common-geography|trajectory``: tables across reorganisations."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

from registry import bootstrap
from registry.application.analysis import dating, geography, trajectory
from registry.application.analysis.harmonize import RULES, Spec, harmonize
from registry.application.analysis.report import summary
from registry.application.reading import Reader
from registry.cli import parse_date, parse_moment
from registry.domain.errors import InvalidInput
from registry.settings import Settings


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = _command(sub, common, "harmonize", "carry a CSV table from one date's units to "
                 "another's", _harmonize)
    p.add_argument("file", help="CSV with a header row ('-' for stdin)")
    p.add_argument("--code-column", required=True)
    p.add_argument("--from", dest="from_date", type=parse_date, required=True,
                   help="the date the table's units are from")
    p.add_argument("--to", dest="to_date", type=parse_date, required=True,
                   help="the date whose units to carry it to (earlier or later)")
    p.add_argument("--level", help="default: the level most of the codes have")
    p.add_argument("--sum", type=_columns, default=(), help="columns to add up: COL[,COL…]")
    p.add_argument("--mean", type=_columns, default=(), help="columns to average: COL[,COL…]")
    p.add_argument("--weight", help="the weight of the means (and of --rule largest)")
    p.add_argument("--category", type=_columns, default=(), help="category columns")
    p.add_argument("--rule", choices=RULES, default="majority")
    p.add_argument("--output", type=Path, help="write the CSV here (default: stdout)")
    p.add_argument("--report", type=Path, help="write the full report here as JSON")

    p = _command(sub, common, "which-date", "the dates on which every code of a list existed",
                 _which_date)
    p.add_argument("file", help="CSV with a header row ('-' for stdin)")
    p.add_argument("--code-column", required=True)
    p.add_argument("--name-column")
    p.add_argument("--level")
    p.add_argument("--json", action="store_true")

    p = _command(sub, common, "common-geography", "groups of units of two dates that cover the "
                 "same territory", _common_geography)
    p.add_argument("--from", dest="from_date", type=parse_date, required=True)
    p.add_argument("--to", dest="to_date", type=parse_date, required=True)
    p.add_argument("--within", help="code of a unit (on either date): only groups under it")
    p.add_argument("--within-level", help="level of the --within code")
    p.add_argument("--level", default="commune", help="default: commune")
    p.add_argument("--json", action="store_true")

    p = _command(sub, common, "trajectory", "every unit that held a code, with all its "
                 "predecessors and successors", _trajectory)
    p.add_argument("code")
    p.add_argument("--level")
    p.add_argument("--format", choices=("csv", "json"), default="json")


def _command(sub: Any, common: argparse.ArgumentParser, name: str, helptext: str,
             handler: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(name, parents=[common], help=helptext)
    p.add_argument("--known-at", type=parse_moment, help="as the registry knew it then")
    p.set_defaults(handler=handler, without_registry=True)
    return p


def _columns(value: str) -> tuple[str, ...]:
    names = tuple(c.strip() for c in value.split(",") if c.strip())
    if not names:
        raise argparse.ArgumentTypeError("give one or more column names, comma-separated")
    return names


def _reader(url: str) -> Reader:
    """The whole index (a table touches every unit), the read models caught up first."""
    return bootstrap.build_reader(url)


def read_table(path: str) -> tuple[list[str], list[list[str]]]:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidInput(f"{path}: {e}", "file") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise InvalidInput(f"{path}: empty (a header row is needed)", "file")
    return [h.strip() for h in rows[0]], rows[1:]


def _column(header: list[str], name: str, option: str) -> int:
    if name not in header:
        raise InvalidInput(f"no column '{name}' (the columns are: {', '.join(header)[:300]})",
                           option)
    return header.index(name)


# -- handlers ----------------------------------------------------------------------------

def _harmonize(settings: Settings, url: str, args: argparse.Namespace) -> int:
    header, rows = read_table(args.file)
    spec = Spec(args.code_column, args.from_date, args.to_date, args.level, tuple(args.sum),
                tuple(args.mean), args.weight, tuple(args.category), args.rule, args.known_at)
    spec.check(header)
    result = harmonize(_reader(url).source.index(), header, rows, spec)
    out: TextIO
    with (args.output.open("w", encoding="utf-8", newline="") if args.output
          else _Stdout()) as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows(result.text_rows())
    if args.report:
        args.report.write_text(json.dumps(result.report, ensure_ascii=False, indent=2),
                               encoding="utf-8")
    for line in summary(result.report):
        print(line, file=sys.stderr)
    return 0


class _Stdout:
    def __enter__(self) -> TextIO:
        return sys.stdout

    def __exit__(self, *exc: object) -> None:
        sys.stdout.flush()


def _which_date(settings: Settings, url: str, args: argparse.Namespace) -> int:
    header, rows = read_table(args.file)
    ci = _column(header, args.code_column, "code-column")
    ni = _column(header, args.name_column, "name-column") if args.name_column else None
    codes = [r[ci] if ci < len(r) else "" for r in rows]
    names = [r[ni] if ni < len(r) else "" for r in rows] if ni is not None else None
    found = dating.which_date(_reader(url).source.index(), codes, names, args.level,
                              args.known_at)
    if args.json:
        print(json.dumps(found.as_dict(), ensure_ascii=False, indent=2))
        return 0
    if not found.ranges:
        print("no code of the list was ever held")
        return 0
    every = "every row" if not found.misfits else f"{found.fits} of {found.rows} rows"
    print(f"{every} held together on:")
    for (a, b), missing in zip(found.ranges, found.missing, strict=True):
        lacks = (f"the list lacks {missing} unit(s) of its levels that existed then" if missing
                 else "the list lacks no unit of its levels and areas")
        print(f"  {a} to {_last_day(b)}: {lacks}")
    for m in found.misfits:
        name = f" {m['name']}" if m.get("name") else ""
        print(f"  row {m['row']} ({m['code']}{name}): {m['why']}")
    return 0


def _last_day(end: date | None) -> str:
    return f"{end - timedelta(days=1)} (inclusive)" if end else "today and on"


def _common_geography(settings: Settings, url: str, args: argparse.Namespace) -> int:
    reader = _reader(url)
    within = None
    if args.within:
        within = _within(reader, args)
    groups = geography.common_geography(reader.source.index(), args.from_date, args.to_date,
                                        args.level, within, args.known_at)
    if args.json:
        print(json.dumps({"from": args.from_date.isoformat(), "to": args.to_date.isoformat(),
                          "level": args.level, "groups": [g.as_dict() for g in groups]},
                         ensure_ascii=False, indent=2))
        return 0
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["group", "side", "code", "name", "id"])
    for i, g in enumerate(groups, start=1):
        for side, units in (("from", g.from_units), ("to", g.to_units)):
            for v in units:
                writer.writerow([i, side, v.code or "", v.name, str(v.id)])
    return 0


def _within(reader: Reader, args: argparse.Namespace) -> Any:
    from registry.domain.errors import NotFound

    last: NotFound | None = None
    for on in (args.to_date, args.from_date):
        try:
            return reader.by_code(args.within, on, args.within_level, args.known_at).unit.id
        except NotFound as e:
            last = e
    assert last is not None
    raise last


def _trajectory(settings: Settings, url: str, args: argparse.Namespace) -> int:
    holders = trajectory.trajectory(_reader(url), args.code, args.level, args.known_at)
    if args.format == "json":
        print(json.dumps({"code": args.code, "holders": [h.as_dict() for h in holders]},
                         ensure_ascii=False, indent=2))
        return 0
    writer = csv.DictWriter(sys.stdout, trajectory.CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(trajectory.csv_rows(holders))
    return 0
