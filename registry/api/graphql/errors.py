"""GraphQL errors with the codes of ``registry.api.problems``; anything unforeseen is masked."""

from __future__ import annotations

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from registry.api import problems
from registry.domain.errors import RegistryError


class RegistryErrors(MaskErrors):
    """Registry errors keep their message and gain ``extensions.code``, ``type`` and ``field``;
    errors of the query itself (syntax, validation, limits) keep theirs; others are masked."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda e: True,
                         error_message="Unexpected error; it has been logged.")

    def _process_result(self, result: object) -> None:
        # MaskErrors tests a runtime Protocol with isinstance, costly on every answer.
        if getattr(result, "errors", None):
            result.errors = self._process_errors(result.errors)  # type: ignore[attr-defined]

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None and error.path is not None:
            # raised while completing a result (a null for a non-null field): our fault
            return _with(error, error.message, {"code": problems.INTERNAL.graphql_code})
        if original is None or isinstance(original, GraphQLError):
            code = "GRAPHQL_VALIDATION_FAILED" if original is None else "BAD_USER_INPUT"
            return _with(error, error.message, {**(error.extensions or {}), "code": code})
        if isinstance(original, RegistryError):
            kind = problems.kind_of(original)
            return _with(error, problems.message(original),
                         {"code": kind.graphql_code, "type": kind.type,
                          **problems.extras(original)})
        return _with(error, self.error_message, {"code": problems.INTERNAL.graphql_code})


def _with(error: GraphQLError, message: str, extensions: dict[str, object]) -> GraphQLError:
    return GraphQLError(message, nodes=error.nodes, source=error.source,
                        positions=error.positions, path=error.path, original_error=None,
                        extensions=extensions)
