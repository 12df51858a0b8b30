"""Read models for the API and the pages: batched queries, secrecy applied in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from governance_engine.errors import NotFound, PermissionDenied
from governance_engine.log import EntryContent, VerifyResult
from governance_engine.persistence.models import Ballot, Body, LogEntry, Proposal, Revision
from governance_engine.persistence.repositories import directory
from governance_engine.persistence.repositories import log as log_queries
from governance_engine.persistence.repositories import proposals as queries
from governance_engine.services.identity import Actor
from governance_engine.services.log_audit import audit_log
from governance_engine.services.proposals import get_proposal

_SECRET_FIELDS = ("choice", "rationale", "previous")


@dataclass(frozen=True)
class ProposalSummary:
    proposal: Proposal
    sponsor: str
    authors: tuple[int, ...]
    current_revision: Revision | None


def _summaries(session: Session, rows: list[Proposal]) -> list[ProposalSummary]:
    ids = [proposal.id for proposal in rows]
    authors = queries.authors_of(session, ids)
    revisions = queries.current_revisions_of(session, ids)
    slugs = {body.id: body.slug for body in directory.all_bodies(session)}
    return [
        ProposalSummary(
            proposal=proposal,
            sponsor=slugs[proposal.sponsor_body_id],
            authors=tuple(authors[proposal.id]),
            current_revision=revisions.get(proposal.id),
        )
        for proposal in rows
    ]


def list_proposals(
    session: Session,
    *,
    after: int,
    limit: int,
    state: str | None = None,
    kind: str | None = None,
    sponsor: str | None = None,
    author_id: int | None = None,
    text: str | None = None,
    newest_first: bool = False,
) -> list[ProposalSummary]:
    """A page of proposals; ``text`` searches their titles, summaries and comments;
    ``newest_first`` lists the latest filed first (``after``: the last id seen, or 0)."""
    if text is not None and not text.strip():
        text = None
    sponsor_body_id = None
    if sponsor is not None:
        body = directory.body_by_slug(session, sponsor)
        if body is None:
            return []
        sponsor_body_id = body.id
    rows = queries.page(
        session,
        after=after,
        limit=limit,
        state=state,
        kind=kind,
        sponsor_body_id=sponsor_body_id,
        author_id=author_id,
        text=text,
        newest_first=newest_first,
    )
    return _summaries(session, rows)


def proposal_summary(session: Session, proposal_id: int) -> ProposalSummary:
    return _summaries(session, [get_proposal(session, proposal_id)])[0]


def revisions(session: Session, proposal_id: int) -> list[Revision]:
    get_proposal(session, proposal_id)
    return queries.revisions(session, proposal_id)


def revision(session: Session, proposal_id: int, number: int) -> Revision:
    for candidate in revisions(session, proposal_id):
        if candidate.number == number:
            return candidate
    raise NotFound(f"proposal {proposal_id} has no revision {number}")


def proposal_ballots(session: Session, proposal_id: int) -> list[Ballot]:
    get_proposal(session, proposal_id)
    return queries.ballots_of(session, proposal_id)


@dataclass(frozen=True)
class LogEntryView:
    entry: LogEntry
    payload: dict[str, Any]
    redacted: bool


def redact(entry: LogEntry, viewer: Actor) -> LogEntryView:
    """Hide how someone voted on a secret ballot from everyone but auditors."""
    payload, hidden = redacted_payload(entry, viewer)
    return LogEntryView(entry, payload, redacted=hidden)


def redacted_payload(entry: LogEntry | EntryContent, viewer: Actor) -> tuple[dict[str, Any], bool]:
    """The entry's payload as ``viewer`` may see it, and whether anything was hidden."""
    payload = dict(entry.payload)
    hidden = bool(
        payload.get("secret")
        and entry.action.startswith("vote.")
        and not viewer.is_auditor
        and payload.get("voter_id") != viewer.person_id
    )
    if hidden:
        for field in _SECRET_FIELDS:
            payload.pop(field, None)
    return payload, hidden


def history(
    session: Session, *, viewer: Actor, proposal_id: int, after: int, limit: int
) -> list[LogEntryView]:
    get_proposal(session, proposal_id)
    entries = log_queries.page(session, after=after, limit=limit, proposal_id=proposal_id)
    return [redact(entry, viewer) for entry in entries]


def require_log_reader(viewer: Actor) -> None:
    """The whole decision log is for auditors and admins (DESIGN §1)."""
    if not (viewer.is_auditor or viewer.is_admin):
        raise PermissionDenied("only auditors and admins may read the decision log")


def verify_log(
    session: Session, *, viewer: Actor, public_key: Ed25519PublicKey | None = None
) -> VerifyResult:
    """The chain, then the log against the latest signed checkpoint (``services.log_audit``)."""
    require_log_reader(viewer)
    return audit_log(session, public_key=public_key).as_result()


def log_page(
    session: Session,
    *,
    viewer: Actor,
    after: int,
    limit: int,
    proposal_id: int | None = None,
    body: str | None = None,
    actor_id: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    newest_first: bool = False,
) -> list[LogEntryView]:
    require_log_reader(viewer)
    body_id = None
    if body is not None:
        found: Body | None = directory.body_by_slug(session, body)
        if found is None:
            return []
        body_id = found.id
    entries = log_queries.page(
        session,
        after=after,
        limit=limit,
        proposal_id=proposal_id,
        body_id=body_id,
        actor_id=actor_id,
        action=action,
        since=since,
        until=until,
        newest_first=newest_first,
    )
    return [redact(entry, viewer) for entry in entries]
