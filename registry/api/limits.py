"""The request body limit, as pure ASGI middleware (it must see the body before anyone reads it).

A declared ``Content-Length`` over the limit is refused at once; a streamed body is counted as it
arrives and the read fails with ``BodyTooLarge`` (answered 413 by the exception handlers).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.api import problems


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
                    from starlette.requests import Request
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
