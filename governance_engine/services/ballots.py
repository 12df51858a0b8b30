"""Ballot use cases: open, vote (in person or by proxy), amend the electorate, close, cancel.

Opening a ballot freezes who may vote (the voting seats active at that moment), the rule (a
copy, so later changes to a preset never reach it), the revision digest and the deadline.
Closing evaluates the frozen rule, records a numbered decision, and fires the workflow action
the stage names for the outcome, all in one unit of work.

Lock order, everywhere: proposal row, then ballot row, then the log head.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from governance_engine.errors import (
    ActionNotAvailable,
    BallotNotOpen,
    Conflict,
    GuardFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
    ProxyOverruled,
    StaleVersion,
)
from governance_engine.lifecycle import BallotStage, WorkflowDefinition, humanize
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import (
    Ballot,
    BallotElector,
    Body,
    Decision,
    Proposal,
    SeatRole,
    Vote,
)
from governance_engine.persistence.repositories import ballots as queries
from governance_engine.persistence.repositories import directory
from governance_engine.persistence.repositories import proposals as proposal_queries
from governance_engine.services import ballot_records, proposals
from governance_engine.services.body_refs import BodyRefs
from governance_engine.services.decisions import record_decision
from governance_engine.services.identity import Actor
from governance_engine.services.permissions import require_writer
from governance_engine.services.workflows import WorkflowCatalog
from governance_engine.voting import Elector, Evaluation, Rule, evaluate

MAX_RATIONALE = 10_000
MAX_BALLOT_DURATION = timedelta(days=366)


@dataclass(frozen=True)
class ClosedBallot:
    ballot: Ballot
    decision: Decision
    evaluation: Evaluation
    action: str | None  # the workflow action fired for the outcome, if it could be
    action_error: str | None = None


def get_ballot(session: Session, ballot_id: int, *, for_update: bool = False) -> Ballot:
    ballot = queries.get(session, ballot_id, for_update=for_update)
    if ballot is None:
        raise NotFound(f"there is no ballot {ballot_id}")
    return ballot


def frozen_rule(ballot: Ballot) -> Rule:
    return Rule.from_dict(ballot.rule)


def _reviewing_body(
    session: Session, definition: WorkflowDefinition, stage: BallotStage, proposal: Proposal
) -> Body:
    """The body the stage names (BodyMissing, 409, when the directory has none)."""
    where = f"states.{proposal.state}.ballot.body"
    return BodyRefs.load(session, proposal).require(stage.body, definition, where)


def _seat_roles(session: Session, actor: Actor, body: Body, at: datetime) -> set[str]:
    if actor.person_id is None:
        return set()
    seats = directory.active_seats(session, at=at, person_id=actor.person_id, body_id=body.id)
    return {seat.role for seat in seats}


def _require_officer(
    session: Session, actor: Actor, body: Body, at: datetime, roles: set[str], doing: str
) -> None:
    require_writer(actor)
    if actor.person_id is None:
        return  # the system (tick) acts on every body's behalf
    if not _seat_roles(session, actor, body, at) & roles:
        words = " or ".join(sorted(role.replace("_", "-") for role in roles))
        raise PermissionDenied(f"only the {words} of {body.slug} may {doing}")


def open_ballot(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    catalog: WorkflowCatalog,
    proposal_id: int,
    deadline: datetime | None = None,
    expected_version: int | None = None,
) -> Ballot:
    """Open the ballot the proposal's current stage calls for (chair, co-chair or secretary)."""
    require_writer(actor)
    proposal = proposals.get_proposal(session, proposal_id, for_update=True)
    if expected_version is not None and proposal.version != expected_version:
        raise StaleVersion(
            f"proposal {proposal.id} is at version {proposal.version}, not {expected_version}",
            current_version=proposal.version,
        )
    machine = catalog.machine(session, proposal.workflow_name, proposal.workflow_version)
    stage = machine.definition.states[proposal.state].ballot
    if stage is None:
        raise Conflict(
            f"proposal {proposal.id} is in state {proposal.state!r}, which calls for no ballot"
        )
    body = _reviewing_body(session, machine.definition, stage, proposal)
    officers = {SeatRole.CHAIR.value, SeatRole.CO_CHAIR.value, SeatRole.SECRETARY.value}
    _require_officer(session, actor, body, at, officers, "open a ballot there")
    existing = proposal_queries.open_ballot(session, proposal.id)
    if existing is not None:
        raise Conflict(f"ballot {existing.id} is already open on proposal {proposal.id}")
    revision = proposal_queries.current_revision(session, proposal.id)
    if revision is None:
        raise Conflict(f"proposal {proposal.id} has no revision to vote on")
    rule = stage.rule
    if deadline is None:
        if rule.duration is None:
            raise InvalidInput(
                f"rule {rule.name!r} sets no duration: give the ballot a deadline",
                field="deadline",
            )
        deadline = at + rule.duration
    if deadline <= at:
        raise InvalidInput("a ballot's deadline must be in the future", field="deadline")
    if deadline - at > MAX_BALLOT_DURATION:
        raise InvalidInput("a ballot may run for at most 366 days", field="deadline")
    members = queries.voting_members(session, body.id, at)
    ballot = Ballot(
        proposal_id=proposal.id,
        revision_id=revision.id,
        body_id=body.id,
        stage=proposal.state,
        digest=revision.digest,
        rule_name=rule.name,
        rule=rule.to_dict(),
        secret=rule.secret,
        state="open",
        outcome=None,
        opened_by_id=actor.person_id if actor.person_id is not None else proposal.filed_by_id,
        opened_at=at,
        deadline=deadline,
        version=1,
    )
    session.add(ballot)
    session.flush()
    session.add_all(
        BallotElector(
            ballot_id=ballot.id,
            person_id=person.id,
            organization_id=person.organization_id,
            added_at=at,
        )
        for person in members
    )
    proposal.version += 1
    proposal.updated_at = at
    session.flush()
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="ballot.opened",
        subject_type="ballot",
        subject_id=ballot.id,
        proposal_id=proposal.id,
        body_id=body.id,
        payload={
            "stage": ballot.stage,
            "revision": revision.number,
            "digest": ballot.digest,
            "rule": ballot.rule,
            "deadline": deadline,
            "electorate": [
                {"person_id": person.id, "organization_id": person.organization_id}
                for person in members
            ],
            "secret": ballot.secret,
        },
    )
    return ballot


def _check_version(ballot: Ballot, expected_version: int | None) -> None:
    if expected_version is not None and ballot.current_version != expected_version:
        raise StaleVersion(
            f"ballot {ballot.id} is at version {ballot.current_version}, not {expected_version}",
            current_version=ballot.current_version,
        )


def _require_open(ballot: Ballot | queries.BallotForVote, at: datetime) -> None:
    if ballot.state != "open":
        raise BallotNotOpen(f"ballot {ballot.id} is {ballot.state}")
    if at >= ballot.deadline:
        raise BallotNotOpen(f"ballot {ballot.id} passed its deadline; it is waiting to be closed")


@dataclass(frozen=True, slots=True)
class CastVote:
    """A position just cast or changed (``changes``: how many times it has been changed)."""

    ballot_id: int
    voter_id: int
    choice: str
    rationale: str
    entered_by_id: int
    cast_at: datetime
    updated_at: datetime
    changes: int


@lru_cache(maxsize=256)
def _rule_from_text(text: str) -> Rule:
    return Rule.from_dict(json.loads(text))


def _cached_rule(rule: dict[str, Any]) -> Rule:
    """A ballot's frozen rule, parsed once per distinct rule rather than once per vote."""
    return _rule_from_text(json.dumps(rule, sort_keys=True))


def cast_vote(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    ballot_id: int,
    choice: str,
    rationale: str = "",
    on_behalf_of: int | None = None,
) -> CastVote:
    """Cast or change a position; a secretary of the body may enter one for a member (proxy).

    A proxy never overrules the member: a position the member entered themself cannot be
    replaced by a proxy (only the member may change it), while the member's own vote replaces a
    proxy entered before it. A change keeps the earlier position in the decision log. This is
    the busiest write, so it reads and writes only the columns it needs
    (``queries.lock_for_vote`` and friends).
    """
    require_writer(actor)
    if actor.person_id is None:
        raise PermissionDenied("votes are cast by people")
    session.flush()  # the statements below bypass the ORM's unit of work
    ballot = queries.lock_for_vote(session, ballot_id)
    if ballot is None:
        raise NotFound(f"there is no ballot {ballot_id}")
    _require_open(ballot, at)
    voter_id = actor.person_id if on_behalf_of is None else on_behalf_of
    if voter_id != actor.person_id:
        body = session.get(Body, ballot.body_id)
        assert body is not None
        _require_officer(
            session,
            actor,
            body,
            at,
            {SeatRole.SECRETARY.value},
            "enter a vote on a member's behalf",
        )
    elector = queries.elector_for_vote(session, ballot.id, voter_id)
    if elector is None or elector.removed:
        who = "you are" if voter_id == actor.person_id else f"person {voter_id} is"
        raise PermissionDenied(f"{who} not in the electorate of ballot {ballot.id}")
    if len(rationale) > MAX_RATIONALE:
        raise InvalidInput(f"a rationale may have at most {MAX_RATIONALE} characters")
    _cached_rule(ballot.rule).check_position(choice, rationale)
    rationale = rationale.strip()
    standing = elector.vote
    if standing is not None and voter_id != actor.person_id:
        _refuse_overruling_proxy(standing, voter_id, ballot.id)
    previous = (
        None if standing is None else {"choice": standing.choice, "rationale": standing.rationale}
    )
    queries.record_vote(
        session,
        ballot_id=ballot.id,
        voter_id=voter_id,
        entered_by_id=actor.person_id,
        choice=choice,
        rationale=rationale,
        at=at,
        standing=standing,
    )
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="vote.cast" if previous is None else "vote.changed",
        subject_type="ballot",
        subject_id=ballot.id,
        proposal_id=ballot.proposal_id,
        body_id=ballot.body_id,
        payload={
            "voter_id": voter_id,
            "entered_by": actor.person_id,
            "choice": choice,
            "rationale": rationale,
            "previous": previous,
            "secret": ballot.secret,
        },
    )
    return CastVote(
        ballot_id=ballot.id,
        voter_id=voter_id,
        choice=choice,
        rationale=rationale,
        entered_by_id=actor.person_id,
        cast_at=at if standing is None else standing.cast_at,
        updated_at=at,
        changes=0 if standing is None else standing.changes + 1,
    )


def _refuse_overruling_proxy(standing: queries.StandingVote, voter_id: int, ballot_id: int) -> None:
    """Voting in person revokes a proxy (Robert's Rules; the usual bylaw), never the reverse."""
    if standing.entered_by_id == voter_id:
        raise ProxyOverruled(
            f"person {voter_id} entered their own position on ballot {ballot_id}: a proxy "
            "cannot replace it (only the member may change it)",
            voter_id=voter_id,
        )


def amend_electorate(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    ballot_id: int,
    reason: str,
    add: Sequence[int] = (),
    remove: Sequence[int] = (),
    expected_version: int | None = None,
) -> Ballot:
    """Add people whose voting seat began, or remove those whose seat ended (chair, with a reason).

    Removed electors' rows are kept with the time and reason; their position stops counting.
    """
    ballot = get_ballot(session, ballot_id, for_update=True)
    body = session.get(Body, ballot.body_id)
    assert body is not None
    officers = {SeatRole.CHAIR.value, SeatRole.CO_CHAIR.value}
    _require_officer(session, actor, body, at, officers, "amend a ballot's electorate")
    _require_open(ballot, at)
    _check_version(ballot, expected_version)
    if not reason.strip():
        raise InvalidInput("amending an electorate needs a reason", field="reason")
    if not add and not remove:
        raise InvalidInput("name at least one person to add or remove")
    voting = {person.id: person for person in queries.voting_members(session, body.id, at)}
    added, removed = [], []
    for person_id in dict.fromkeys(add):
        if person_id not in voting:
            raise InvalidInput(f"person {person_id} holds no voting seat on {body.slug} now")
        elector = queries.elector(session, ballot.id, person_id)
        if elector is not None and elector.removed_at is None:
            raise Conflict(f"person {person_id} is already in the electorate of ballot {ballot.id}")
        if elector is None:
            session.add(
                BallotElector(
                    ballot_id=ballot.id,
                    person_id=person_id,
                    organization_id=voting[person_id].organization_id,
                    added_at=at,
                    change_reason=reason.strip(),
                )
            )
        else:
            elector.removed_at = None
            elector.change_reason = reason.strip()
        added.append(person_id)
    for person_id in dict.fromkeys(remove):
        elector = queries.elector(session, ballot.id, person_id)
        if elector is None or elector.removed_at is not None:
            raise InvalidInput(f"person {person_id} is not in the electorate of ballot {ballot.id}")
        elector.removed_at = at
        elector.change_reason = reason.strip()
        removed.append(person_id)
    ballot.version += 1
    session.flush()
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="ballot.electorate_amended",
        subject_type="ballot",
        subject_id=ballot.id,
        proposal_id=ballot.proposal_id,
        body_id=ballot.body_id,
        payload={
            "added": added,
            # the organization each added elector votes for (one-vote-per-organization rules)
            "organizations": {str(pid): voting[pid].organization_id for pid in added},
            "removed": removed,
            "reason": reason.strip(),
        },
    )
    return ballot


def evaluate_ballot(
    session: Session,
    ballot: Ballot,
    at: datetime,
    *,
    electors: Sequence[BallotElector] | None = None,
    votes: Sequence[Vote] | None = None,
) -> Evaluation:
    """The frozen rule applied to the current electorate and positions.

    A caller that already read the active electors and the votes passes them in, so they are
    not read twice.
    """
    if electors is None:
        electors = queries.electors(session, ballot.id)
    if votes is None:
        votes = queries.votes(session, ballot.id)
    electorate = [
        Elector(voter_id=e.person_id, organization_id=e.organization_id) for e in electors
    ]
    members = {elector.voter_id for elector in electorate}
    positions = {v.voter_id: v.choice for v in votes if v.voter_id in members}
    moment = at if ballot.closed_at is None else ballot.closed_at
    return evaluate(
        frozen_rule(ballot),
        electorate,
        positions,
        elapsed=moment - ballot.opened_at,
        at_deadline=moment >= ballot.deadline,
    )


def close_ballot(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    catalog: WorkflowCatalog,
    ballot_id: int,
    expected_version: int | None = None,
) -> ClosedBallot:
    """Close a ballot the rule lets close now: record the decision, fire the outcome's action.

    The chair or co-chair of the body closes by hand; ``tick`` closes as the system.
    """
    require_writer(actor)
    peek = get_ballot(session, ballot_id)
    proposal = proposals.get_proposal(session, peek.proposal_id, for_update=True)
    ballot = get_ballot(session, ballot_id, for_update=True)
    body = session.get(Body, ballot.body_id)
    assert body is not None
    officers = {SeatRole.CHAIR.value, SeatRole.CO_CHAIR.value}
    _require_officer(session, actor, body, at, officers, "close a ballot")
    if ballot.state != "open":
        raise BallotNotOpen(f"ballot {ballot.id} is already {ballot.state}")
    _check_version(ballot, expected_version)
    evaluation = evaluate_ballot(session, ballot, at)
    if not evaluation.may_close:
        raise Conflict(
            f"ballot {ballot.id} cannot close yet: "
            + "; ".join(evaluation.explanation.missing or evaluation.explanation.lines[-1:]),
            explanation=evaluation.explanation.to_dict(),
        )
    outcome = evaluation.outcome.value
    ballot.state = "closed"
    ballot.outcome = outcome
    ballot.closed_at = at
    ballot.closed_by_id = actor.person_id
    ballot.version += 1
    session.flush()
    tally = evaluation.explanation.to_dict()
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="ballot.closed",
        subject_type="ballot",
        subject_id=ballot.id,
        proposal_id=ballot.proposal_id,
        body_id=ballot.body_id,
        payload={"outcome": outcome, "tally": tally, "digest": ballot.digest},
    )
    decision = record_decision(
        session,
        at=at,
        actor_id=actor.person_id,
        body=body,
        proposal=proposal,
        kind="ballot",
        outcome=outcome,
        summary=f"{body.name} ballot {ballot.id} on proposal {proposal.id} ({proposal.title}), "
        f"stage “{humanize(ballot.stage)}”: {humanize(outcome).lower()}",
        tally=tally,
        rule=ballot.rule,
        digest=ballot.digest,
        ballot_id=ballot.id,
    )
    action, error = _fire_outcome(session, catalog, proposal, ballot, body, at)
    return ClosedBallot(ballot, decision, evaluation, action, error)


def _fire_outcome(
    session: Session,
    catalog: WorkflowCatalog,
    proposal: Proposal,
    ballot: Ballot,
    body: Body,
    at: datetime,
) -> tuple[str | None, str | None]:
    """Fire the action the stage names for the outcome; a refusal is logged, not fatal.

    The ballot's result stands either way. A guard can refuse the action, e.g. approval when an
    earlier body voted on an older revision; the chair then returns the proposal by hand.
    """
    machine = catalog.machine(session, proposal.workflow_name, proposal.workflow_version)
    stage = machine.definition.states[ballot.stage].ballot
    action = stage.outcomes.get(ballot.outcome or "") if stage else None
    if action is None or proposal.state != ballot.stage:
        return None, None
    try:
        proposals.take_action(
            session,
            actor=Actor.system(),
            at=at,
            catalog=catalog,
            proposal_id=proposal.id,
            action=action,
            reason=f"ballot {ballot.id} {ballot.outcome}",
            decided_by=body,
        )
    except (GuardFailed, ActionNotAvailable) as refusal:
        log_writer.append(
            session,
            at=at,
            actor_id=None,
            action="ballot.outcome_not_applied",
            subject_type="ballot",
            subject_id=ballot.id,
            proposal_id=proposal.id,
            body_id=ballot.body_id,
            payload={"action": action, "reason": str(refusal)},
        )
        return None, str(refusal)
    return action, None


def cancel_ballot(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    ballot_id: int,
    reason: str,
    expected_version: int | None = None,
) -> Ballot:
    """Cancel an open ballot (chair or co-chair, with a reason). No outcome, no decision."""
    peek = get_ballot(session, ballot_id)
    proposal = proposals.get_proposal(session, peek.proposal_id, for_update=True)
    ballot = get_ballot(session, ballot_id, for_update=True)
    body = session.get(Body, ballot.body_id)
    assert body is not None
    officers = {SeatRole.CHAIR.value, SeatRole.CO_CHAIR.value}
    _require_officer(session, actor, body, at, officers, "cancel a ballot")
    if ballot.state != "open":
        raise BallotNotOpen(f"ballot {ballot.id} is already {ballot.state}")
    _check_version(ballot, expected_version)
    if not reason.strip():
        raise InvalidInput("cancelling a ballot needs a reason", field="reason")
    ballot_records.cancel(session, ballot, proposal, actor_id=actor.person_id, at=at, reason=reason)
    return ballot
