"""Schemathesis over the whole OpenAPI document: no 5xx, and every answer is documented.

Every operation gets a few generated requests that fit its schema and a few that do not, sent
in-process to the app the ``api`` fixture serves, with a real bearer token (an admin's, then a
working-group member's). Each response must be no server error, carry a documented status code
and content type, and have a body (and headers) that match the documented schema.

Bounded: a handful of examples per operation and mode, derandomized so a run is repeatable, no
shrinking. SQLite only: the point is the contract of the HTTP layer, which does not depend on
the database (the other API tests run on both).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from testkit.asgi import served_by_the_fixture
from testkit.http import Api

EXAMPLES = 6  # per operation and generation mode
MINIMUM_OPERATIONS = 60  # the API had 70 operations when this was written; it only grows
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Revoking a token can hit the fuzzer's own (token ids are small integers), after which every
# answer is a documented 401: fuzz it last so it cannot blind the other operations.
LAST = {"revoke_token"}

Operation = APIOperation[Any, Any, Any, Any]


@pytest.fixture
def backend() -> str:
    """Overrides the conftest's parametrized backend: this module runs on SQLite only."""
    return "sqlite"


@dataclass
class Run:
    """What the fuzzer saw: the statuses of each operation, and its check failures by status
    code, each with the first request that showed it (as curl, the token filtered out)."""

    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    findings: dict[tuple[str, int], str] = field(default_factory=dict)
    refused_token: list[str] = field(default_factory=list)
    """Operations that answered 401 to a request carrying the token (positive mode: negative
    mode also sends requests without the Authorization header, and those must get 401)."""

    def saw(self, operation: Operation, case: Case[Any], status: int) -> None:
        self.statuses.setdefault(operation.label, Counter())[status] += 1
        positive = case.meta is not None and case.meta.generation.mode.is_positive
        if status == 401 and positive:
            self.refused_token.append(operation.label)

    def failed(
        self, operation: Operation, case: Case[Any], status: int, group: FailureGroup
    ) -> None:
        mode = case.meta.generation.mode.value if case.meta is not None else "explicit"
        self.findings.setdefault((operation.label, status), f"({mode} example) {group}")

    def report(self) -> str:
        found = "\n\n".join(
            f"== {label} answered {status}: {text}"
            for (label, status), text in self.findings.items()
        )
        return f"{len(self.findings)} findings\n\n{found}"


def fuzz(operation: Operation, headers: dict[str, str], run: Run) -> None:
    """Send ``EXAMPLES`` requests that fit the schema and as many that do not; check each
    answer, and keep going after a failure so that one finding does not hide the next."""
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    strategy = st.one_of(*(operation.as_strategy(generation_mode=mode) for mode in modes))

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES * len(modes),
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def exchange(case: Case[Any]) -> None:
        response = case.call(headers=headers)
        run.saw(operation, case, response.status_code)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            run.failed(operation, case, response.status_code, group)

    exchange()


@pytest.mark.parametrize("who", ["admin", "will"])
def test_every_operation_answers_as_documented(api: Api, who: str) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", served_by_the_fixture(api.client.app))
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"schemathesis cannot read an operation: {result.err()}"
        operations.append(result.ok())
    operations.sort(key=lambda operation: operation.definition.raw["operationId"] in LAST)
    headers = {"Authorization": f"Bearer {api.tokens[who]}"}
    run = Run()
    for operation in operations:
        fuzz(operation, headers, run)

    exercised = [label for label, seen in run.statuses.items() if seen.total()]
    assert len(exercised) == len(operations) >= MINIMUM_OPERATIONS, run.statuses
    last = {op.label for op in operations if op.definition.raw["operationId"] in LAST}
    assert set(run.refused_token) <= last, f"the token stopped working: {run.refused_token}"
    assert run.statuses["GET /api/v1/people/me"][200], run.statuses["GET /api/v1/people/me"]
    assert not run.findings, run.report()
