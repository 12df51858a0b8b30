"""Schemathesis, stateful: sequences of calls that follow the OpenAPI links.

A proposal's links lead to its actions, ballots, revisions and history; ballots and decisions
link on in turn. Schemathesis files proposals, follows those links with the ids the responses
gave, and checks every answer: no server error, a documented status and content type, a body
that matches its schema. Bounded in examples and steps; SQLite only (the HTTP contract does
not depend on the database; the other API tests run on both).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case, Response
from schemathesis.checks import not_a_server_error
from schemathesis.generation.stateful import run_state_machine_as_test
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from testkit.asgi import served_by_the_fixture
from testkit.http import Api

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def backend() -> str:
    """Overrides the conftest's parametrized backend: this module runs on SQLite only."""
    return "sqlite"


def linked_operations(document: dict[str, Any]) -> int:
    return sum(
        1
        for path in document["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict)
        for answer in operation.get("responses", {}).values()
        if answer.get("links")
    )


def test_sequences_that_follow_the_links(api: Api) -> None:
    document = api.get("/openapi.json", who=None).json()
    assert linked_operations(document) >= 5, "the document has too few links to follow"
    schema = schemathesis.openapi.from_asgi("/openapi.json", served_by_the_fixture(api.client.app))
    headers = api.headers("wendy")  # a working-group chair: files, revises, acts, opens ballots
    calls: list[tuple[str, int]] = []

    class Stateful(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Case[Any]) -> dict[str, Any]:
            return {"headers": headers}

        def validate_response(
            self, response: Response, case: Case[Any], additional_checks: Any = None, **kwargs: Any
        ) -> None:
            calls.append((case.operation.label, response.status_code))
            case.validate_response(response, checks=CHECKS, headers=headers)

    run_state_machine_as_test(
        Stateful,
        settings=settings(
            max_examples=15,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    operations = {label for label, _ in calls}
    assert len(calls) >= 30, calls
    assert len(operations) >= 5, operations  # it really moved along links, not one call
