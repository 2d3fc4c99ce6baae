"""``/v1/feed``: the change feed, a cursor over the ordered event log that a follower resumes;
``/v1/log/head``: the position and hash another system pins to prove later the log unchanged."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.api.responses import JSON
from registry.api.rest.params import Params
from registry.api.services import services

MAX_FEED = 1000


def feed(request: Request) -> Response:
    p = Params(request, ("after", "limit"))
    after = p.integer("after", 0, 0, 2**62)
    page = services(request).reader.feed(after, p.integer("limit", 100, 1, MAX_FEED))
    return JSON({"items": [i.as_dict() for i in page.items], "next": page.next})


def head(request: Request) -> Response:
    Params(request, ())
    return JSON(services(request).reader.head())


def routes() -> list[Route]:
    return [Route("/v1/feed", feed, methods=["GET"]),
            Route("/v1/log/head", head, methods=["GET"])]
