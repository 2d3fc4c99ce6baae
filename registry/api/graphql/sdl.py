"""Write the GraphQL schema as SDL to ``openapi/schema.graphql`` (a test keeps the file current).

    python -m registry.api.graphql.sdl
"""

from __future__ import annotations

from registry import resources

SDL = resources.graphql_sdl()


def sdl() -> str:
    from registry.api.graphql.schema import schema
    return schema.as_str() + "\n"


def main() -> None:
    SDL.write_text(sdl(), encoding="utf-8")
    print(f"wrote {SDL}")


if __name__ == "__main__":
    main()
