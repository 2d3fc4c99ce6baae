"""What every endpoint needs, built once by ``create_app`` and kept on ``app.state.services``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

from registry.adapters.tokens import Token, TokenStore
from registry.application.service import Registry
from registry.domain.errors import Forbidden, Unauthorized
from registry.settings import Settings

if TYPE_CHECKING:
    from registry.application.reading import Reader

RECORDER = "recorder"


@dataclass(frozen=True)
class Services:
    settings: Settings
    registry: Registry
    reader: Reader
    tokens: TokenStore


def services(conn: HTTPConnection) -> Services:
    found: Services = conn.app.state.services
    return found


def recorder(conn: HTTPConnection) -> Token:
    """The holder of the request's bearer token, if it may record acts; else 401 or 403."""
    header = conn.headers.get("authorization")
    if not header:
        raise Unauthorized("recording needs 'Authorization: Bearer <token>' with the recorder role")
    scheme, _, secret = header.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    token = services(conn).tokens.find(secret)
    if token is None:
        raise Unauthorized("unknown token")
    if not token.active:
        raise Forbidden(f"the token '{token.name}' was revoked")
    if token.role != RECORDER:
        raise Forbidden(f"the token '{token.name}' has the role '{token.role}', "
                        f"recording needs '{RECORDER}'")
    return token
