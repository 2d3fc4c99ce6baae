"""``/graphql``: strawberry's ASGI view with a typed context and fresh loaders per request."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.routing import Route
from strawberry.asgi import GraphQL

from registry.api.graphql.context import Context
from registry.api.graphql.loaders import Loaders
from registry.api.services import services


class RegistryGraphQL(GraphQL[Context, None]):
    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def get_context(self, request: Any, response: Any) -> Context:
        found = services(request)
        return Context(request=request, response=response, services=found,
                       loaders=Loaders(found.reader))


def graphql_route() -> Route:
    from registry.api.graphql.schema import schema
    view = RegistryGraphQL(schema, graphql_ide="graphiql")
    return Route("/graphql", view, methods=["GET", "POST"])
