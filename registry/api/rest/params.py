"""Strict query parameters: unknown names, malformed dates or ids are refused naming the field."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import parse_qsl
from uuid import UUID

from starlette.requests import Request

from registry.api.services import services
from registry.application.lookups import unit_ref as _unit_ref
from registry.domain.errors import InvalidInput

MAX_TEXT = 200


def today() -> date:
    return date.today()


class Params:
    def __init__(self, request: Request, allowed: tuple[str, ...]) -> None:
        raw = request.scope["query_string"].decode("latin-1")
        if not raw:
            pairs: list[tuple[str, str]] = []
        elif "%" in raw or "+" in raw or ";" in raw:
            pairs = parse_qsl(raw, keep_blank_values=True)
        else:  # nothing to unescape: the common case, split directly
            pairs = [(name, value) for name, _, value in
                     (part.partition("=") for part in raw.split("&") if part)]
        self.query: dict[str, str] = {}
        for name, value in pairs:
            if name not in allowed:
                raise InvalidInput(f"unknown parameter (allowed: {', '.join(allowed) or 'none'})",
                                   name)
            if name in self.query:
                raise InvalidInput("given more than once", name)
            self.query[name] = value
        self.path = request.path_params

    def text(self, name: str, required: bool = False) -> str | None:
        value = self.query.get(name)
        if value is None:
            if required:
                raise InvalidInput("required", name)
            return None
        if not value:
            raise InvalidInput("given but empty (leave it out instead)", name)
        if len(value) > MAX_TEXT:
            raise InvalidInput(f"at most {MAX_TEXT} characters", name)
        return value

    def date(self, name: str, required: bool = False) -> date | None:
        value = self.text(name, required)
        if value is None:
            return None
        try:
            if len(value) != 10:
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidInput(f"'{value}' is not a date (YYYY-MM-DD)", name) from None

    def at(self, name: str = "at") -> date:
        return self.date(name) or today()

    def moment(self, name: str = "known_at") -> datetime | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value.upper().replace(":60", ":59"))
        except ValueError:
            raise InvalidInput(f"'{value}' is not a moment (YYYY-MM-DDTHH:MM:SS[+00:00])",
                               name) from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def uuid(self, name: str, required: bool = False) -> UUID | None:
        value = self.text(name, required)
        return None if value is None else parse_uuid(value, name)

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        value = self.text(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise InvalidInput(f"'{value}' is not an integer", name) from None
        if not low <= number <= high:
            raise InvalidInput(f"must be between {low} and {high}", name)
        return number

    def choice(self, name: str, options: tuple[str, ...], default: str) -> str:
        value = self.text(name) or default
        if value not in options:
            raise InvalidInput(f"one of {', '.join(options)}", name)
        return value

    def path_uuid(self, name: str = "id") -> UUID:
        return parse_uuid(str(self.path[name]), name)

    def path_text(self, name: str) -> str:
        value = str(self.path[name])
        if not value or len(value) > MAX_TEXT:
            raise InvalidInput(f"between 1 and {MAX_TEXT} characters", name)
        return value


def unit_ref(request: Request, ref: str | None, dates: tuple[date, ...],
             known_at: datetime | None, field: str = "within") -> UUID | None:
    """A unit named by its id or by a code it holds on one of ``dates``."""
    if ref is None:
        return None
    return _unit_ref(services(request).reader, ref, dates, known_at, field)


def parse_uuid(value: str, name: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise InvalidInput(f"'{value[:60]}' is not an id (a UUID)", name) from None
