"""The request body limit and the body check, as pure ASGI middleware (they must see the body
before anyone reads it).

A declared ``Content-Length`` over the limit is refused at once; a streamed body is counted as it
arrives and the read fails with ``BodyTooLarge`` (answered 413 by the exception handlers).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.api import problems
from registry.application.documents import read_document
from registry.domain.errors import MalformedDocument


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    error = problems.BodyTooLarge(self.max_bytes)
                    reply = problems.body_too_large_response(Request(scope), error)
                    await reply(scope, receive, send)
                    return
        seen = 0
        limit = self.max_bytes

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise problems.BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


class BodyCheck:
    """JSON request bodies are read once here and refused if they are not UTF-8, not JSON or
    nested too deep, before any handler or library parser sees them (GraphQL's own parser answered
    such bodies with 500s). Sits inside ``BodyLimit``, so what it buffers is bounded."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "GET" and scope["path"] == "/graphql" and scope.get("query_string"):
            # GraphQL over GET carries JSON in the query string: the same checks apply.
            query = scope["query_string"].decode("latin-1")
            for name, value in parse_qsl(query, errors="replace"):
                if name in ("variables", "extensions"):
                    try:
                        read_document(value, "json", name)
                    except MalformedDocument as error:
                        reply = problems.registry_error_response(Request(scope), error)
                        await reply(scope, receive, send)
                        return
        if not _is_json(scope):
            await self.app(scope, receive, send)
            return

        chunks = []
        try:
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    break
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
        except problems.BodyTooLarge as error:
            await problems.body_too_large_response(Request(scope), error)(scope, receive, send)
            return
        body = b"".join(chunks)
        if body:
            try:
                read_document(body, "json")
            except MalformedDocument as error:
                reply = problems.registry_error_response(Request(scope), error)
                await reply(scope, receive, send)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _is_json(scope: Scope) -> bool:
    if scope["method"] not in ("POST", "PUT", "PATCH"):
        return False
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            media = value.split(b";")[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False
