"""``/v1/plans``: what each plan foresaw, what is done and by which act, what is overdue on a
date (ADR 0008). A plan is named by its act's id, number or title; numbers hold slashes
(``12/KH-UBND``), so the path's last segment takes them whole (``/`` escaped or not)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.api.responses import JSON
from registry.api.rest.caching import conditional, frozen_tag
from registry.api.rest.paging import page as page_response
from registry.api.rest.params import Params
from registry.api.rest.units import MAX_LIMIT
from registry.api.services import services


def list_plans(request: Request) -> Response:
    p = Params(request, ("at", "known_at", "limit", "cursor"))
    at, known_at = p.at(), p.moment()
    limit, cursor = p.integer("limit", 100, 1, MAX_LIMIT), p.text("cursor")

    def build() -> Response:
        page = services(request).reader.plans(at, known_at, limit, cursor)
        return page_response(request, [i.as_dict() for i in page.items], page.next)

    return conditional(request, frozen_tag(request, [at], known_at), build)


def get_plan(request: Request) -> Response:
    p = Params(request, ("at", "known_at"))
    ref, at, known_at = p.path_text("id"), p.at(), p.moment()

    def build() -> Response:
        return JSON(services(request).reader.plan(ref, at, known_at).as_dict())

    return conditional(request, frozen_tag(request, [at], known_at), build)


def routes() -> list[Route]:
    one = Route("/v1/plans/{id:path}", get_plan, methods=["GET"])
    one.path = "/v1/plans/{id}"  # as documented; it matches numbers with slashes too
    return [Route("/v1/plans", list_plans, methods=["GET"]), one]
