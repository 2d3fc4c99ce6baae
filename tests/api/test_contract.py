"""The OpenAPI document and the GraphQL schema are the contract: schemathesis checks the real app.

Bounded and deterministic: a fixed number of examples per operation (positive and negative),
derandomized. Every check runs; schemathesis' ``positive_data_acceptance`` is replaced by
``schema_valid_requests_are_accepted``, the same check with the two refusals a JSON schema cannot
rule out: a cursor the server never issued (cursors are opaque) and the changes of an act
document (whose validity depends on the registry's state). Schemathesis reads the start of the
endless event stream and checks each event against its schema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import graphql as graphql_core
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from starlette.routing import Mount, Route

from registry.api import problems
from registry.api.app import OPENAPI
from tests.api.conftest import Api, start

EXAMPLES = 200
GRAPHQL_EXAMPLES = 25
STREAMS = {"/v1/feed/stream"}
STREAM_READ_S = 0.5  # an endless stream is read this long (or for 20 events), then checked
# GraphQL has its own schema; the document itself and its rendering are pages, not the API
NOT_IN_CONTRACT = {"/graphql", "/openapi.yaml", "/docs"}
HARMONIZE_TABLE_FIELDS = {"body", "code_column", "sum", "mean", "weight", "category", "level"}


@pytest.fixture(scope="module")
def contract_api(loaded_sqlite: Path, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[tuple[Api, str]]:
    import shutil
    path = tmp_path_factory.mktemp("contract") / "registry.db"
    shutil.copy(loaded_sqlite, path)
    for api in start(f"sqlite:///{path}"):
        yield api, api.token("schemathesis")


@pytest.fixture(scope="module")
def openapi_schema(contract_api: tuple[Api, str]) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.yaml", contract_api[0].client.app)


JSON_LITERALS = ['{}', '"text"', '1', 'null', '[1, "a", {b: true}]',
                 '{act: {kind: "decision", effective: "2026-01-01"}, changes: []}',
                 '{act: {kind: "decision", effective: "2026-13-01"}, changes: [{rename: {}}]}']
schemathesis.graphql.scalar("JSON", st.sampled_from(JSON_LITERALS).map(graphql_core.parse_value))


@pytest.fixture(scope="module")
def graphql_schema(contract_api: tuple[Api, str]) -> Any:
    return schemathesis.graphql.from_asgi("/graphql", contract_api[0].client.app)


def explore(strategy: Any, check: Callable[[Any], None], examples: int = EXAMPLES) -> None:
    """Run ``check`` on a bounded, derandomized sample of ``strategy``.

    (Plain hypothesis rather than schemathesis' pytest plugin, whose lazy loader does not work
    with pytest 9.)"""

    @given(case=strategy)
    @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    def run(case: Any) -> None:
        check(case)

    run()


OPERATIONS = [
    pytest.param(path, method.upper(), mode, id=f"{method.upper()} {path} {mode.value}")
    for path, ops in yaml.safe_load(OPENAPI.read_text())["paths"].items()
    for method, op in ops.items()
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    # negative examples need something to break: a parameter or a body
    if mode.is_positive or op.get("parameters") or op.get("requestBody")]


def schema_valid_requests_are_accepted(ctx: Any, response: Any, case: Any) -> bool | None:
    """A positive example is never refused as invalid (422 or 400), except for what a schema
    cannot know: an opaque cursor the server did not issue, a feed position beyond the log's
    head, an act's changes (valid or not by the registry's state), a table to harmonize whose
    columns are not the ones the parameters name, and a search text that folds to nothing."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code in (400, 422):
        problem = response.json()
        field = str(problem.get("field") or "")
        beyond_head = field in ("after", "Last-Event-ID") and "beyond the log's head" in problem["detail"]
        if field == "cursor" or beyond_head or (case.operation.path == "/v1/acts" and (
                field.startswith("changes") or problem["type"].endswith(":act-refused"))):
            return None
        if case.operation.path == "/v1/harmonize" and field in HARMONIZE_TABLE_FIELDS:
            return None  # the columns named must be the table's: a schema cannot say so
        if case.operation.path == "/v1/search" and field == "q" and \
                "give some text" in problem["detail"]:
            return None  # text that folds to nothing (spaces, lone accents): no schema says so
        raise AssertionError(f"a schema-valid request was refused: {problem}")
    return None


@pytest.mark.parametrize("path, method, mode", OPERATIONS)
def test_every_rest_answer_keeps_the_openapi_contract(
        openapi_schema: Any, contract_api: tuple[Api, str], path: str, method: str,
        mode: GenerationMode) -> None:
    operation = openapi_schema[path][method]
    headers = {"Authorization": f"Bearer {contract_api[1]}"} if method == "POST" else None

    extra = {"timeout": STREAM_READ_S} if path in STREAMS else {}

    def check(case: Any) -> None:
        case.call_and_validate(headers=headers, **extra, excluded_checks=[positive_data_acceptance],  # replaced by:
                               additional_checks=[schema_valid_requests_are_accepted])

    explore(operation.as_strategy(generation_mode=mode), check)


def test_no_graphql_query_makes_a_server_error(graphql_schema: Any,
                                               contract_api: tuple[Api, str]) -> None:
    """Any answer but a server error is fine for generated queries (a random id is rightly
    NOT_FOUND), so schemathesis' own GraphQL check, which fails on every error, is not used."""
    codes = {k.graphql_code for k in problems.TABLE.values()} | {
        "BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"}

    def check(case: Any) -> None:
        response = case.call(headers={"Authorization": f"Bearer {contract_api[1]}"})
        assert response.status_code == 200, response.text
        body = response.json()
        assert isinstance(body, dict) and ("data" in body or "errors" in body)
        for error in body.get("errors") or []:
            assert error.get("extensions", {}).get("code") in codes, error

    operations = [result.ok() for result in graphql_schema.get_all_operations()]
    assert {op.label for op in operations} >= {"Query.unit", "Query.units", "Mutation.recordAct"}
    for operation in operations:
        explore(operation.as_strategy(), check, GRAPHQL_EXAMPLES)


def test_every_route_is_documented_and_every_documented_path_is_served(api: Api) -> None:
    document = yaml.safe_load(OPENAPI.read_text())
    documented = {(path, method.upper()) for path, ops in document["paths"].items()
                  for method in ops}
    served = set()
    for route in api.client.app.routes:
        if isinstance(route, Route) and route.path not in NOT_IN_CONTRACT:
            served |= {(route.path, m) for m in (route.methods or ()) if m != "HEAD"}
        else:
            assert isinstance(route, Mount) or route.path in NOT_IN_CONTRACT
    assert served == documented


def test_the_served_document_is_the_checked_in_one(api: Api) -> None:
    response = api.client.get("/openapi.yaml")
    assert response.status_code == 200
    assert yaml.safe_load(response.text) == yaml.safe_load(OPENAPI.read_text())
