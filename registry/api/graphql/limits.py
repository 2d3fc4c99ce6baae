"""Query depth and alias limits whose validation rules are built once, and a validation cache
keyed by the query text.

``QueryDepthLimiter`` and ``MaxAliasesLimiter`` create a new rule class per instance; as
extension factories they would give every request new rules, and ``ValidationCache`` (keyed by
the document and the rules) would never hit. Here the rules are made once and shared.

``ValidationCache`` keys its LRU cache by the parsed document, and graphql-core hashes a document
by walking its whole tree on every lookup; ``QueryValidationCache`` keys it by the query text
(whose hash Python keeps) and the rules, which determine the same document and validation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)

from registry.api.graphql.cost import MAX_COST, operation_cost
from registry.domain.errors import TooCostly

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2_000

RULES = (*QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
         *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules)


class QueryLimits(MaxTokensLimiter):
    """MaxTokensLimiter, plus the rules of QueryDepthLimiter and MaxAliasesLimiter (made once):
    one extension instead of three, as strawberry enters every extension at every stage. Before
    execution, the operation's estimated cost (``cost.py``): over ``MAX_COST`` nothing is read
    and the answer is one ``TOO_COSTLY`` error."""

    def __init__(self) -> None:
        super().__init__(max_token_count=MAX_TOKENS)

    def on_operation(self) -> Iterator[None]:
        ctx = self.execution_context
        ctx.validation_rules = ctx.validation_rules + RULES
        yield from super().on_operation()

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.graphql_document is not None:
            cost = _cost(ctx.query or "", ctx.operation_name, ctx.variables,
                         ctx.schema._schema, ctx.graphql_document)
            if cost is not None and cost > MAX_COST:
                error = TooCostly(f"this query would cost about {cost:,} (the limit is "
                                  f"{MAX_COST:,}): ask for fewer items (first), fewer nested "
                                  "lists or fewer act documents", cost=cost, limit=MAX_COST)
                ctx.result = ExecutionResult(data=None, errors=[
                    GraphQLError(str(error), original_error=error)])
        yield


_COSTS: dict[tuple[str, str | None], int | None] = {}  # operations without variables


def _cost(query: str, operation: str | None, variables: dict[str, Any] | None, schema: Any,
          document: Any) -> int | None:
    if variables:
        return operation_cost(schema, document, operation, variables)
    key = (query, operation)
    if key not in _COSTS:
        if len(_COSTS) >= _CACHE_SIZE:
            _COSTS.pop(next(iter(_COSTS)))
        _COSTS[key] = operation_cost(schema, document, operation, None)
    return _COSTS[key]


class QueryValidationCache(ValidationCache):
    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        ctx.pre_execution_errors = _validate(ctx.query or "", ctx.validation_rules,
                                             ctx.schema._schema, ctx.graphql_document)
        yield


class DocumentCaches(ParserCache, QueryValidationCache):
    """ParserCache and QueryValidationCache as one extension."""

    def __init__(self) -> None:
        super().__init__(maxsize=256)


_CACHE: dict[tuple[str, tuple[Any, ...], int], Any] = {}  # insertion order: oldest first
_CACHE_SIZE = 256


def _validate(query: str, rules: tuple[Any, ...], schema: Any, document: Any) -> Any:
    from strawberry.schema.schema import validate_document

    key = (query, tuple(rules), id(schema))
    found = _CACHE.get(key)
    if found is None:
        found = validate_document(schema, document, rules)
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = found
    return found
