"""``/v1/units``: units on a date, one unit, its children, its history and its lineage.

One unit and a unit's children come from the reader's in-process index (microseconds, no I/O on
the request's path), so those endpoints are ``async`` and call it inline: a hop to the thread pool
would cost ten times the lookup. Lists that filter or sort every unit, history and lineage (which
read the change list from the database) run in the thread pool.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.api.responses import JSON
from registry.api.rest.caching import conditional, frozen_tag
from registry.api.rest.paging import page as page_response
from registry.api.rest.params import Params
from registry.api.services import services

MAX_LIMIT = 1000
MAX_DEPTH = 100
DIRECTIONS = ("predecessors", "successors")
RELATIONS = ("administrative", "party", "territory")


def _relation(p: Params) -> str | None:
    """``relation``: administrative, party or territory; absent, the unit's own line."""
    return p.choice("relation", RELATIONS, "") if p.text("relation") is not None else None


def list_units(request: Request) -> Response:
    p = Params(request, ("at", "known_at", "parent", "relation", "level", "kind", "type", "q",
                         "limit", "cursor"))
    at, known_at = p.at(), p.moment()
    kwargs = {"known_at": known_at, "parent": p.uuid("parent"), "relation": _relation(p),
              "level": p.text("level"),
              "kind": p.text("kind"), "type": p.text("type"), "q": p.text("q"),
              "limit": p.integer("limit", 100, 1, MAX_LIMIT), "cursor": p.text("cursor")}

    def build() -> Response:
        page = services(request).reader.units(at, **kwargs)
        return page_response(request, [u.as_dict() for u in page.items], page.next)

    return conditional(request, frozen_tag(request, [at], known_at), build)


async def get_unit(request: Request) -> Response:
    p = Params(request, ("at", "known_at"))
    unit_id, at, known_at = p.path_uuid(), p.at(), p.moment()

    def build() -> Response:
        return JSON(services(request).reader.unit(unit_id, at, known_at).as_dict())

    return conditional(request, frozen_tag(request, [at], known_at), build)


async def children(request: Request) -> Response:
    p = Params(request, ("at", "known_at", "relation", "limit", "cursor"))
    unit_id, at, known_at, relation = p.path_uuid(), p.at(), p.moment(), _relation(p)
    limit, cursor = p.integer("limit", 100, 1, MAX_LIMIT), p.text("cursor")

    def build() -> Response:
        page = services(request).reader.children(unit_id, at, known_at, limit=limit,
                                                 cursor=cursor, relation=relation)
        return page_response(request, [u.as_dict() for u in page.items], page.next)

    return conditional(request, frozen_tag(request, [at], known_at), build)


async def ancestors(request: Request) -> Response:
    p = Params(request, ("at", "known_at", "relation"))
    unit_id, at, known_at, relation = p.path_uuid(), p.at(), p.moment(), _relation(p)

    def build() -> Response:
        units = services(request).reader.ancestors(unit_id, at, known_at, relation)
        return JSON({"items": [u.as_dict() for u in units]})

    return conditional(request, frozen_tag(request, [at], known_at), build)


def history(request: Request) -> Response:
    p = Params(request, ("known_at",))
    unit_id, known_at = p.path_uuid(), p.moment()
    return JSON(services(request).reader.history(unit_id, known_at).as_dict())


def lineage(request: Request) -> Response:
    p = Params(request, ("direction", "depth", "known_at"))
    unit_id = p.path_uuid()
    direction = p.choice("direction", DIRECTIONS, "predecessors")
    depth = p.integer("depth", 1, 0, MAX_DEPTH)  # 0: follow every step
    steps = services(request).reader.lineage(unit_id, direction, depth or None, p.moment())
    return JSON({"items": [s.as_dict() for s in steps]})


def routes() -> list[Route]:
    return [
        Route("/v1/units", list_units, methods=["GET"]),
        Route("/v1/units/{id}", get_unit, methods=["GET"]),
        Route("/v1/units/{id}/children", children, methods=["GET"]),
        Route("/v1/units/{id}/ancestors", ancestors, methods=["GET"]),
        Route("/v1/units/{id}/history", history, methods=["GET"]),
        Route("/v1/units/{id}/lineage", lineage, methods=["GET"]),
    ]
