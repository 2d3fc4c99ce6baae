"""What every endpoint needs, built once by ``create_app`` and kept on ``app.state.services``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

from registry.adapters.tokens import RECORDER, Token, TokenStore
from registry.application.service import Registry
from registry.domain.errors import Forbidden, Unauthorized
from registry.settings import Settings

if TYPE_CHECKING:
    from registry.application.reading import Reader


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
    found = services(conn)
    token = found.tokens.find(secret)
    if token is None:
        raise Unauthorized("unknown token")
    if token.revoked_at is not None:
        raise Forbidden(f"the token '{token.label}' was revoked")
    if token.expired(found.registry.clock()):
        raise Unauthorized(f"the token '{token.label}' expired at "
                           f"{token.expires_at:%Y-%m-%d %H:%M} UTC; ask for a new one")
    if token.role != RECORDER:  # only tokens made before 0003_token_expiry can have another
        raise Forbidden(f"the token '{token.label}' has the role '{token.role}', which grants "
                        f"nothing (reads need no token); recording needs '{RECORDER}'")
    return token
