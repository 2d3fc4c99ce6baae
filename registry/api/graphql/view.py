"""``/graphql``: strawberry's ASGI view with a typed context and fresh loaders per request.

In a browser it serves GraphiQL from the registry's own vendored files (strawberry's page would
load React and GraphiQL from a public CDN: blank on a network without internet)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from functools import cache
from importlib.resources import files
from typing import Any, TypeVar

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from registry.api import problems
from registry.api.graphql.context import Context
from registry.api.graphql.loaders import Loaders
from registry.api.services import services
from registry.domain.errors import TooCostly

T = TypeVar("T")


class Executor:
    """One thread with its own event loop, where GraphQL operations are executed.

    A GraphQL answer is built by graphql-core in Python, field by field: a page of 1,000 units
    with their parents is tens of milliseconds of work. On the server's event loop that would hold
    up every other request (``/v1/ping`` included); here it only competes for the interpreter.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="registry-graphql",
                                 daemon=True).start()
                self._loop = loop
            return self._loop

    async def run(self, operation: Coroutine[Any, Any, T]) -> T:
        return await asyncio.wrap_future(
            asyncio.run_coroutine_threadsafe(operation, self.loop()))


class RegistryGraphQL(GraphQL[Context, None]):
    executor = Executor()

    def __init__(self, *args: Any, max_response_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_response_bytes = max_response_bytes

    def encode_json(self, data: object) -> bytes:
        encoded = orjson.dumps(data)
        if len(encoded) > self.max_response_bytes:  # bigger than its cost said: documents vary
            return orjson.dumps(too_large(len(encoded), self.max_response_bytes))
        return encoded

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_page())

    async def execute_single(self, *args: Any, **kwargs: Any) -> Any:
        return await self.executor.run(super().execute_single(*args, **kwargs))

    async def get_context(self, request: Any, response: Any) -> Context:
        found = services(request)
        return Context(request=request, response=response, services=found,
                       loaders=Loaders(found.reader))


def too_large(size: int, limit: int) -> dict[str, Any]:
    error = TooCostly(f"the answer would be {size:,} bytes (the limit is {limit:,}): ask for "
                      "fewer items or fields", cost=size, limit=limit)
    kind = problems.kind_of(error)
    return {"data": None, "errors": [{"message": str(error), "extensions": {
        "code": kind.graphql_code, "type": kind.type, **problems.extras(error)}}]}


@cache
def graphiql_page() -> str:
    return (files("registry.web") / "static" / "graphiql.html").read_text(encoding="utf-8")


def graphql_route(max_response_bytes: int) -> Route:
    from registry.api.graphql.schema import schema
    view = RegistryGraphQL(schema, graphql_ide="graphiql", max_response_bytes=max_response_bytes)
    return Route("/graphql", view, methods=["GET", "POST"])
