"""The public register: what anyone may read without signing in, decided here once.

The pages and feeds under ``/public`` only render what these functions return. The rule:

- **Decisions** are public, every one, with their records: a record never lists the positions
  taken on a secret ballot (``records``), only its published tally.
- **Closed ballots** are public with their rule, tally and outcome, seen as a reader with no
  seat sees them (``ballot_views``, the same secrecy code as for members): on an open ballot
  every position and rationale, on a secret one only the tally. Open ballots show only their
  deadline (in the calendar); cancelled ones nothing.
- **Proposals** are public once approved: in an ``approved`` state of their workflow and in
  every state reachable after it (a published standard, a superseded one; an incubating,
  graduated or archived project). Drafts, proposals in review, returned, withdrawn or rejected
  proposals keep their texts and discussions for members; their decisions are still public.
- **Workflows**, their diagrams, and the latest **signed checkpoint** with its public key and,
  for each decision, a proof that its log entry is in the checkpointed log.

A workflow file that says ``public: false`` keeps all of its proposals off the register:
their texts, ballots, deadlines and decisions. There is no such key per state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from governance_engine.errors import NotFound
from governance_engine.log.checkpoint import SignedCheckpoint
from governance_engine.persistence.models import Ballot, Body, Decision, Proposal, Revision
from governance_engine.persistence.repositories import ballots as ballot_queries
from governance_engine.persistence.repositories import checkpoints as checkpoint_queries
from governance_engine.persistence.repositories import decisions as decision_queries
from governance_engine.persistence.repositories import directory
from governance_engine.persistence.repositories import proposals as proposal_queries
from governance_engine.persistence.repositories import public as queries
from governance_engine.persistence.repositories.public import Private, PublicStates
from governance_engine.persistence.repositories.web import (
    bodies_by_id,
    people_names,
    proposals_by_id,
)
from governance_engine.services import checkpoints, records
from governance_engine.services.ballot_views import BallotView, view_ballot
from governance_engine.services.identity import Actor
from governance_engine.services.workflows import WorkflowCatalog

PUBLIC_READER = Actor(person_id=None, name="public reader")
"""Someone with no seat and no flag: the secrecy rules apply to them in full."""


def public_states(catalog: WorkflowCatalog) -> PublicStates:
    """The states whose proposals are public, per workflow version (see the module rule)."""
    return [
        (
            machine.name,
            machine.version,
            machine.approved_or_after if machine.definition.public else frozenset(),
        )
        for machine in catalog.registry.all()
    ]


def private_workflows(catalog: WorkflowCatalog) -> Private:
    """The workflow versions whose file says ``public: false``."""
    return [
        (machine.name, machine.version)
        for machine in catalog.registry.all()
        if not machine.definition.public
    ]


@dataclass(frozen=True)
class DecisionLine:
    decision: Decision
    body: Body
    proposal: Proposal
    proposal_public: bool  # whether /public shows the proposal itself


def _decision_lines(
    session: Session, catalog: WorkflowCatalog, rows: list[Decision]
) -> list[DecisionLine]:
    bodies = bodies_by_id(session)
    found = proposals_by_id(session, {row.proposal_id for row in rows})
    shown = _public_ids(catalog, list(found.values()))
    return [
        DecisionLine(row, bodies[row.body_id], found[row.proposal_id], row.proposal_id in shown)
        for row in rows
    ]


def _public_ids(catalog: WorkflowCatalog, rows: list[Proposal]) -> set[int]:
    public = {(name, version): states for name, version, states in public_states(catalog)}
    return {p.id for p in rows if p.state in public.get((p.workflow_name, p.workflow_version), ())}


def decisions(
    session: Session,
    catalog: WorkflowCatalog,
    *,
    before: int | None = None,
    limit: int,
    body: str | None = None,
) -> list[DecisionLine]:
    """The latest decisions first, optionally of one body (by slug; NotFound if none)."""
    body_id = None
    if body is not None:
        found = directory.body_by_slug(session, body)
        if found is None:
            raise NotFound(f"there is no body {body}")
        body_id = found.id
    rows = queries.decisions(
        session, private_workflows(catalog), before=before, limit=limit, body_id=body_id
    )
    return _decision_lines(session, catalog, rows)


@dataclass(frozen=True)
class PublicDecision:
    line: DecisionLine
    record_html: str  # the records service's standalone HTML document
    entry_seq: int | None  # the log entry that recorded it
    proven: bool  # whether the latest checkpoint covers that entry


def decision(session: Session, catalog: WorkflowCatalog, number: str) -> PublicDecision:
    row = queries.decision(session, private_workflows(catalog), number)
    if row is None:
        raise NotFound(f"there is no decision {number}")
    [line] = _decision_lines(session, catalog, [row])
    entry = queries.decision_entry(session, number)
    latest = checkpoint_queries.latest(session)
    return PublicDecision(
        line=line,
        record_html=records.decision_record(session, number, "html"),
        entry_seq=entry.seq if entry else None,
        proven=bool(entry and latest and entry.seq <= latest.tree_size),
    )


def decision_proof(
    session: Session, catalog: WorkflowCatalog, number: str
) -> checkpoints.InclusionProof:
    """Proof that the entry recording ``number`` is in the log the latest checkpoint signed."""
    entry = queries.decision_entry(session, number)
    if entry is None or queries.decision(session, private_workflows(catalog), number) is None:
        raise NotFound(f"there is no decision {number}")
    latest = checkpoint_queries.latest(session)
    if latest is None or entry.seq > latest.tree_size:
        raise NotFound(f"no signed checkpoint covers decision {number} yet")
    return checkpoints.prove_inclusion(session, seq=entry.seq, tree_size=latest.tree_size)


def latest_checkpoint(session: Session) -> SignedCheckpoint | None:
    row = checkpoint_queries.latest(session)
    return checkpoints.to_signed(row) if row is not None else None


@dataclass(frozen=True)
class ProposalLine:
    proposal: Proposal
    sponsor: Body


def proposals(
    session: Session, catalog: WorkflowCatalog, *, before: int | None = None, limit: int
) -> list[ProposalLine]:
    """Proposals in public states, the latest filed first."""
    rows = queries.proposals_in_public_states(
        session, public_states(catalog), before=before, limit=limit
    )
    bodies = bodies_by_id(session)
    return [ProposalLine(row, bodies[row.sponsor_body_id]) for row in rows]


@dataclass(frozen=True)
class PublicProposal:
    proposal: Proposal
    sponsor: Body
    revisions: tuple[Revision, ...]
    decisions: tuple[DecisionLine, ...]
    ballots: tuple[BallotLine, ...]  # closed ones

    @property
    def current(self) -> Revision | None:
        return self.revisions[-1] if self.revisions else None


def proposal(session: Session, catalog: WorkflowCatalog, proposal_id: int) -> PublicProposal:
    """A public proposal; NotFound, as for a missing one, when it is not public."""
    row = queries.proposal_if_public(session, public_states(catalog), proposal_id)
    if row is None:
        raise NotFound(f"there is no public proposal {proposal_id}")
    sponsor = bodies_by_id(session)[row.sponsor_body_id]
    ballots = [b for b in proposal_queries.ballots_of(session, row.id) if b.state == "closed"]
    return PublicProposal(
        proposal=row,
        sponsor=sponsor,
        revisions=tuple(proposal_queries.revisions(session, row.id)),
        decisions=tuple(
            _decision_lines(
                session,
                catalog,
                decision_queries.page(session, after=0, limit=1000, proposal_id=row.id),
            )
        ),
        ballots=tuple(_ballot_lines(session, ballots)),
    )


@dataclass(frozen=True)
class BallotLine:
    ballot: Ballot
    body: Body
    proposal: Proposal
    decision: str | None  # the number of the decision its close recorded


def _ballot_lines(session: Session, rows: list[Ballot]) -> list[BallotLine]:
    bodies = bodies_by_id(session)
    found = proposals_by_id(session, {row.proposal_id for row in rows})
    context = ballot_queries.context_of(session, [row.id for row in rows])
    return [
        BallotLine(row, bodies[row.body_id], found[row.proposal_id], context[row.id][1])
        for row in rows
    ]


def closed_ballots(
    session: Session, catalog: WorkflowCatalog, *, before: int | None = None, limit: int
) -> list[BallotLine]:
    """Closed ballots, the latest first."""
    rows = queries.closed_ballots(session, private_workflows(catalog), before=before, limit=limit)
    return _ballot_lines(session, rows)


@dataclass(frozen=True)
class PublicBallot:
    line: BallotLine
    view: BallotView  # as a reader with no seat sees it: secrecy applied by ballot_views
    names: dict[int, str]  # voters' names; empty for a secret ballot
    counts: dict[str, int]  # the published tally
    lines: tuple[str, ...]  # the explanation; none for a secret ballot (it names blockers)


def ballot(
    session: Session, catalog: WorkflowCatalog, *, ballot_id: int, at: datetime
) -> PublicBallot:
    """A closed ballot; NotFound for an open, cancelled, private or missing one."""
    if queries.closed_ballot(session, private_workflows(catalog), ballot_id) is None:
        raise NotFound(f"there is no closed ballot {ballot_id}")
    view = view_ballot(session, viewer=PUBLIC_READER, ballot_id=ballot_id, at=at)
    secret = view.ballot.secret
    explanation = (view.evaluation or {}).get("explanation", {})
    return PublicBallot(
        line=_ballot_lines(session, [view.ballot])[0],
        view=view,
        names={} if secret else people_names(session, set(view.electorate)),
        counts=dict(explanation.get("counts", {})),
        lines=() if secret else tuple(explanation.get("lines", ())),
    )


def deadlines(session: Session, catalog: WorkflowCatalog, *, limit: int = 500) -> list[BallotLine]:
    """Open and closed ballots with their deadlines, for the calendar: the latest first."""
    rows = queries.ballots_with_deadlines(session, private_workflows(catalog), limit=limit)
    return _ballot_lines(session, rows)
