"""``/v1/acts``: legal acts as recorded, and recording a new one (recorder token required)."""

from __future__ import annotations

import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.api.responses import JSON
from registry.api.rest.paging import page as page_response
from registry.api.rest.params import Params
from registry.api.rest.units import MAX_LIMIT
from registry.api.services import recorder, services
from registry.application.documents import read_document
from registry.domain.errors import InvalidInput

JSON_TYPES = ("application/json",)
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")
MAX_KEY = 200
KEY = re.compile(rf"^[!-~]{{1,{MAX_KEY}}}$")


async def acts(request: Request) -> Response:
    if request.method == "POST":
        return await record(request)
    return await run_in_threadpool(list_acts, request)


def list_acts(request: Request) -> Response:
    p = Params(request, ("limit", "cursor"))
    page = services(request).reader.acts(limit=p.integer("limit", 100, 1, MAX_LIMIT),
                                         cursor=p.text("cursor"))
    return page_response(request, [a.as_dict() for a in page.items], page.next)


def get_act(request: Request) -> Response:
    p = Params(request, ())
    return JSON(services(request).reader.act(p.path_uuid()).as_dict())


async def record(request: Request) -> Response:
    Params(request, ())
    token = await run_in_threadpool(recorder, request)
    key = idempotency_key(request)
    document = parse_body(request.headers.get("content-type", ""), await request.body())
    registry = services(request).registry
    result = await run_in_threadpool(registry.record, document, token.actor, key)
    body = {"act_id": str(result.act_id), "created": result.created, "events": result.events,
            "organisations": result.organisations}
    return JSON(body, status_code=201 if result.created else 200,
                        headers={"Location": f"/v1/acts/{result.act_id}"})


def idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    return scoped_key(key, "Idempotency-Key")


def scoped_key(key: str, field: str) -> str:
    """An API caller's idempotency key, kept apart from the keys the loader derives."""
    if not KEY.match(key):
        raise InvalidInput(f"1 to {MAX_KEY} visible ASCII characters", field)
    return f"http:{key}"


def parse_body(content_type: str, raw: bytes) -> Any:
    media = content_type.split(";")[0].strip().lower()
    if media not in JSON_TYPES + YAML_TYPES:
        raise HTTPException(415, "send the act as application/json or application/yaml")
    return read_document(raw, "json" if media in JSON_TYPES else "yaml")


def routes() -> list[Route]:
    return [
        Route("/v1/acts", acts, methods=["GET", "POST"]),
        Route("/v1/acts/{id}", get_act, methods=["GET"]),
    ]
