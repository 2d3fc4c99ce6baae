"""The event-sourced registry of administrative units and public organisations."""

from __future__ import annotations

from typing import Any


def harmonize(frame: Any, *, code_column: str, from_date: Any, to_date: Any,
              database: str | None = None, reader: Any = None, **options: Any) -> Any:
    """A pandas DataFrame of one date's units carried to another date's units (README,
    "For analysts"): ``sum=``, ``mean=``, ``weight=``, ``category=``, ``rule=``, ``level=``,
    ``known_at=`` as the ``registry harmonize`` options. Reads the registry at ``database`` (a
    URL; default $REGISTRY_DATABASE_URL) or through a ``reader`` already built. The report is
    in ``result.attrs["report"]``. Needs the ``analysis`` extra (pandas)."""
    from registry import bootstrap
    from registry.application.analysis.frames import harmonize_frame
    from registry.settings import Settings

    own = reader is None
    if own:
        reader = bootstrap.build_reader(database or Settings.from_env().database_url)
    try:
        return harmonize_frame(reader.source.index(), frame, code_column, from_date, to_date,
                               **options)
    finally:
        if own:
            reader.close()
