"""``/v1/changes``: what changed between two dates, optionally within one unit."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.api.rest.caching import conditional, frozen_tag
from registry.api.rest.paging import page as page_response
from registry.api.rest.params import Params, unit_ref
from registry.api.rest.units import MAX_LIMIT
from registry.api.services import services


def changes(request: Request) -> Response:
    p = Params(request, ("from", "to", "within", "known_at", "limit", "cursor"))
    start, end = p.date("from", required=True), p.date("to", required=True)
    assert start is not None and end is not None
    known_at = p.moment()
    within = unit_ref(request, p.text("within"), (end, start), known_at)
    limit, cursor = p.integer("limit", 100, 1, MAX_LIMIT), p.text("cursor")

    def build() -> Response:
        page = services(request).reader.changes(start, end, within, known_at, limit=limit,
                                                cursor=cursor)
        return page_response(request, [c.as_dict() for c in page.items], page.next)

    return conditional(request, frozen_tag(request, [start, end], known_at), build)


def routes() -> list[Route]:
    return [Route("/v1/changes", changes, methods=["GET"])]
