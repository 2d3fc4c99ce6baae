"""Files the registry reads at run time, found with ``importlib.resources`` wherever it is installed.

The repository keeps them where people look for them (``migrations/``, ``openapi/``); the build
ships those folders inside the package as ``registry.resources.migrations`` and
``registry.resources.openapi`` (``setup.py`` maps them), so a wheel carries the one copy and an
editable install reads the repository's files.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def migration_scripts() -> Path:
    """Alembic's script folder (``env.py``, ``versions/``)."""
    return Path(str(files("registry.resources.migrations")))


def openapi_document() -> Path:
    return Path(str(files("registry.resources.openapi") / "openapi.yaml"))


def graphql_sdl() -> Path:
    return Path(str(files("registry.resources.openapi") / "schema.graphql"))


def explorer() -> Path:
    """The browser explorer's static files."""
    return Path(str(files("registry.web") / "static"))
