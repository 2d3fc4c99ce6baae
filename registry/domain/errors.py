"""Every error the registry raises, in one place.

Each error names the broken fact. The delivery layers map each class to an HTTP status and a
GraphQL error code (``registry.api.problems``); nothing else should need to inspect messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


class RegistryError(Exception):
    """Base of every error the registry reports to its users."""

    code = "registry-error"


class InvalidInput(RegistryError):
    """A request or act document is malformed; ``field`` is the path of the offending value."""

    code = "invalid-input"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.detail = message


class MalformedDocument(InvalidInput):
    """A document or request body cannot be read at all: not UTF-8, not JSON/YAML, too deep."""

    code = "malformed-document"


class UnknownReference(RegistryError):
    """An act refers to an organisation that does not exist at the date it is resolved on."""

    code = "unknown-reference"

    def __init__(self, reference: str, on: date, field: str | None = None) -> None:
        where = f" ({field})" if field else ""
        super().__init__(f"no organisation matches {reference} on {on.isoformat()}{where}")
        self.reference = reference
        self.on = on
        self.field = field


class AmbiguousReference(RegistryError):
    code = "ambiguous-reference"

    def __init__(self, reference: str, on: date, candidates: list[str]) -> None:
        super().__init__(
            f"{reference} matches {len(candidates)} organisations on {on.isoformat()}: "
            + ", ".join(candidates)
        )
        self.reference = reference
        self.on = on
        self.candidates = candidates


@dataclass(frozen=True)
class Violation:
    """One broken invariant: the rule's name, the organisations involved and the first date."""

    rule: str
    message: str
    organisations: tuple[str, ...] = ()
    on: date | None = None
    details: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        when = f" on {self.on.isoformat()}" if self.on else ""
        return f"{self.rule}{when}: {self.message}"


class ActRefused(RegistryError):
    """Recording the act would break at least one invariant; nothing of it was stored."""

    code = "act-refused"

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        head = str(violations[0]) if violations else "refused"
        more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
        super().__init__(head + more)


class Conflict(RegistryError):
    """Another act was recorded concurrently; the caller may retry."""

    code = "conflict"


class IdempotencyKeyReused(RegistryError):
    """The idempotency key was already used for a different act."""

    code = "idempotency-key-reused"


class NotFound(RegistryError):
    code = "not-found"


class Forbidden(RegistryError):
    code = "forbidden"


class Unauthorized(RegistryError):
    code = "unauthorized"


class TooCostly(InvalidInput):
    """Answering would cost more than the registry allows one request (a GraphQL query's
    estimated size, a search matching too many names, an answer over the size cap): ask for less.
    """

    code = "too-costly"

    def __init__(self, message: str, field: str | None = None, cost: int | None = None,
                 limit: int | None = None) -> None:
        super().__init__(message, field)
        self.cost = cost
        self.limit = limit


class CodeNotHeld(NotFound):
    """No unit holds a code on a date; ``candidates`` are near codes that some unit held (a
    mistyped or unpadded code), ``successors`` the units that took over from its last holder."""

    def __init__(self, message: str, candidates: list[str],
                 successors: list[dict[str, object]]) -> None:
        super().__init__(message)
        self.candidates = candidates
        self.successors = successors
