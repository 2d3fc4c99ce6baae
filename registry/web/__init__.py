"""The explorer: a static page (``static/``) that asks the registry's own REST API."""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
