"""``/v1/crosswalk``: where a code of one date went by another date (or came from)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.api.responses import JSON
from registry.api.rest.caching import conditional, frozen_tag
from registry.api.rest.params import Params
from registry.api.services import services


def crosswalk(request: Request) -> Response:
    p = Params(request, ("code", "level", "from", "to", "known_at"))
    code, level = p.text("code", required=True), p.text("level")
    start, end, known_at = p.date("from", required=True), p.date("to", required=True), p.moment()
    assert code is not None and start is not None and end is not None

    def build() -> Response:
        items = services(request).reader.crosswalk(code, level, start, end, known_at)
        return JSON({"items": [i.as_dict() for i in items]})

    return conditional(request, frozen_tag(request, [start, end], known_at), build)


def routes() -> list[Route]:
    return [Route("/v1/crosswalk", crosswalk, methods=["GET"])]
