"""The top-level ``migrations/`` and ``openapi/`` folders ship inside the package.

They stay where people look for them in the repository and are installed as
``registry.resources.migrations`` and ``registry.resources.openapi`` (read through
``registry.resources`` with ``importlib.resources``). Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

RESOURCES = {"registry.resources.migrations": "migrations",
             "registry.resources.openapi": "openapi"}

setup(packages=[*find_packages(include=["registry*"]), *RESOURCES], package_dir=RESOURCES)
