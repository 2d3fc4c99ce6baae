"""The ASGI application: REST under ``/v1``, GraphQL at ``/graphql``, the explorer at ``/``.

Built once by ``create_app`` from what the composition root made; nothing is read from the
environment here. Middleware order (outermost first): CORS (if configured), gzip (answers over
1 KiB to clients that accept it; never the event stream), the body limit, the body check (UTF-8,
JSON, nesting).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from registry import resources
from registry.adapters.tokens import TokenStore
from registry.api import problems
from registry.api.limits import BodyCheck, BodyLimit
from registry.api.rest import (
    acts,
    changes,
    codes,
    crosswalk,
    feed,
    geography,
    harmonize,
    health,
    plans,
    search,
    snapshot,
    staffing,
    trajectory,
    units,
)
from registry.api.services import Services
from registry.application.service import Registry
from registry.domain.errors import RegistryError
from registry.settings import Settings

if TYPE_CHECKING:
    from registry.application.reading import Reader

OPENAPI = resources.openapi_document()
GZIP_MIN_BYTES = 1024
EXPLORER = resources.explorer()


def create_app(settings: Settings, registry: Registry, reader: Reader,
               tokens: TokenStore | None = None,
               on_close: Callable[[], None] | None = None) -> Starlette:
    from registry.api.graphql.view import graphql_route

    tokens = tokens or TokenStore(registry.log.database)
    services = Services(settings, registry, reader, tokens)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Plain `def` endpoints run in anyio's thread pool. Under the GIL, threads that compute
        # add no throughput, and each one more waiting for the interpreter makes the event loop
        # wait longer for it (p99 of /v1/ping beside 8 heavy readers: 17 ms with one thread, 32
        # with two): a burst of heavy reads queues instead. More processes: --workers.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        yield
        if on_close is not None:
            on_close()

    # The router tries routes in order and no two paths overlap: the busiest come first.
    routes: list[BaseRoute] = [
        graphql_route(settings.max_response_bytes), *units.routes(), *codes.routes(),
        *health.routes(),
        *crosswalk.routes(), *changes.routes(), *snapshot.routes(), *acts.routes(),
        *feed.routes(), *search.routes(), *harmonize.routes(), *trajectory.routes(),
        *geography.routes(), *staffing.routes(), *plans.routes(),
        Route("/openapi.yaml", openapi_document, methods=["GET"]),
        Route("/docs", docs_page, methods=["GET"]),
    ]
    if (EXPLORER / "index.html").is_file():
        routes.append(Explorer("/", app=StaticFiles(directory=EXPLORER, html=True),
                               name="explorer"))

    middleware = []
    if settings.cors_origins:
        middleware.append(Middleware(
            CORSMiddleware, allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-None-Match"],
            expose_headers=["ETag", "Location"], max_age=600))
    middleware.append(Middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES))
    middleware.append(Middleware(BodyLimit, max_bytes=settings.max_body_bytes))
    middleware.append(Middleware(BodyCheck))

    handlers: dict[Any, Any] = {
        RegistryError: problems.registry_error_response,
        HTTPException: problems.http_error_response,
        problems.BodyTooLarge: problems.body_too_large_response,
        Exception: problems.internal_error_response,
    }
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers=handlers)
    app.state.services = services
    return app


def openapi_document(request: Request) -> Response:
    return FileResponse(OPENAPI, media_type="application/yaml")


def docs_page(request: Request) -> Response:
    """The REST API's reference (Redoc, vendored) rendering ``/openapi.yaml``."""
    return FileResponse(EXPLORER / "docs.html", media_type="text/html")


class Explorer(Mount):
    """The browser explorer's files at ``/``, for GET and HEAD only: mounted at the root it would
    otherwise claim every request, and a POST to a GET-only API path must get the API's 405."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD"):
            return Match.NONE, {}
        return super().matches(scope)
