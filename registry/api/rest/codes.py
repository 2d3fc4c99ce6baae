"""``/v1/codes/{code}``: the unit holding an official code on a date (from the in-process index,
inline: see ``units``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.api.responses import JSON
from registry.api.rest.caching import conditional, frozen_tag
from registry.api.rest.params import Params
from registry.api.services import services


async def by_code(request: Request) -> Response:
    p = Params(request, ("at", "level", "known_at"))
    code, at, level, known_at = p.path_text("code"), p.at(), p.text("level"), p.moment()

    def build() -> Response:
        match = services(request).reader.by_code(code, at, level, known_at)
        return JSON({**match.unit.as_dict(), "warnings": list(match.warnings),
                     "meanings": list(match.meanings)})

    return conditional(request, frozen_tag(request, [at], known_at), build)


def routes() -> list[Route]:
    return [Route("/v1/codes/{code}", by_code, methods=["GET"])]
