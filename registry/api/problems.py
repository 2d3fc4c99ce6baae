"""Errors as HTTP problems (RFC 9457) and GraphQL error codes, from ONE table.

Every error class of ``registry.domain.errors`` maps to an HTTP status, a stable problem ``type``
and a GraphQL ``extensions.code``. The most specific class wins (the table is searched along the
exception's MRO), so a new subclass inherits its parent's row until it is given its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from registry.api.responses import JSON
from registry.domain import errors

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:registry:problem:"


@dataclass(frozen=True)
class Kind:
    status: int
    slug: str  # the stable part of the problem type
    title: str
    graphql_code: str

    @property
    def type(self) -> str:
        return TYPE_PREFIX + self.slug


TABLE: dict[type[BaseException], Kind] = {
    errors.InvalidInput: Kind(422, "invalid-input", "Invalid input", "BAD_USER_INPUT"),
    errors.MalformedDocument: Kind(400, "malformed-document", "Malformed document",
                                   "BAD_REQUEST"),
    errors.TooCostly: Kind(422, "too-costly", "Request too costly", "TOO_COSTLY"),
    errors.UnknownReference: Kind(422, "unknown-reference", "Unknown reference",
                                  "UNKNOWN_REFERENCE"),
    errors.AmbiguousReference: Kind(422, "ambiguous-reference", "Ambiguous reference",
                                    "AMBIGUOUS_REFERENCE"),
    errors.ActRefused: Kind(422, "act-refused", "Act refused", "ACT_REFUSED"),
    errors.Conflict: Kind(409, "conflict", "Conflict", "CONFLICT"),
    errors.IdempotencyKeyReused: Kind(422, "idempotency-key-reused", "Idempotency key reused",
                                      "IDEMPOTENCY_KEY_REUSED"),
    errors.NotFound: Kind(404, "not-found", "Not found", "NOT_FOUND"),
    errors.Forbidden: Kind(403, "forbidden", "Forbidden", "FORBIDDEN"),
    errors.Unauthorized: Kind(401, "unauthorized", "Unauthorized", "UNAUTHENTICATED"),
    errors.RegistryError: Kind(400, "registry-error", "Bad request", "BAD_REQUEST"),
}

# Problems raised by HTTP itself rather than by the registry.
HTTP_KINDS: dict[int, Kind] = {
    404: Kind(404, "no-such-resource", "No such resource", "NOT_FOUND"),
    405: Kind(405, "method-not-allowed", "Method not allowed", "METHOD_NOT_ALLOWED"),
    406: Kind(406, "not-acceptable", "Not acceptable", "NOT_ACCEPTABLE"),
    413: Kind(413, "payload-too-large", "Request body too large", "PAYLOAD_TOO_LARGE"),
    415: Kind(415, "unsupported-media-type", "Unsupported media type", "UNSUPPORTED_MEDIA_TYPE"),
}
INTERNAL = Kind(500, "internal", "Internal server error", "INTERNAL_SERVER_ERROR")


def kind_of(error: BaseException) -> Kind:
    for cls in type(error).__mro__:
        if cls in TABLE:
            return TABLE[cls]
    return INTERNAL


def problem(kind: Kind, detail: str, instance: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"type": kind.type, "title": kind.title, "status": kind.status,
                            "detail": detail}
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def extras(error: BaseException) -> dict[str, Any]:
    """The machine-readable facts of an error: the field, the broken rules."""
    out: dict[str, Any] = {}
    if isinstance(error, (errors.InvalidInput, errors.UnknownReference)) and error.field:
        out["field"] = error.field
    if isinstance(error, errors.ActRefused):
        out["violations"] = [
            {"rule": v.rule, "message": v.message, "organisations": list(v.organisations),
             "on": v.on.isoformat() if v.on else None}
            for v in error.violations[:100]]
    if isinstance(error, errors.TooCostly):
        out.update({k: v for k, v in (("cost", error.cost), ("limit", error.limit))
                    if v is not None})
    if isinstance(error, (errors.AmbiguousReference, errors.CodeNotHeld)):
        out["candidates"] = error.candidates
    if isinstance(error, errors.CodeNotHeld) and error.successors:
        out["successors"] = error.successors
    return out


def message(error: BaseException) -> str:
    notes = getattr(error, "__notes__", [])
    return str(error) + "".join(f" ({n})" for n in notes)


def response(kind: Kind, detail: str, request: Request | None = None,
             headers: dict[str, str] | None = None, **extra: Any) -> Response:
    instance = request.url.path if request is not None else None
    all_headers = dict(headers or {})
    if kind.status == 401:
        all_headers.setdefault("WWW-Authenticate", 'Bearer realm="registry"')
    return JSON(problem(kind, detail, instance, **extra), status_code=kind.status,
                        headers=all_headers, media_type=PROBLEM_JSON)


def registry_error_response(request: Request, exc: Exception) -> Response:
    return response(kind_of(exc), message(exc), request, **extras(exc))


def http_error_response(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    kind = HTTP_KINDS.get(exc.status_code) or Kind(exc.status_code, f"http-{exc.status_code}",
                                                    "HTTP error", f"HTTP_{exc.status_code}")
    # Keep the headers Starlette set (the Allow header of a 405 above all).
    return response(kind, exc.detail, request, headers=dict(exc.headers or {}))


def internal_error_response(request: Request, exc: Exception) -> Response:
    return response(INTERNAL, "the server failed to answer; the failure has been logged",
                    request)


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body exceeds {limit} bytes")
        self.limit = limit


def body_too_large_response(request: Request, exc: Exception) -> Response:
    return response(HTTP_KINDS[413], str(exc), request)
