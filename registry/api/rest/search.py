"""``/v1/search``: units by name or code, current and historical, ignoring case, diacritics and
tone-mark placement; each hit with the dates the unit carried that name and its superiors."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.api.responses import JSON
from registry.api.rest.params import Params, today, unit_ref
from registry.api.services import services

MAX_HITS = 100


def search(request: Request) -> Response:
    p = Params(request, ("q", "at", "known_at", "limit", "level", "within"))
    text = p.text("q", required=True)
    at = p.date("at")
    known_at = p.moment()
    limit = p.integer("limit", 20, 1, MAX_HITS)
    within = unit_ref(request, p.text("within"), (at or today(),), known_at)
    assert text is not None
    hits = services(request).reader.search(text, at, known_at, limit, p.text("level"), within, field="q")
    return JSON({"items": [h.as_dict() for h in hits]})


def routes() -> list[Route]:
    return [Route("/v1/search", search, methods=["GET"])]
