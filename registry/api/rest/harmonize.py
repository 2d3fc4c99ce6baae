"""``POST /v1/harmonize``: a table of one date's units carried to another date's units.

The table is the body: CSV (``text/csv``, a header row) or JSON (``{"rows": [{column: value}]}``);
what to do with it is in the query (as the CLI's options). The answer is CSV (the default for a
CSV body) or JSON with the report (the default for a JSON body; ``format=`` chooses).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.api.responses import JSON
from registry.api.rest.params import Params
from registry.api.services import services
from registry.application.analysis.harmonize import RULES, Harmonized, Spec, harmonize
from registry.domain.errors import InvalidInput

PARAMS = ("from", "to", "code_column", "level", "sum", "mean", "weight", "category", "rule",
          "known_at", "format")
CSV_TYPES = ("text/csv",)
JSON_TYPES = ("application/json",)
SCALARS = (str, int, float, bool, type(None))


async def harmonize_table(request: Request) -> Response:
    p = Params(request, PARAMS)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in CSV_TYPES + JSON_TYPES:
        raise HTTPException(415, "send the table as text/csv or application/json")
    column = p.text("code_column", required=True)
    start, end = p.date("from", required=True), p.date("to", required=True)
    assert column is not None and start is not None and end is not None
    spec = Spec(column, start, end, p.text("level"), _names(p, "sum"), _names(p, "mean"),
                p.text("weight"), _names(p, "category"), p.choice("rule", RULES, "majority"),
                p.moment())
    form = p.choice("format", ("csv", "json"), "csv" if media in CSV_TYPES else "json")
    header, rows = parse_table(media, await request.body())
    result = await run_in_threadpool(
        lambda: harmonize(services(request).reader.source.index(), header, rows, spec))
    if form == "json":
        return JSON({"columns": result.columns,
                     "rows": [dict(zip(result.columns, r, strict=True)) for r in result.rows],
                     "report": result.report})
    return Response(_csv(result), media_type="text/csv; charset=utf-8")


def _names(p: Params, name: str) -> tuple[str, ...]:
    value = p.text(name)
    return tuple(c.strip() for c in value.split(",") if c.strip()) if value else ()


def parse_table(media: str, raw: bytes) -> tuple[list[str], list[list[Any]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("the body is not UTF-8", "body") from None
    if media in CSV_TYPES:
        try:
            rows = list(csv.reader(io.StringIO(text)))
        except csv.Error as e:
            raise InvalidInput(f"not valid CSV: {e}", "body") from None
        if not rows:
            raise InvalidInput("empty: a header row is needed", "body")
        return [h.strip() for h in rows[0]], rows[1:]
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidInput(f"not valid JSON: {e}", "body") from None
    if not isinstance(document, dict) or not isinstance(document.get("rows"), list):
        raise InvalidInput('send {"rows": [{"column": value, …}, …]}', "rows")
    header: dict[str, None] = {}
    for i, row in enumerate(document["rows"]):
        if not isinstance(row, dict) or not all(isinstance(v, SCALARS) for v in row.values()):
            raise InvalidInput(f"row {i + 1}: an object of strings, numbers or nulls", "rows")
        header.update(dict.fromkeys(row))
    columns = list(header)
    return columns, [[row.get(c) for c in columns] for row in document["rows"]]


def _csv(result: Harmonized) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows(result.text_rows())
    return out.getvalue()


def routes() -> list[Route]:
    return [Route("/v1/harmonize", harmonize_table, methods=["POST"])]
