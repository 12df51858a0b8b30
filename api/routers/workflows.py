"""``/api/v1/workflows``: the lifecycle definitions proposals run on, with a diagram."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import CatalogDep, CurrentActor, DatabaseDep
from api.problems import responses
from api.retry import RetryingRoute
from api.schemas.workflows import WorkflowRead, WorkflowSummary

router = APIRouter(prefix="/api/v1/workflows", tags=["workflows"], route_class=RetryingRoute)


@router.get(
    "",
    operation_id="list_workflows",
    response_model=list[WorkflowSummary],
    responses=responses(401),
)
def list_workflows(catalog: CatalogDep, actor: CurrentActor) -> list[WorkflowSummary]:
    """Every loaded workflow version, by name then version (a handful: not paginated)."""
    return [WorkflowSummary.of(machine.definition) for machine in catalog.registry.all()]


@router.get(
    "/{name}",
    operation_id="get_workflow",
    response_model=WorkflowRead,
    responses=responses(401, 404, 422),
)
def get_workflow(
    name: Annotated[str, Path(max_length=64)],
    database: DatabaseDep,
    catalog: CatalogDep,
    actor: CurrentActor,
    version: Annotated[int | None, Query(ge=1, description="Default: the latest")] = None,
) -> WorkflowRead:
    """One workflow version in full: states, ballots with their rules in words, timers,
    actions with roles and guards, and a Mermaid `stateDiagram-v2`."""
    if version is None:
        machine = catalog.registry.latest(name)
    else:
        with database.reader() as session:  # an older version may exist only as a snapshot
            machine = catalog.machine(session, name, version)
    return WorkflowRead.of(machine.definition)
