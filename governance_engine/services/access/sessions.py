"""Ending a person's browser sessions (admins): every browser they are signed in on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from governance_engine.errors import NotFound
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import Person
from governance_engine.persistence.repositories import access as queries
from governance_engine.services.actor import Actor
from governance_engine.services.permissions import require_admin


def end_sessions_of(session: Session, *, actor: Actor, at: datetime, person_id: int) -> int:
    """End all live sessions of a person (admins); how many ended. Their API tokens are not
    touched: revoke those with the tokens API."""
    require_admin(actor, "end people's sessions")
    if session.get(Person, person_id) is None:
        raise NotFound(f"there is no person {person_id}")
    ended = queries.end_sessions(session, at=at, person_id=person_id)
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="sessions.ended",
        subject_type="person",
        subject_id=person_id,
        payload={"sessions_ended": ended},
    )
    return ended
