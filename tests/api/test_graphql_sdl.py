"""The checked-in SDL is the schema the server runs."""

from __future__ import annotations

from registry.api.graphql.sdl import SDL, sdl


def test_the_checked_in_graphql_sdl_is_current() -> None:
    assert SDL.read_text(encoding="utf-8") == sdl(), (
        "the GraphQL schema changed: run `python -m registry.api.graphql.sdl` and commit "
        "openapi/schema.graphql")
