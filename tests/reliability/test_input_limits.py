"""Hostile input sizes: every free-text field has a cap, and one over it is a 422 naming it.

Bodies over 2 MB get 413 before they are parsed (``api/limits.py``; in process in
``tests/api/test_limits.py``, through the real server in ``test_secrets.py``). Below that cap
each text field has its own limit, counted in characters (not bytes), and going one over
it is refused with a problem whose ``errors[0].loc`` names the field, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from testkit.drive import file, open_ballot, take
from testkit.http import Api

from governance_engine.persistence.models import LogEntry
from governance_engine.services.ballots import MAX_RATIONALE

# (who, path given the proposal and ballot ids, body, the field, its limit)
Case = tuple[str, Callable[[int, int], str], dict[str, Any], str, int]

FILING = {"kind": "standard", "title": "T", "sponsor": "wg-trust-validation"}
CASES: dict[str, Case] = {
    "proposal title": ("wendy", lambda p, b: "/api/v1/proposals", FILING, "title", 300),
    "proposal summary": ("wendy", lambda p, b: "/api/v1/proposals", FILING, "summary", 5000),
    "proposal text": ("wendy", lambda p, b: "/api/v1/proposals", FILING, "text", 1_000_000),
    "revision text": (
        "wendy",
        lambda p, b: f"/api/v1/proposals/{p}/revisions",
        {},
        "text",
        1_000_000,
    ),
    "revision note": (
        "wendy",
        lambda p, b: f"/api/v1/proposals/{p}/revisions",
        {"text": "# t\n"},
        "note",
        2000,
    ),
    "action reason": (
        "wendy",
        lambda p, b: f"/api/v1/proposals/{p}/actions/withdraw",
        {},
        "reason",
        2000,
    ),
    "vote rationale": (
        "will",
        lambda p, b: f"/api/v1/ballots/{b}/votes",
        {"choice": "no"},
        "rationale",
        MAX_RATIONALE,
    ),
    "vote choice": ("will", lambda p, b: f"/api/v1/ballots/{b}/votes", {}, "choice", 32),
    "cancel reason": ("wendy", lambda p, b: f"/api/v1/ballots/{b}/cancel", {}, "reason", 2000),
    "token label": ("admin", lambda p, b: "/api/v1/tokens", {"person_id": 3}, "label", 200),
    "person name": (
        "admin",
        lambda p, b: "/api/v1/people",
        {"email": "new@example.org"},
        "name",
        200,
    ),
    "organization name": (
        "admin",
        lambda p, b: "/api/v1/organizations",
        {"kind": "company"},
        "name",
        200,
    ),
    "body description": (
        "admin",
        lambda p, b: "/api/v1/bodies",
        {"slug": "wg-new", "name": "New", "kind": "working_group"},
        "description",
        5000,
    ),
}


def _log_length(api: Api) -> int:
    with api.world.database.reader() as session:
        return int(session.scalar(select(func.count()).select_from(LogEntry)) or 0)


# The refusal happens in the request schema, before any database: one backend is enough.
@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_a_text_one_over_its_limit_is_a_422_naming_the_field(
    api: Api, case: str, backend: str
) -> None:
    who, path, body, field, limit = CASES[case]
    proposal_id = file(api.world, text="# Spec\n")
    take(api.world, proposal_id, "submit", "wendy")
    ballot_id = open_ballot(api.world, proposal_id, "wendy")
    before = _log_length(api)
    # Multi-byte characters where the body stays under the 2 MB cap even as JSON escapes.
    text = ("é" if limit < 100_000 else "x") * (limit + 1)
    response = api.post(path(proposal_id, ballot_id), who, json={**body, field: text})
    assert response.status_code == 422, response.text
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert problem["errors"][0]["loc"] == ["body", field], problem
    assert field in problem["detail"]
    assert _log_length(api) == before


def test_a_title_of_exactly_its_limit_in_multibyte_characters_is_accepted(api: Api) -> None:
    title = "標" * 300  # 900 bytes of UTF-8, 300 characters
    response = api.post("/api/v1/proposals", json={**FILING, "title": title})
    assert response.status_code == 201, response.text
    assert response.json()["title"] == title
