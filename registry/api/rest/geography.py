"""``/v1/common-geography``: groups of units of two dates that cover the same territory."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.api.responses import JSON
from registry.api.rest.caching import conditional, frozen_tag
from registry.api.rest.params import Params, unit_ref
from registry.api.services import services
from registry.application.analysis.geography import common_geography
from registry.domain.errors import NotFound


def geography(request: Request) -> Response:
    p = Params(request, ("from", "to", "level", "within", "known_at"))
    start, end = p.date("from", required=True), p.date("to", required=True)
    level, known_at = p.text("level") or "commune", p.moment()
    assert start is not None and end is not None
    within = unit_ref(request, p.text("within"), (start, end), known_at)

    def build() -> Response:
        idx = services(request).reader.source.index()
        if within is not None and not any(idx.version(within, on, known_at) is not None
                                          for on in (start, end)):
            raise NotFound(f"organisation {within} exists on neither {start} nor {end}")
        groups = common_geography(idx, start, end, level, within, known_at)
        return JSON({"from": start.isoformat(), "to": end.isoformat(), "level": level,
                     "groups": [g.as_dict() for g in groups]})

    return conditional(request, frozen_tag(request, [start, end], known_at), build)


def routes() -> list[Route]:
    return [Route("/v1/common-geography", geography, methods=["GET"])]
