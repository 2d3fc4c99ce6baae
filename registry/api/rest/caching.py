"""ETags for answers that cannot change: a past date, no ``known_at``, nothing recorded since.

The tag is a hash of the request's path and query and of the recording time of the newest event,
so recording anything (a backfill may change the past) gives every such answer a new tag.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date

from starlette.requests import Request
from starlette.responses import Response

from registry.api.rest.params import today
from registry.api.services import services

CACHE_CONTROL = "public, no-cache"  # cacheable, but revalidated: a backfill may change the past


def frozen_tag(request: Request, dates: list[date], known_at: object) -> str | None:
    if known_at is not None or not dates or any(d >= today() for d in dates):
        return None
    last = services(request).reader.last_change()
    raw = "|".join((request.url.path, str(sorted(request.query_params.multi_items())),
                    last.isoformat() if last else "-"))
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


def conditional(request: Request, tag: str | None, build: Callable[[], Response]) -> Response:
    if tag is None:
        return build()
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL}
    wanted = request.headers.get("if-none-match")
    if wanted is not None:
        candidates = {t.strip().removeprefix("W/") for t in wanted.split(",")}
        if tag in candidates or "*" in candidates:
            return Response(status_code=304, headers=headers)
    response = build()
    response.headers.update(headers)
    return response
