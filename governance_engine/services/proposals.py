"""Proposal use cases: file, revise, take an action, list what a person may do now.

Every change locks the proposal row, checks state, role and guards, bumps the proposal's
``version`` and appends its log entry, all in the caller's unit of work.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from governance_engine.errors import (
    ActionNotAvailable,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    StaleVersion,
)
from governance_engine.lifecycle import ActionDefinition, ProposalFacts, RoleRef, WorkflowMachine
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import (
    Ballot,
    Body,
    Person,
    Proposal,
    ProposalAuthor,
    Revision,
)
from governance_engine.persistence.repositories import directory
from governance_engine.persistence.repositories import proposals as queries
from governance_engine.services import (
    ballot_records,
    body_refs,
    concerns,
    filing,
    gating,
    objections,
)
from governance_engine.services.body_refs import BodyRefs
from governance_engine.services.decisions import record_decision
from governance_engine.services.identity import Actor
from governance_engine.services.permissions import require_writer
from governance_engine.services.roles import BodyNames, roles_for
from governance_engine.services.workflows import WorkflowCatalog

MAX_TITLE = 300
MAX_SUMMARY = 5_000
MAX_REVISION_BYTES = 1_000_000


@dataclass(frozen=True)
class AvailableAction:
    """An action the person's roles allow from the current state, and what still stops it."""

    name: str
    dest: str
    description: str
    blocked_by: tuple[str, ...]
    override: bool = False
    """Only as an override the workflow declares (the stage's ballot has not passed): the
    person must give a reason, and it is logged as an override."""

    @property
    def ready(self) -> bool:
        return not self.blocked_by


def digest_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check_text(title: str, summary: str) -> tuple[str, str]:
    title = title.strip()
    if not title or len(title) > MAX_TITLE:
        raise InvalidInput(f"a title must have 1 to {MAX_TITLE} characters", field="title")
    if len(summary) > MAX_SUMMARY:
        raise InvalidInput(f"a summary may have at most {MAX_SUMMARY} characters", field="summary")
    return title, summary.strip()


def _check_revision_text(text: str) -> None:
    if not text.strip():
        raise InvalidInput("a revision needs some text", field="text")
    if len(text.encode("utf-8")) > MAX_REVISION_BYTES:
        raise InvalidInput(
            f"a revision may be at most {MAX_REVISION_BYTES} bytes of UTF-8", field="text"
        )


def get_proposal(session: Session, proposal_id: int, *, for_update: bool = False) -> Proposal:
    proposal = queries.get(session, proposal_id, for_update=for_update)
    if proposal is None:
        raise NotFound(f"there is no proposal {proposal_id}")
    return proposal


def file_proposal(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    catalog: WorkflowCatalog,
    title: str,
    sponsor_slug: str,
    kind: str | None = None,
    workflow: str | None = None,
    summary: str = "",
    text: str | None = None,
    author_ids: Sequence[int] = (),
) -> Proposal:
    """File a proposal in its workflow's initial state.

    The workflow is named, or it is the default workflow of ``kind`` (``WorkflowCatalog.choose``).
    The sponsor is a body of a kind the workflow accepts (``sponsor_kinds``, by default
    working groups). Allowed to the chair or co-chair of the sponsoring body, or to a voting
    member of it who is among the named authors.
    """
    require_writer(actor)
    if actor.person_id is None:
        raise PermissionDenied("proposals are filed by people")
    title, summary = _check_text(title, summary)
    machine = catalog.choose(workflow=workflow, kind=kind)
    sponsor = directory.body_by_slug(session, sponsor_slug)
    if sponsor is None:
        raise NotFound(f"there is no body {sponsor_slug!r}", field="sponsor")
    accepted = machine.definition.sponsor_kinds
    if sponsor.kind not in accepted:
        raise InvalidInput(
            f"{sponsor_slug} is a body of kind {sponsor.kind!r}; workflow "
            f"{machine.definition.label} is sponsored by a body of kind {' or '.join(accepted)}",
            field="sponsor",
        )
    authors = list(dict.fromkeys(author_ids or [actor.person_id]))
    for person_id in authors:
        person = session.get(Person, person_id)
        if person is None or not person.active:
            raise InvalidInput(f"author {person_id} is not an active person", field="author_ids")
    seats = directory.active_seats(session, at=at, person_id=actor.person_id, body_id=sponsor.id)
    if not filing.may_file(seats, as_author=actor.person_id in authors):
        raise PermissionDenied(
            f"only the chair of {sponsor.slug}, or a voting member of it named as an author, "
            "may file a proposal there"
        )
    if text is not None:
        _check_revision_text(text)
    definition = machine.definition
    refs = BodyRefs.load(session)
    for ref, where in body_refs.references(definition):
        refs.require(ref, definition, where)
    catalog.record(session, machine, at=at, actor_id=actor.person_id)
    proposal = Proposal(
        kind=definition.kind,
        title=title,
        summary=summary,
        sponsor_body_id=sponsor.id,
        state=definition.initial,
        workflow_name=definition.name,
        workflow_version=definition.version,
        version=1,
        filed_by_id=actor.person_id,
        created_at=at,
        updated_at=at,
        state_entered_at=at,
    )
    session.add(proposal)
    session.flush()
    session.add_all(ProposalAuthor(proposal_id=proposal.id, person_id=pid) for pid in authors)
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="proposal.filed",
        subject_type="proposal",
        subject_id=proposal.id,
        proposal_id=proposal.id,
        body_id=sponsor.id,
        payload={
            "kind": definition.kind,
            "title": title,
            "summary": summary,
            "sponsor": sponsor.slug,
            "authors": authors,
            "workflow": definition.name,
            "workflow_version": definition.version,
            "workflow_digest": definition.digest(),
            "state": proposal.state,
        },
    )
    if text is not None:
        _append_revision(session, proposal, actor=actor, at=at, text=text, note="initial text")
    return proposal


def add_revision(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    catalog: WorkflowCatalog,
    proposal_id: int,
    text: str,
    note: str = "",
    expected_version: int | None = None,
) -> Revision:
    """Add the next immutable revision. Refused while a ballot is open on the current text."""
    require_writer(actor)
    proposal = get_proposal(session, proposal_id, for_update=True)
    _check_version(proposal, expected_version)
    machine = catalog.machine(session, proposal.workflow_name, proposal.workflow_version)
    if machine.definition.states[proposal.state].terminal:
        raise Conflict(f"proposal {proposal.id} is {proposal.state}: it takes no more revisions")
    roles = roles_for(session, actor=actor, proposal=proposal, at=at)
    if not roles & {"author", "sponsor.chair", "sponsor.co_chair"}:
        names = BodyNames.load(session, proposal)
        raise PermissionDenied(
            f"only an author or the chair of {names.sponsor} may add a revision to proposal "
            f"{proposal.id}"
        )
    ballot = queries.open_ballot(session, proposal.id)
    if ballot is not None:
        raise Conflict(
            f"ballot {ballot.id} is open on the current revision of proposal {proposal.id}: "
            "close or cancel it before adding a revision",
            ballot_id=ballot.id,
        )
    _check_revision_text(text)
    current = queries.current_revision(session, proposal.id)
    if current is not None and current.digest == digest_text(text):
        raise InvalidInput(f"the text is identical to revision {current.number}", field="text")
    return _append_revision(session, proposal, actor=actor, at=at, text=text, note=note)


def _append_revision(
    session: Session, proposal: Proposal, *, actor: Actor, at: datetime, text: str, note: str
) -> Revision:
    number = queries.revision_count(session, proposal.id) + 1
    revision = Revision(
        proposal_id=proposal.id,
        number=number,
        text=text,
        digest=digest_text(text),
        note=note.strip()[:2000],
        created_by_id=actor.person_id if actor.person_id is not None else proposal.filed_by_id,
        created_at=at,
    )
    session.add(revision)
    proposal.version += 1
    proposal.updated_at = at
    session.flush()
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="revision.added",
        subject_type="proposal",
        subject_id=proposal.id,
        proposal_id=proposal.id,
        body_id=proposal.sponsor_body_id,
        payload={"number": number, "digest": revision.digest, "note": revision.note},
    )
    return revision


def proposal_facts(
    session: Session, proposal: Proposal, refs: BodyRefs | None = None
) -> ProposalFacts:
    """What the workflow's guards may look at, read from the database.

    Standing concerns (open or addressed) and holding objections (open, or upheld on the
    current text) are counted and named, so a refused action says which and whose.
    """
    current = queries.current_revision(session, proposal.id)
    passed: set[str] = set()
    stage_passed = False
    if current is not None:
        latest: dict[str, Ballot] = {}
        refs = refs or BodyRefs.load(session, proposal)
        bodies = {body.id: body for body in refs.bodies}
        closed = queries.closed_ballots_on_digest(session, proposal.id, current.digest)
        for ballot in closed:
            for ref in refs.refs_of(bodies[ballot.body_id]):
                latest[ref] = ballot
        passed = {ref for ref, ballot in latest.items() if ballot.outcome == "passed"}
        stage_passed = gating.stage_ballot_passed(proposal, closed)
    concern_labels = concerns.blocking_labels(session, proposal.id)
    objection_labels = objections.holding_labels(
        session, proposal.id, current.digest if current is not None else None
    )
    return ProposalFacts(
        revision_count=current.number if current is not None else 0,
        open_ballot=queries.open_ballot(session, proposal.id) is not None,
        passed_on_current_revision=frozenset(passed),
        open_concerns=len(concern_labels),
        open_objections=len(objection_labels),
        open_concern_labels=concern_labels,
        open_objection_labels=objection_labels,
        stage_ballot_passed=stage_passed,
    )


def _check_version(proposal: Proposal, expected_version: int | None) -> None:
    if expected_version is not None and proposal.version != expected_version:
        raise StaleVersion(
            f"proposal {proposal.id} is at version {proposal.version}, not {expected_version}: "
            "reload it and try again",
            current_version=proposal.version,
        )


def _allowed(action: ActionDefinition, roles: frozenset[str]) -> bool:
    return any(action.allows(role) for role in roles)


def take_action(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    catalog: WorkflowCatalog,
    proposal_id: int,
    action: str,
    expected_version: int | None = None,
    reason: str = "",
    decided_by: Body | None = None,
) -> Proposal:
    """Fire ``action`` on the proposal's workflow: state, role, guards, then the change and its log.

    ``decided_by`` names the body whose ballot caused a system action; it numbers the
    decision recorded when the action ends the lifecycle.
    """
    require_writer(actor)
    proposal = get_proposal(session, proposal_id, for_update=True)
    _check_version(proposal, expected_version)
    machine = catalog.machine(session, proposal.workflow_name, proposal.workflow_version)
    definition = _available(machine, proposal, action)
    names = BodyNames.load(session, proposal)  # the directory's bodies, read once
    roles = roles_for(session, actor=actor, proposal=proposal, at=at, refs=names.refs)
    if not _allowed(definition, roles):
        for role in definition.roles:  # a body the action needs may be what is missing
            if role.body is not None and names.refs.resolve(role.body) is None:
                where = f"actions.{action}.roles: {role}"
                names.refs.require(role.body, machine.definition, where)
        raise PermissionDenied(
            f"only {names.describe_any(definition.roles)} may {action} proposal {proposal.id}"
        )
    facts = proposal_facts(session, proposal, names.refs)
    override = gating.enforce(
        machine,
        proposal,
        definition,
        roles,
        facts.stage_ballot_passed,
        reason,
        describe=names.describe_any,
    )
    if override:  # the declared override stands in for the stage's passed ballot
        facts = replace(facts, stage_ballot_passed=True)
    source = proposal.state
    proposal.state = machine.fire(source, action, facts)
    _cancel_abandoned_ballot(session, proposal, actor=actor, at=at, action=action)
    proposal.version += 1
    proposal.updated_at = at
    proposal.state_entered_at = at
    session.flush()
    payload: dict[str, object] = {
        "action": action,
        "from": source,
        "to": proposal.state,
        "version": proposal.version,
        "reason": reason.strip()[:2000],
    }
    if override:
        payload["override"] = True
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="proposal.transitioned",
        subject_type="proposal",
        subject_id=proposal.id,
        proposal_id=proposal.id,
        body_id=proposal.sponsor_body_id,
        payload=payload,
    )
    target = machine.definition.states[proposal.state]
    if target.terminal:
        body = decided_by or _deciding_body(session, proposal, definition, roles, names.refs)
        current = queries.current_revision(session, proposal.id)
        record_decision(
            session,
            at=at,
            actor_id=actor.person_id,
            body=body,
            proposal=proposal,
            kind="transition",
            outcome=proposal.state,
            summary=f"proposal {proposal.id} ({proposal.title}) {action}: {source} -> "
            f"{proposal.state}"
            + (f" (override of the {source} ballot: {reason.strip()[:2000]})" if override else ""),
            digest=current.digest if current is not None else None,
        )
    return proposal


def _cancel_abandoned_ballot(
    session: Session, proposal: Proposal, *, actor: Actor, at: datetime, action: str
) -> None:
    """A proposal that leaves a stage while its ballot is open takes the ballot with it."""
    ballot = queries.open_ballot(session, proposal.id)
    if ballot is not None and ballot.stage != proposal.state:
        ballot_records.cancel(
            session,
            ballot,
            proposal,
            actor_id=actor.person_id,
            at=at,
            reason=f"the proposal left {ballot.stage} by {action}",
        )


def withdraw(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    catalog: WorkflowCatalog,
    proposal_id: int,
    reason: str,
    expected_version: int | None = None,
) -> Proposal:
    """Withdraw a proposal: its workflow's ``withdraw`` action, with a reason on the record."""
    if not reason.strip():
        raise InvalidInput("withdrawing a proposal needs a reason", field="reason")
    return take_action(
        session,
        actor=actor,
        at=at,
        catalog=catalog,
        proposal_id=proposal_id,
        action="withdraw",
        expected_version=expected_version,
        reason=reason,
    )


def _available(machine: WorkflowMachine, proposal: Proposal, action: str) -> ActionDefinition:
    definition = machine.definition.actions.get(action)
    if definition is None or proposal.state not in definition.sources:
        available = ", ".join(a.name for a in machine.available_actions(proposal.state)) or "none"
        raise ActionNotAvailable(
            f"action {action!r} is not available to proposal {proposal.id} in state "
            f"{proposal.state!r} (available: {available})",
            state=proposal.state,
        )
    return definition


def _deciding_body(
    session: Session,
    proposal: Proposal,
    action: ActionDefinition,
    roles: frozenset[str],
    refs: BodyRefs,
) -> Body:
    """The body on whose authority an action that ends the lifecycle was taken."""
    for granted in action.roles:
        if granted.body not in (None, "sponsor") and str(granted) in roles:
            body = refs.resolve(granted.body)
            if body is not None:
                return body
    sponsor = session.get(Body, proposal.sponsor_body_id)
    assert sponsor is not None  # a foreign key guarantees it
    return sponsor


def available_actions(
    session: Session, *, actor: Actor, at: datetime, catalog: WorkflowCatalog, proposal_id: int
) -> list[AvailableAction]:
    """The actions this person's roles allow from the current state, each with what blocks it."""
    proposal = get_proposal(session, proposal_id)
    machine = catalog.machine(session, proposal.workflow_name, proposal.workflow_version)
    if actor.is_auditor or actor.person_id is None:
        return []
    refs = BodyRefs.load(session, proposal)
    roles = roles_for(session, actor=actor, proposal=proposal, at=at, refs=refs)
    facts = proposal_facts(session, proposal, refs)
    result = []
    for action in machine.available_actions(proposal.state):
        if action.roles == (RoleRef(None, "system"),) or not _allowed(action, roles):
            continue
        gate = gating.check(machine, proposal, action, roles, facts.stage_ballot_passed)
        if gate is gating.Gate.CLOSED:
            continue  # forward out of a ballot stage that has not passed: not offered
        override = gate is gating.Gate.OVERRIDE
        seen = replace(facts, stage_ballot_passed=True) if override else facts
        blocked = machine.failed_guards(proposal.state, action.name, seen)
        result.append(
            AvailableAction(action.name, action.dest, action.description, tuple(blocked), override)
        )
    return result
