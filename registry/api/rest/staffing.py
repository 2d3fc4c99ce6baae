"""``/v1/units/{id}/staffing``, ``/v1/units/{id}/functions`` and ``/v1/functions``: staffing
figures against their targets, and who held a function on a date. Both read their own read-model
tables (current knowledge), so they run in the thread pool."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.api.responses import JSON
from registry.api.rest.params import Params
from registry.api.services import services
from registry.domain.model import MEASURES


def staffing(request: Request) -> Response:
    p = Params(request, ("from", "to", "measure", "category"))
    unit_id = p.path_uuid()
    start, end = p.date("from", required=True), p.date("to", required=True)
    measure = p.choice("measure", MEASURES, "quota")
    assert start is not None and end is not None
    report = services(request).reader.staffing(unit_id, start, end, measure, p.text("category"))
    return JSON(report.as_dict())


def unit_functions(request: Request) -> Response:
    p = Params(request, ("at",))
    unit_id, at = p.path_uuid(), p.at()
    held = services(request).reader.functions(unit_id, at)
    return JSON({"items": [h.as_dict() for h in held]})


def function_holders(request: Request) -> Response:
    p = Params(request, ("name", "at"))
    name, at = p.text("name", required=True), p.at()
    assert name is not None
    held = services(request).reader.function_holders(name, at)
    return JSON({"items": [h.as_dict() for h in held]})


def routes() -> list[Route]:
    return [
        Route("/v1/units/{id}/staffing", staffing, methods=["GET"]),
        Route("/v1/units/{id}/functions", unit_functions, methods=["GET"]),
        Route("/v1/functions", function_holders, methods=["GET"]),
    ]
