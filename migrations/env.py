"""Alembic environment: the read-model tables, on the registry's database and schema.

The URL is ``config.attributes["database_url"]`` (set by ``registry migrate``) or
``$REGISTRY_DATABASE_URL``. Only the read models are compared or created here: the eventsourcing
library creates and owns its event tables.
"""

from __future__ import annotations

import os

from alembic import context

from registry.adapters.engine import engine_for
from registry.adapters.eventstore import Database
from registry.adapters.readmodels import metadata

config = context.config
MANAGED = set(metadata.tables) | {"api_tokens"}


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    if type_ == "table":
        return name in MANAGED
    return True


def run() -> None:
    url = (config.attributes.get("database_url") or os.environ.get("REGISTRY_DATABASE_URL")
           or "sqlite:///registry.db")
    engine = config.attributes.get("engine") or engine_for(Database.parse(url))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata,
                          include_name=include_name, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    if "engine" not in config.attributes:
        engine.dispose()


run()
