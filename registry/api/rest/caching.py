"""ETags for answers that cannot change: a past date, no ``known_at``, nothing recorded since.

The tag is the recording time of the newest event and a checksum of the request's path and query,
so recording anything (a backfill may change the past) gives every such answer a new tag.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import date

from starlette.requests import Request
from starlette.responses import Response

from registry.api.rest.params import today
from registry.api.services import services

CACHE_CONTROL = "public, no-cache"  # cacheable, but revalidated: a backfill may change the past
CACHE_CONTROL_BYTES = CACHE_CONTROL.encode()


def frozen_tag(request: Request, dates: list[date], known_at: object,
               variant: str = "") -> str | None:
    """``variant`` tells apart answers to one address in different media types."""
    if known_at is not None or not dates or max(dates) >= today():
        return None
    last = services(request).reader.last_change()
    stamp = int(last.timestamp() * 1_000_000) if last else 0
    scope = request.scope
    where = zlib.crc32(scope["query_string"], zlib.crc32((scope["path"] + variant).encode()))
    return f'"{stamp:x}-{where:08x}"'


def conditional(request: Request, tag: str | None, build: Callable[[], Response]) -> Response:
    if tag is None:
        return build()
    wanted = request.headers.get("if-none-match")
    if wanted is not None and (tag in wanted or wanted.strip() == "*"):
        candidates = {t.strip().removeprefix("W/") for t in wanted.split(",")}
        if tag in candidates or "*" in candidates:
            return Response(status_code=304,
                            headers={"ETag": tag, "Cache-Control": CACHE_CONTROL})
    response = build()
    response.raw_headers += [(b"etag", tag.encode()), (b"cache-control", CACHE_CONTROL_BYTES)]
    return response
