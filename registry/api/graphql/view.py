"""``/graphql``: strawberry's ASGI view with a typed context and fresh loaders per request."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import orjson
from starlette.routing import Route
from strawberry.asgi import GraphQL

from registry.api.graphql.context import Context
from registry.api.graphql.loaders import Loaders
from registry.api.services import services

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

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def execute_single(self, *args: Any, **kwargs: Any) -> Any:
        return await self.executor.run(super().execute_single(*args, **kwargs))

    async def get_context(self, request: Any, response: Any) -> Context:
        found = services(request)
        return Context(request=request, response=response, services=found,
                       loaders=Loaders(found.reader))


def graphql_route() -> Route:
    from registry.api.graphql.schema import schema
    view = RegistryGraphQL(schema, graphql_ide="graphiql")
    return Route("/graphql", view, methods=["GET", "POST"])
