"""Reading act documents from bytes: strict UTF-8, JSON or YAML, bounded nesting.

Every way an act reaches the registry (a file for ``registry load``, a body for ``POST /v1/acts``)
goes through ``read_document``, so a malformed one fails the same way everywhere: with
``MalformedDocument`` saying what is wrong and where, never with a parser's crash. Deeply nested
input is refused before anything recurses over it (Python's own parsers and the planner would
otherwise exhaust the stack), and YAML aliases are refused outright (an act never needs one, and
they are how a small document expands into a huge one).
"""

from __future__ import annotations

import json
from typing import Any

import orjson
import yaml

from registry.domain.errors import MalformedDocument

MAX_DEPTH = 32
SYNTAXES = ("json", "yaml")


def read_document(raw: bytes | str, syntax: str, field: str = "body") -> Any:
    """The document ``raw`` holds, written in ``syntax`` ("json" or "yaml")."""
    text = decode_utf8(raw, field) if isinstance(raw, bytes) else raw
    if syntax == "json":
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError as e:
            value = _with_surrogates(text, e, field)
        check_depth(value, field)
        return value
    if syntax == "yaml":
        try:
            return yaml.load(text, Loader=_BoundedLoader)
        except yaml.YAMLError as e:
            raise MalformedDocument(f"not valid YAML: {_one_line(e)}", field) from None
    raise ValueError(f"unknown syntax {syntax!r}")


def _with_surrogates(text: str, error: Exception, field: str) -> Any:
    """JSON may escape a lone surrogate ("\\ud800"), which orjson refuses outright. Read such a
    document with the standard parser instead, so that the act's validation can name the field
    that holds it (it is refused there: no text may hold one)."""
    if "depth" in str(error):
        raise MalformedDocument(f"nested deeper than {MAX_DEPTH} levels", field) from None
    if "surrogate" not in str(error):
        raise MalformedDocument(f"not valid JSON: {error}", field) from None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise MalformedDocument(f"not valid JSON: {error}", field) from None


def decode_utf8(raw: bytes, field: str = "body") -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise MalformedDocument(
            f"not valid UTF-8: byte 0x{raw[e.start]:02X} at offset {e.start} ({e.reason})",
            field) from None


def check_depth(value: Any, field: str = "body", limit: int = MAX_DEPTH) -> None:
    """Refuse ``value`` if its lists and mappings nest deeper than ``limit`` (iteratively)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            raise MalformedDocument(f"nested deeper than {limit} levels", field)
        stack.extend((child, depth + 1) for child in children)


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with a nesting limit and without aliases."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in act documents", event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels",
                    self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _one_line(error: yaml.YAMLError) -> str:
    return " ".join(str(error).split())
