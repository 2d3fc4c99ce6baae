"""Write the GraphQL schema as SDL to ``openapi/schema.graphql`` (a test keeps the file current).

    python -m registry.api.graphql.sdl
"""

from __future__ import annotations

from pathlib import Path

SDL = Path(__file__).resolve().parents[3] / "openapi" / "schema.graphql"


def sdl() -> str:
    from registry.api.graphql.schema import schema
    return schema.as_str() + "\n"


def main() -> None:
    SDL.write_text(sdl(), encoding="utf-8")
    print(f"wrote {SDL}")


if __name__ == "__main__":
    main()
