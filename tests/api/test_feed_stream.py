"""``GET /v1/feed/stream``: the change feed pushed as Server-Sent Events over a real socket;
resumable with ``Last-Event-ID``; the reads run off the event loop, so other requests are served
while streams are open."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import orjson

from tests.api.conftest import Live
from tests.api.test_recording import RENAME

GUARD = httpx.Timeout(30.0)  # a hung stream fails the test instead of hanging it


def messages(response: httpx.Response) -> Iterator[dict[str, Any]]:
    """The stream's messages (``id`` and parsed ``data``), skipping comments and ``retry``."""
    fields: dict[str, str] = {}
    for line in response.iter_lines():
        if not line:
            if "data" in fields:
                yield {"id": int(fields["id"]), "data": orjson.loads(fields["data"])}
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")


def take(stream: Iterator[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    return [next(stream) for _ in range(n)]


def test_a_follower_gets_past_events_then_new_ones_pushed_and_resumes_after_its_last_id(
        live: Live) -> None:
    token = live.api.token("streamer")
    with httpx.Client(base_url=live.base, timeout=GUARD) as http:
        head = http.get("/readyz").json()["position"]
        last_three = http.get("/v1/feed", params={"after": str(head - 3)}).json()["items"]
        with http.stream("GET", "/v1/feed/stream", params={"after": str(head - 3)}) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            stream = messages(response)
            past = take(stream, 3)
            assert [m["data"] for m in past] == last_three
            assert [m["id"] for m in past] == [i["position"] for i in last_three]

            # recorded while the stream is open: the same server answers (no stalled loop)
            recorded = http.post("/v1/acts", json=RENAME,
                                 headers={"Authorization": f"Bearer {token}"})
            assert recorded.status_code == 201, recorded.text
            new = http.get("/v1/feed", params={"after": str(head)}).json()["items"]
            assert len(new) >= 2
            pushed = take(stream, len(new))
            assert [m["data"] for m in pushed] == new
            assert {m["data"]["type"] for m in pushed} >= {"renamed", "act_recorded"}

        resume = {"Last-Event-ID": str(pushed[0]["id"])}
        with http.stream("GET", "/v1/feed/stream", headers=resume) as response:
            again = take(messages(response), len(new) - 1)
        assert [m["data"] for m in again] == new[1:]


def test_a_stream_position_that_is_malformed_or_beyond_the_head_is_refused(live: Live) -> None:
    with httpx.Client(base_url=live.base, timeout=GUARD) as http:
        head = http.get("/readyz").json()["position"]
        for headers, params, field in [({"Last-Event-ID": "x"}, {}, "Last-Event-ID"),
                                       ({"Last-Event-ID": str(head + 1)}, {}, "Last-Event-ID"),
                                       ({}, {"after": str(head + 1)}, "after")]:
            response = http.get("/v1/feed/stream", headers=headers, params=params)
            assert response.status_code == 422
            assert response.json()["field"] == field
