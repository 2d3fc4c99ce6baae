"""Alembic migrations of the read models (shipped as ``registry.resources.migrations``)."""
