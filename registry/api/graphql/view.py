"""``/graphql``: strawberry's ASGI view with a typed context and fresh loaders per request.

In a browser it serves GraphiQL from the registry's own vendored files (strawberry's page would
load React and GraphiQL from a public CDN: blank on a network without internet)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from registry.api.graphql.context import Context
from registry.api.graphql.loaders import Loaders
from registry.api.services import services


class RegistryGraphQL(GraphQL[Context, None]):
    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_page())

    async def get_context(self, request: Any, response: Any) -> Context:
        found = services(request)
        return Context(request=request, response=response, services=found,
                       loaders=Loaders(found.reader))


@cache
def graphiql_page() -> str:
    return (files("registry.web") / "static" / "graphiql.html").read_text(encoding="utf-8")


def graphql_route() -> Route:
    from registry.api.graphql.schema import schema
    view = RegistryGraphQL(schema, graphql_ide="graphiql")
    return Route("/graphql", view, methods=["GET", "POST"])
