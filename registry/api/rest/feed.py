"""``/v1/feed``: the change feed, a cursor over the ordered event log that a follower resumes;
``/v1/log/head``: the position and hash another system pins to prove later the log unchanged;
``/v1/feed/stream``: the same events pushed as Server-Sent Events.

The stream polls the reader in the thread pool (the reads are synchronous: on the event loop
they would stall every other request) and resumes after ``Last-Event-ID`` (each event's id is its
log position), or after ``after``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import anyio
import anyio.to_thread
import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from registry.api.responses import JSON
from registry.api.rest.paging import next_link
from registry.api.rest.params import Params
from registry.api.services import Services, services
from registry.application.reading import FeedPage
from registry.domain.errors import InvalidInput

MAX_FEED = 1000
MAX_POSITION = 2**62
POLL_S = 0.25          # how often a stream asks for new events: pushed well within a second
STREAM_THREADS = 2     # threads the open streams poll in, per process
KEEPALIVE_S = 15.0     # a comment line now and then keeps proxies from closing an idle stream
RETRY_MS = 1000
DIGITS = re.compile(r"^[0-9]{1,19}$")


def feed(request: Request) -> Response:
    p = Params(request, ("after", "limit"))
    after = p.integer("after", 0, 0, MAX_POSITION)
    page = read(services(request), after, p.integer("limit", 100, 1, MAX_FEED))
    return JSON({"items": [i.as_dict() for i in page.items], "next": page.next},
                headers={"Link": next_link(request, "after", page.next)})


def read(svc: Services, after: int, limit: int, field: str = "after") -> FeedPage:
    """A page of the feed; ``after`` beyond the log's head is refused, or a client that
    overshot would silently skip every later event."""
    page = svc.reader.feed(after, limit)
    if not page.items and after > 0:
        head = svc.registry.log.last_id()
        if after > head:
            raise InvalidInput(f"position {after} is beyond the log's head ({head})", field)
        if head > after:  # recorded, but the reader has not caught up yet: now, not in a second
            svc.reader.refresh()
            page = svc.reader.feed(after, limit)
    return page


async def stream(request: Request) -> Response:
    p = Params(request, ("after",))
    resume = request.headers.get("last-event-id")
    last_seen = _position(resume, "Last-Event-ID") if resume is not None else None
    if last_seen is not None and p.text("after") is None:
        after, field = last_seen, "Last-Event-ID"
    else:
        after, field = p.integer("after", 0, 0, MAX_POSITION), "after"
    svc = services(request)
    first = await run_in_threadpool(read, svc, after, MAX_FEED, field)  # errors before streaming
    return StreamingResponse(_events(svc, first, _stream_threads(request)),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _stream_threads(request: Request) -> anyio.CapacityLimiter:
    """The threads open streams poll in: their own, so that however many streams are open they
    never wait for, nor hold up, the threads plain endpoints share (``REGISTRY_THREADS``)."""
    state = request.app.state
    limiter = getattr(state, "stream_threads", None)
    if limiter is None:
        limiter = state.stream_threads = anyio.CapacityLimiter(STREAM_THREADS)
    return limiter


async def _events(svc: Services, page: FeedPage,
                  threads: anyio.CapacityLimiter) -> AsyncIterator[bytes]:
    async def next_page(after: int) -> FeedPage:
        return await anyio.to_thread.run_sync(read, svc, after, MAX_FEED, limiter=threads)

    yield f"retry: {RETRY_MS}\n\n".encode()
    idle = 0.0
    while True:
        for item in page.items:
            yield b"id: %d\ndata: %s\n\n" % (item.position, orjson.dumps(item.as_dict()))
        if page.items:
            idle = 0.0
            if len(page.items) == MAX_FEED:
                page = await next_page(page.next)
                continue
        elif idle >= KEEPALIVE_S:
            idle = 0.0
            yield b": keepalive\n\n"
        await asyncio.sleep(POLL_S)
        idle += POLL_S
        page = await next_page(page.next)


def _position(value: str, field: str) -> int:
    if not DIGITS.match(value):
        raise InvalidInput(f"'{value[:60]}' is not a log position", field)
    position = int(value)
    if position > MAX_POSITION:
        raise InvalidInput(f"position {position} is beyond the log's head", field)
    return position


def head(request: Request) -> Response:
    Params(request, ())
    return JSON(services(request).reader.head())


def routes() -> list[Route]:
    return [Route("/v1/feed", feed, methods=["GET"]),
            Route("/v1/log/head", head, methods=["GET"]),
            Route("/v1/feed/stream", stream, methods=["GET"])]
