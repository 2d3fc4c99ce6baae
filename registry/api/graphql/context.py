"""The typed context every resolver gets: the services, the request, and this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from strawberry.types import Info as StrawberryInfo

from registry.api.graphql.loaders import Loaders
from registry.api.services import Services


@dataclass
class Context:
    request: Request
    response: Any
    services: Services
    loaders: Loaders


Info = StrawberryInfo[Context, None]
