"""Pages as JSON with an RFC 8288 ``Link: <…>; rel="next"`` header naming the next page."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request

from registry.api.responses import JSON


def next_link(request: Request, name: str, value: str | int) -> str:
    """The address of this request with ``name`` set to ``value`` (relative: proxies keep it)."""
    query = [(k, v) for k, v in parse_qsl(request.scope["query_string"].decode("latin-1"),
                                          keep_blank_values=True) if k != name]
    query.append((name, str(value)))
    return f'<{request.url.path}?{urlencode(query)}>; rel="next"'


def page(request: Request, items: list[dict[str, Any]], nxt: str | None) -> JSON:
    headers = {"Link": next_link(request, "cursor", nxt)} if nxt is not None else None
    return JSON({"items": items, "next": nxt}, headers=headers)
