"""Open proposal kinds: filing under a workflow by name, or under a kind's default workflow."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from testkit.http import Api, serve_in_process
from testkit.workflows import variant
from testkit.world import build_world

from governance_engine.lifecycle import load_bundled
from governance_engine.persistence.database import Database
from governance_engine.services.workflows import WorkflowCatalog

PROBLEM = "application/problem+json"


@pytest.fixture
def charter_api(database: Database, database_url: str, tmp_path: Path) -> Iterator[Api]:
    """The bundled workflows, plus ``charter_motion`` (kind ``motion``) and two workflows
    of kind ``report`` of which none is named ``report``."""
    catalog = WorkflowCatalog(
        [
            *load_bundled(),
            variant("charter_motion", "motion"),
            variant("annual-report", "report"),
            variant("incident_report", "report"),
        ]
    )
    world = build_world(database, catalog=catalog)
    with serve_in_process(world, database_url, tmp_path / "key.pem") as api:
        yield api


def post(api: Api, **fields: Any) -> Any:
    body = {"title": "Model cards", "sponsor": "wg-trust-validation", **fields}
    return api.post("/api/v1/proposals", json=body)


def test_filed_under_a_workflow_by_name(charter_api: Api) -> None:
    response = post(charter_api, workflow="charter_motion")
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["kind"] == "motion"
    assert created["workflow"]["name"] == "charter_motion"
    listed = charter_api.get("/api/v1/proposals", params={"kind": "motion"}).json()
    assert [item["id"] for item in listed["items"]] == [created["id"]]


def test_a_kind_alone_picks_its_default_workflow(charter_api: Api) -> None:
    only = post(charter_api, kind="motion")  # the only workflow serving the kind
    assert only.status_code == 201, only.text
    assert only.json()["workflow"]["name"] == "charter_motion"
    named = post(charter_api, kind="standard")  # several serve it: the one named after it
    assert named.status_code == 201, named.text
    assert named.json()["workflow"]["name"] == "standard"


def test_workflow_and_kind_must_agree(charter_api: Api) -> None:
    response = post(charter_api, workflow="charter_motion", kind="standard")
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"] == (
        "workflow 'charter_motion' serves proposals of kind 'motion', not 'standard'"
    )
    agreeing = post(charter_api, workflow="charter_motion", kind="motion")
    assert agreeing.status_code == 201, agreeing.text


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        (
            {"workflow": "manifesto"},
            "there is no workflow 'manifesto' (known: annual-report, charter_motion, guideline, "
            "incident_report, project, standard)",
        ),
        (
            {"kind": "manifesto"},
            "no workflow serves proposals of kind 'manifesto' "
            "(kinds: guideline, motion, project, report, standard)",
        ),
        (
            {"kind": "report"},
            "several workflows serve kind 'report' (annual-report, incident_report) and none is "
            "named 'report': name the workflow",
        ),
    ],
)
def test_unknown_or_ambiguous_choices_are_clear_problems(
    charter_api: Api, fields: dict[str, str], detail: str
) -> None:
    response = post(charter_api, **fields)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"] == detail
    assert charter_api.get("/api/v1/proposals").json()["items"] == []


@pytest.mark.parametrize(
    ("fields", "location"),
    [
        ({}, ("body",)),
        ({"kind": "Motion"}, ("body", "kind")),
        ({"workflow": "charter motion"}, ("body", "workflow")),
    ],
)
def test_malformed_choices_are_refused_before_the_service(
    charter_api: Api, fields: dict[str, str], location: tuple[str, ...]
) -> None:
    response = post(charter_api, **fields)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert location in {tuple(error["loc"]) for error in response.json()["errors"]}
