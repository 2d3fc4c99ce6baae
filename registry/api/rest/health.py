"""``/healthz`` (the process answers), ``/readyz`` (the database answers), ``/v1/ping`` (a
constant answer, the benchmarks' baseline)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.api import problems
from registry.api.responses import JSON
from registry.api.services import services

PONG = {"pong": True}


def healthz(request: Request) -> Response:
    return JSON({"status": "ok"})


def readyz(request: Request) -> Response:
    try:
        position = services(request).registry.log.last_id()
    except Exception as e:  # noqa: BLE001 (the driver's errors, whatever they are: not ready)
        return problems.response(problems.Kind(503, "not-ready", "Not ready", "UNAVAILABLE"),
                                 f"the database does not answer: {type(e).__name__}", request)
    return JSON({"status": "ready", "position": position})


async def ping(request: Request) -> Response:
    return JSON(PONG)


def routes() -> list[Route]:
    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/v1/ping", ping, methods=["GET"]),
    ]
