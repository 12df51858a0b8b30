"""The governance tables read into the record shapes the log replay rebuilds (``log.replay``).

One query per table, in key order; revision texts are streamed and reduced to their SHA-256
as they are read, so no text is held. Read everything in one snapshot (``take_snapshot``) so
the tables and the log are compared as of the same moment.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance_engine.log.replay import (
    ReplayState,
)
from governance_engine.log.replay_records import (
    BallotRecord,
    DecisionRecord,
    ElectorRecord,
    ProposalRecord,
    RevisionRecord,
    VoteRecord,
    text_digest,
)
from governance_engine.persistence.models import (
    Ballot,
    BallotElector,
    Decision,
    Proposal,
    ProposalAuthor,
    Revision,
    Vote,
)

_STREAM_BATCH = 500


def take_snapshot(session: Session) -> None:
    """Make every later read in this transaction see one moment of the database.

    PostgreSQL: REPEATABLE READ (one snapshot for the whole transaction; call this before the
    transaction's first statement). SQLite: a read transaction already sees one snapshot.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def read_tables(session: Session) -> ReplayState:
    """Proposals, revisions, ballots, electors, votes and decisions as the tables hold them."""
    return ReplayState(
        proposals=_proposals(session),
        revisions=_revisions(session),
        ballots=_ballots(session),
        electors=_electors(session),
        votes=_votes(session),
        decisions=_decisions(session),
    )


def _proposals(session: Session) -> dict[int, ProposalRecord]:
    authors: dict[int, list[int]] = defaultdict(list)
    pairs = select(ProposalAuthor.proposal_id, ProposalAuthor.person_id).order_by(
        ProposalAuthor.proposal_id, ProposalAuthor.person_id
    )
    for proposal_id, person_id in session.execute(pairs):
        authors[proposal_id].append(person_id)
    rows = session.scalars(select(Proposal).order_by(Proposal.id))
    return {
        p.id: ProposalRecord(
            id=p.id,
            kind=p.kind,
            title=p.title,
            summary=p.summary,
            sponsor_body_id=p.sponsor_body_id,
            state=p.state,
            workflow_name=p.workflow_name,
            workflow_version=p.workflow_version,
            version=p.version,
            authors=tuple(authors.get(p.id, ())),
            filed_by_id=p.filed_by_id,
            created_at=p.created_at,
            updated_at=p.updated_at,
            state_entered_at=p.state_entered_at,
        )
        for p in rows
    }


def _revisions(session: Session) -> dict[tuple[int, int], RevisionRecord]:
    statement = (
        select(
            Revision.proposal_id,
            Revision.number,
            Revision.digest,
            Revision.note,
            Revision.created_by_id,
            Revision.created_at,
            Revision.text,
        )
        .order_by(Revision.proposal_id, Revision.number)
        .execution_options(yield_per=_STREAM_BATCH)
    )
    result: dict[tuple[int, int], RevisionRecord] = {}
    for proposal_id, number, digest, note, created_by, created_at, text in session.execute(
        statement
    ):
        result[(proposal_id, number)] = RevisionRecord(
            proposal_id, number, digest, note, created_by, created_at, text_digest(text)
        )
    return result


def _ballots(session: Session) -> dict[int, BallotRecord]:
    statement = (
        select(Ballot, Revision.number)
        .outerjoin(Revision, Revision.id == Ballot.revision_id)
        .order_by(Ballot.id)
    )
    return {
        b.id: BallotRecord(
            id=b.id,
            proposal_id=b.proposal_id,
            body_id=b.body_id,
            stage=b.stage,
            revision=number,
            digest=b.digest,
            rule=b.rule,
            rule_name=b.rule_name,
            secret=b.secret,
            deadline=b.deadline,
            state=b.state,
            outcome=b.outcome,
            opened_by_id=b.opened_by_id,
            opened_at=b.opened_at,
            closed_at=b.closed_at,
            closed_by_id=b.closed_by_id,
            close_reason=b.close_reason,
            version=b.version,
        )
        for b, number in session.execute(statement)
    }


def _electors(session: Session) -> dict[tuple[int, int], ElectorRecord]:
    statement = select(BallotElector).order_by(BallotElector.ballot_id, BallotElector.person_id)
    return {
        (e.ballot_id, e.person_id): ElectorRecord(
            e.ballot_id, e.person_id, e.organization_id, e.added_at, e.removed_at, e.change_reason
        )
        for e in session.scalars(statement)
    }


def _votes(session: Session) -> dict[tuple[int, int], VoteRecord]:
    statement = select(Vote).order_by(Vote.ballot_id, Vote.voter_id)
    return {
        (v.ballot_id, v.voter_id): VoteRecord(
            v.ballot_id,
            v.voter_id,
            v.choice,
            v.rationale,
            v.entered_by_id,
            v.cast_at,
            v.updated_at,
            v.changes,
        )
        for v in session.scalars(statement)
    }


def _decisions(session: Session) -> dict[str, DecisionRecord]:
    statement = select(Decision).order_by(Decision.id)
    return {
        d.number: DecisionRecord(
            number=d.number,
            kind=d.kind,
            outcome=d.outcome,
            ballot_id=d.ballot_id,
            digest=d.digest,
            proposal_id=d.proposal_id,
            body_id=d.body_id,
            summary=d.summary,
            decided_at=d.decided_at,
            tally=d.tally,
            rule=d.rule,
        )
        for d in session.scalars(statement)
    }
