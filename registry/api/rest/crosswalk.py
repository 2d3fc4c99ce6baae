"""``/v1/crosswalk``: where a code of one date went by another date (or came from); ``POST``
converts many codes at once (JSON ``{"codes": [...]}`` or CSV with a ``code`` column), one row
per old code and covering unit."""

from __future__ import annotations

import csv
import io
import json

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.api.responses import JSON
from registry.api.rest.caching import conditional, frozen_tag
from registry.api.rest.params import Params
from registry.api.rest.snapshot import CSV_MEDIA, negotiated
from registry.api.services import services
from registry.application.lookups import BULK_COLUMNS, MAX_BULK, bulk_crosswalk
from registry.domain.errors import InvalidInput


async def crosswalk(request: Request) -> Response:
    if request.method == "POST":
        return await bulk(request)
    return await run_in_threadpool(one, request)


def one(request: Request) -> Response:
    p = Params(request, ("code", "level", "from", "to", "known_at"))
    code, level = p.text("code", required=True), p.text("level")
    start, end, known_at = p.date("from", required=True), p.date("to", required=True), p.moment()
    assert code is not None and start is not None and end is not None

    def build() -> Response:
        items = services(request).reader.crosswalk(code, level, start, end, known_at)
        return JSON({"items": [i.as_dict() for i in items]})

    return conditional(request, frozen_tag(request, [start, end], known_at), build)


async def bulk(request: Request) -> Response:
    p = Params(request, ("level", "from", "to", "known_at"))
    level = p.text("level")
    start, end, known_at = p.date("from", required=True), p.date("to", required=True), p.moment()
    assert start is not None and end is not None
    codes = parse_codes(request.headers.get("content-type", ""), await request.body())
    reader = services(request).reader
    rows = await run_in_threadpool(bulk_crosswalk, reader, codes, level, start, end, known_at)
    if negotiated(request) == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, BULK_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return Response(out.getvalue(), media_type=CSV_MEDIA, headers={"Vary": "Accept"})
    return JSON({"items": rows}, headers={"Vary": "Accept"})


def parse_codes(content_type: str, raw: bytes) -> list[str]:
    media = content_type.split(";")[0].strip().lower()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("not UTF-8", "body") from None
    if media == "application/json":
        try:
            body = json.loads(text)
        except json.JSONDecodeError as e:
            raise InvalidInput(f"not valid JSON: {e}", "body") from None
        if not isinstance(body, dict) or set(body) != {"codes"}:
            raise InvalidInput('an object with one member, "codes"', "body")
        codes = body["codes"]
        if not isinstance(codes, list) or not all(isinstance(c, str) and c for c in codes):
            raise InvalidInput("a list of non-empty strings", "codes")
        if not codes:
            raise InvalidInput("give at least one code", "codes")
    elif media == "text/csv":
        try:
            rows = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as e:
            raise InvalidInput(f"not valid CSV: {e}", "body") from None
        if not rows or "code" not in rows[0]:
            raise InvalidInput('CSV with a header line naming a "code" column', "body")
        column = rows[0].index("code")
        codes = [r[column].strip() for r in rows[1:] if len(r) > column and r[column].strip()]
    else:
        raise HTTPException(415, "send the codes as application/json or text/csv")
    if len(codes) > MAX_BULK:
        raise InvalidInput(f"at most {MAX_BULK:,} codes at once (got {len(codes):,})", "codes")
    if any(len(c) > 200 for c in codes):
        raise InvalidInput("each code at most 200 characters", "codes")
    return codes


def routes() -> list[Route]:
    return [Route("/v1/crosswalk", crosswalk, methods=["GET", "POST"])]
