"""Who may file a proposal where: the rule ``proposals.file_proposal`` enforces, and what the
filing form offers from it (the sponsoring bodies and the workflows they may sponsor).

Rule: the chair or co-chair of the sponsoring body files there; a voting member of it files
only as one of the proposal's authors; the sponsor's kind is among the workflow's
``sponsor_kinds``. The form only narrows what it offers; the service still decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from governance_engine.lifecycle import WorkflowDefinition
from governance_engine.persistence.models import Body, Seat, SeatRole
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


def may_file(seats: Iterable[Seat], *, as_author: bool) -> bool:
    """Whether these seats (on one body) let their holder file a proposal there."""
    held = list(seats)
    if any(seat.role in _FILERS for seat in held):
        return True
    return as_author and any(seat.voting for seat in held)


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
        ):  # the form files with its filer as the author
            if body.kind in kinds and may_file([seat], as_author=True):
                sponsors[body.id] = body
    held = {body.kind for body in sponsors.values()}
    workflows = tuple(d for d in offered if held & set(d.sponsor_kinds))
    return FilingChoices(tuple(sorted(sponsors.values(), key=lambda b: b.name)), workflows)
