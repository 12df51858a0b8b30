"""What a person may file, for the filing form: the sponsoring bodies and the workflows.

The rule is the one ``proposals.file_proposal`` enforces (a chair or co-chair of the sponsor,
or a voting member of it filing as an author; the sponsor's kind among the workflow's
``sponsor_kinds``); this only narrows what the form offers, the service still decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from governance_engine.lifecycle import WorkflowDefinition
from governance_engine.persistence.models import Body, SeatRole
from governance_engine.persistence.repositories import directory
from governance_engine.services.actor import Actor
from governance_engine.services.workflows import WorkflowCatalog

_FILERS = (SeatRole.CHAIR, SeatRole.CO_CHAIR)


@dataclass(frozen=True)
class FilingChoices:
    sponsors: tuple[Body, ...]
    """Bodies the person may file in, by name."""
    workflows: tuple[WorkflowDefinition, ...]
    """Workflows one of those bodies may sponsor."""


def sponsor_kinds(catalog: WorkflowCatalog) -> frozenset[str]:
    """The kinds of body that sponsor proposals under some workflow offered for filing."""
    return frozenset(kind for definition in catalog.offered() for kind in definition.sponsor_kinds)


def filing_choices(
    session: Session, *, actor: Actor, at: datetime, catalog: WorkflowCatalog
) -> FilingChoices:
    offered = catalog.offered()
    kinds = sponsor_kinds(catalog)
    sponsors: dict[int, Body] = {}
    if actor.person_id is not None:
        for seat, body in directory.active_seats_with_bodies(
            session, person_id=actor.person_id, at=at
        ):
            if body.kind in kinds and (seat.role in _FILERS or seat.voting):
                sponsors[body.id] = body
    held = {body.kind for body in sponsors.values()}
    workflows = tuple(d for d in offered if held & set(d.sponsor_kinds))
    return FilingChoices(tuple(sorted(sponsors.values(), key=lambda b: b.name)), workflows)
