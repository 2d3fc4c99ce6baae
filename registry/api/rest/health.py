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


NOT_READY = problems.Kind(503, "not-ready", "Not ready", "UNAVAILABLE")


def readyz(request: Request) -> Response:
    """Ready when the database answers and the read models follow the log; 503 when they are
    stuck on an event (with the position answers come from, the event and the reason)."""
    found = services(request)
    try:
        head = found.registry.log.last_id()
    except Exception as e:  # noqa: BLE001 (the driver's errors, whatever they are: not ready)
        return problems.response(NOT_READY, f"the database does not answer: {type(e).__name__}",
                                 request)
    state = found.reader.state()
    position, failure = state["position"], state["failure"]
    lag = max(head - position, 0)
    if failure is not None:
        return problems.response(
            NOT_READY, f"the read models are stuck at position {failure['position']}: event "
            f"{failure['event']} ({failure['what']}) cannot be projected: {failure['reason']}",
            request, position=position, head=head, lag=lag, event=failure["event"],
            reason=failure["reason"])
    return JSON({"status": "ready", "position": position, "head": head, "lag": lag})


async def ping(request: Request) -> Response:
    return JSON(PONG)


def routes() -> list[Route]:
    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/v1/ping", ping, methods=["GET"]),
    ]
