"""What the stateful (hypothesis) service tests share: a driver and an independent oracle.

The driver runs one unit of work per act through the real services, as ``testkit.drive``
does, but turns every refusal into a value: a ``GovernanceError`` comes back, anything else
propagates and fails the test. The oracle answers "who may do what" from the roster in
``testkit.world`` and the workflow definitions, and reads facts from the tables with its own
queries, so a test never checks the services against themselves.

The machines build no database per example: each example files new proposals in the one
database of the test function and checks only those, plus the whole log at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from hypothesis import HealthCheck, settings
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from governance_engine.errors import GovernanceError
from governance_engine.lifecycle import ActionDefinition, WorkflowDefinition
from governance_engine.persistence.models import (
    Ballot,
    BallotElector,
    LogEntry,
    Proposal,
    Revision,
    Vote,
)
from governance_engine.services import ballots, proposals
from governance_engine.services.ballots import ClosedBallot
from governance_engine.services.identity import Actor
from governance_engine.services.tick import tick
from testkit.world import ROSTER, World

T = TypeVar("T")

PEOPLE: tuple[str, ...] = (*ROSTER, "auditor", "admin")
"""Everyone who can act: the seated roster, the outsider, the auditor and the admin."""
KINDS = ("project", "standard", "guideline")
SPONSORS = ("wg-trust-validation", "wg-hardware-infrastructure")
CHAIRS = {"wg-trust-validation": "wendy", "wg-hardware-infrastructure": "hana"}
BODY_CHAIRS = {"toc": "tara", "board": "bob"}
TEXTS = (
    "# Model cards\n\nEvery model ships a signed card.\n",
    "# Model cards\n\nEvery model ships a signed card, with its data sheet.\n",
    "# Model cards\n\nEvery model and every dataset ships a signed card.\n",
)
CHOICES = ("yes", "no", "abstain", "recuse", "object", "maybe")
"""Every choice some rule offers, plus one no rule knows."""
CLOCK_STEPS = (
    timedelta(hours=1),
    timedelta(days=1),
    timedelta(days=4),
    timedelta(days=8),
    timedelta(weeks=7),
)
_NAMED_SEATS = ("chair", "co_chair", "secretary")
_CHAIR_MOVES = ("submit", "resubmit", "revive")
_TRANSITIONED = "proposal.transitioned"


def stateful_settings(*, max_examples: int, steps: int) -> settings:
    return settings(
        max_examples=max_examples,
        stateful_step_count=steps,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# -- the oracle: who may do what, from the roster and the definitions --------------------


def _seats(name: str) -> list[tuple[str, str]]:
    return ROSTER[name][1] if name in ROSTER else []


def seats_on(name: str, slug: str) -> set[str]:
    """The seat roles ``name`` holds on body ``slug`` (none for the auditor and the admin)."""
    return {seat for body, seat in _seats(name) if body == slug}


def body_slug(ref: str, sponsor: str) -> str:
    return sponsor if ref == "sponsor" else ref


def expected_roles(name: str, sponsor: str, authors: Iterable[str]) -> frozenset[str]:
    """Roles ``name`` holds on a proposal of ``sponsor``: ``author`` and ``<body>.<seat>``.

    ``member`` is any voting seat; observers hold none. A WG other than the sponsor gives none.
    """
    roles = {"author"} if name in authors else set()
    for slug, seat in _seats(name):
        ref = "sponsor" if slug == sponsor else slug if slug in ("toc", "board") else None
        if ref is None:
            continue
        if seat in _NAMED_SEATS:
            roles.add(f"{ref}.{seat}")
        if seat != "observer":
            roles.add(f"{ref}.member")
    return frozenset(roles)


def may_write(name: str) -> bool:
    return name != "auditor"


def may_file(name: str, sponsor: str, authors: Iterable[str]) -> bool:
    """The sponsor's chair or co-chair, or a voting member of it named as an author."""
    seats = seats_on(name, sponsor)
    chairs = bool(seats & {"chair", "co_chair"})
    member_author = bool(seats - {"observer"}) and name in authors
    return may_write(name) and (chairs or member_author)


def allows(action: ActionDefinition, roles: Iterable[str]) -> bool:
    return any(str(granted) in roles for granted in action.roles)


def chair_of(slug: str) -> str:
    return CHAIRS.get(slug) or BODY_CHAIRS[slug]


def ballots_to_approval(definition: WorkflowDefinition) -> list[str]:
    """The ballot stages on the way from the initial state to approval, in order.

    Follows what ``Driver.progress`` does: submit, resubmit or revive out of a state without a
    ballot, and each ballot stage's ``passed`` outcome.
    """
    stages: list[str] = []
    state = definition.initial
    while not definition.states[state].approved:
        assert len(stages) < len(definition.states), f"{definition.label} never reaches approval"
        ballot = definition.states[state].ballot
        if ballot is not None:
            stages.append(state)
            action = ballot.outcomes["passed"]
        else:
            action = next(a for a in _CHAIR_MOVES if state in definition.actions[a].sources)
        state = definition.actions[action].dest
    return stages


# -- the model of one proposal, and what the tables say about it --------------------------


@dataclass
class ProposalModel:
    """What the test believes about one proposal it filed; refreshed after every step."""

    id: int
    kind: str
    sponsor: str
    authors: frozenset[str]
    definition: WorkflowDefinition
    state: str
    version: int
    revision: int = 0
    approved_revision: int | None = None

    @property
    def terminal(self) -> bool:
        return self.definition.states[self.state].terminal


@dataclass(frozen=True)
class Observed:
    """One proposal as its rows stand: state, version, current revision, ballots."""

    state: str
    version: int
    revision: int
    digest: str | None
    open_ballot: int | None
    last_ballot: int | None


@dataclass(frozen=True)
class Facts:
    """What the workflow guards look at, read independently of ``proposal_facts``."""

    revision: int
    open_ballot: bool
    passed: frozenset[str]
    stage_passed: bool = False
    """The current stage's latest ballot on this text, closed since the stage was entered,
    passed (what the ``ballot_passed`` guard and stage gating ask)."""

    def guard_holds(self, guard: str, definition: WorkflowDefinition) -> bool:
        if guard == "ballot_passed":
            return self.stage_passed
        if guard == "has_revision":
            return self.revision > 0
        if guard == "no_open_ballot":
            return not self.open_ballot
        if guard in ("no_open_concerns", "no_open_objections"):
            return True  # the machines never raise a concern or lodge an objection
        if guard == "approval_ballots_passed":
            return all(ref in self.passed for ref in definition.approval_requires)
        raise AssertionError(f"the oracle does not know guard {guard!r}: teach it")

    def guards_hold(self, action: ActionDefinition, definition: WorkflowDefinition) -> bool:
        """Every guard named on the action, plus approval when it enters an approved state
        from a state a proposal can be in before approval (approval is needed to be adopted,
        not to stay adopted: a project kept incubating after a failed archival vote)."""
        names = list(action.guards)
        adopting = any(source not in after_approval(definition) for source in action.sources)
        if definition.states[action.dest].approved and adopting:
            names.append("approval_ballots_passed")
        return all(self.guard_holds(name, definition) for name in names)


def after_approval(definition: WorkflowDefinition) -> frozenset[str]:
    """The states reachable by some action from an approved state."""
    reached: set[str] = set()
    todo = [name for name, state in definition.states.items() if state.approved]
    while todo:
        source = todo.pop()
        for action in definition.actions.values():
            if source in action.sources and action.dest not in reached:
                reached.add(action.dest)
                todo.append(action.dest)
    return frozenset(reached)


# -- the driver -----------------------------------------------------------------------------


class Driver:
    """Acts through the real services, one unit of work per act, the clock moving on."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.names = {person_id: name for name, person_id in world.person_ids.items()}
        assert world.admin.person_id is not None
        self.names[world.admin.person_id] = "admin"
        self.slugs = {body_id: slug for slug, body_id in world.bodies.items()}
        self._head: int | None = None  # the last log seq seen, while nothing else wrote

    def actor(self, name: str) -> Actor:
        return self.world.admin if name == "admin" else self.world.actor(name)

    def person_id(self, name: str) -> int:
        person_id = self.actor(name).person_id
        assert person_id is not None
        return person_id

    def attempt(self, work: Callable[[Session], T]) -> T | GovernanceError:
        """Run ``work`` in its own unit of work; a refusal comes back and must change nothing."""
        before = self._head if self._head is not None else self.head_seq()
        self.world.tick()
        try:
            with self.world.database.transaction() as session:
                done = work(session)
                self._head = _last_seq(session)
                return done
        except GovernanceError as error:
            refusal = error
        self._head = self.head_seq()
        assert self._head == before, f"{refusal!r} was refused but the log grew"
        return refusal

    def model_of(self, proposal: Proposal, sponsor: str, authors: Iterable[str]) -> ProposalModel:
        """The test's model of a proposal just filed, on the workflow version it records."""
        machine = self.world.catalog.registry.get(proposal.workflow_name, proposal.workflow_version)
        assert proposal.state == machine.definition.initial
        return ProposalModel(
            id=proposal.id,
            kind=proposal.kind,
            sponsor=sponsor,
            authors=frozenset(authors),
            definition=machine.definition,
            state=proposal.state,
            version=proposal.version,
        )

    # -- acts -------------------------------------------------------------------------------

    def file(
        self, by: str, kind: str, sponsor: str, authors: list[str], text: str | None
    ) -> Proposal | GovernanceError:
        author_ids = [self.person_id(name) for name in authors]
        return self.attempt(
            lambda s: proposals.file_proposal(
                s,
                actor=self.actor(by),
                at=self.world.clock.now(),
                catalog=self.world.catalog,
                kind=kind,
                title=f"{kind} by {by}",
                sponsor_slug=sponsor,
                text=text,
                author_ids=author_ids,
            )
        )

    def revise(self, proposal_id: int, by: str, text: str) -> Revision | GovernanceError:
        return self.attempt(
            lambda s: proposals.add_revision(
                s,
                actor=self.actor(by),
                at=self.world.clock.now(),
                catalog=self.world.catalog,
                proposal_id=proposal_id,
                text=text,
            )
        )

    def take(self, proposal_id: int, action: str, by: str) -> Proposal | GovernanceError:
        return self.attempt(
            lambda s: proposals.take_action(
                s,
                actor=self.actor(by),
                at=self.world.clock.now(),
                catalog=self.world.catalog,
                proposal_id=proposal_id,
                action=action,
                reason=f"{by} says so",
            )
        )

    def open_ballot(self, proposal_id: int, by: str) -> Ballot | GovernanceError:
        return self.attempt(
            lambda s: ballots.open_ballot(
                s,
                actor=self.actor(by),
                at=self.world.clock.now(),
                catalog=self.world.catalog,
                proposal_id=proposal_id,
            )
        )

    def vote(
        self, ballot_id: int, by: str, choice: str, rationale: str, voter: str | None = None
    ) -> Vote | GovernanceError:
        on_behalf_of = None if voter is None else self.person_id(voter)
        return self.attempt(
            lambda s: ballots.cast_vote(
                s,
                actor=self.actor(by),
                at=self.world.clock.now(),
                ballot_id=ballot_id,
                choice=choice,
                rationale=rationale,
                on_behalf_of=on_behalf_of,
            )
        )

    def close(self, ballot_id: int, by: str) -> ClosedBallot | GovernanceError:
        return self.attempt(
            lambda s: ballots.close_ballot(
                s,
                actor=self.actor(by),
                at=self.world.clock.now(),
                catalog=self.world.catalog,
                ballot_id=ballot_id,
            )
        )

    def cancel(self, ballot_id: int, by: str) -> Ballot | GovernanceError:
        return self.attempt(
            lambda s: ballots.cancel_ballot(
                s,
                actor=self.actor(by),
                at=self.world.clock.now(),
                ballot_id=ballot_id,
                reason=f"{by} cancels it",
            )
        )

    def advance(self, delta: timedelta) -> None:
        self.world.clock.advance(delta)

    def tick(self) -> list[int]:
        self._head = None
        return tick(self.world.database, clock=self.world.clock, catalog=self.world.catalog).closed

    def decide(self, model: ProposalModel, verdict: str) -> bool:
        """Hold the current stage's ballot to its end: every elector takes ``verdict``.

        Opens the ballot (by the reviewing body's chair) unless one is open, has the whole
        electorate vote, lets a lazy-consensus ballot run to its deadline, and ticks until the
        ballot closes. False when the state calls for no ballot.
        """
        observed = self.observe([model.id])[model.id]
        stage = model.definition.states[observed.state].ballot
        if stage is None:
            return False
        ballot_id = observed.open_ballot
        if ballot_id is None:
            opened = self.open_ballot(model.id, chair_of(body_slug(stage.body, model.sponsor)))
            assert not isinstance(opened, GovernanceError), opened
            ballot_id = opened.id
        ballot, electors = self.ballot_with_electors(ballot_id)
        rule = ballots.frozen_rule(ballot)
        choice = verdict if verdict in rule.choices else next(c for c in rule.choices if c != "yes")
        silent = rule.lazy_consensus and choice == "yes"  # silence is consent
        for person_id in [] if silent else electors:
            self.vote(ballot_id, self.names[person_id], choice, rationale="as discussed")
        self.tick()
        if self.ballot_state(ballot_id) == "open":
            if self.world.clock.now() < ballot.deadline:  # let the rule decide at its deadline
                self.world.clock.set(ballot.deadline)
            self.tick()
        assert self.ballot_state(ballot_id) == "closed", f"ballot {ballot_id} did not close"
        return True

    def progress(self, model: ProposalModel, verdict: str = "yes") -> bool:
        """Take the proposal one stage on, as its chairs would: submit, revive, or decide.

        Adds a first revision when submitting needs one. False when nothing moves it on.
        """
        observed = self.observe([model.id])[model.id]
        if model.definition.states[observed.state].ballot is not None:
            return self.decide(model, verdict)
        chair = CHAIRS[model.sponsor]
        for name in _CHAIR_MOVES:
            action = model.definition.actions.get(name)
            if action is not None and observed.state in action.sources:
                if observed.revision == 0:
                    self.revise(model.id, chair, TEXTS[0])
                taken = self.take(model.id, name, chair)
                assert not isinstance(taken, GovernanceError), taken
                return True
        return False

    def cancel_open_ballots(self, models: Iterable[ProposalModel]) -> None:
        """Leave nothing open for the next example's ticks to close."""
        for observed in self.observe(model.id for model in models).values():
            if observed.open_ballot is not None:
                ballot, _ = self.ballot_with_electors(observed.open_ballot)
                cancelled = self.cancel(ballot.id, chair_of(self.slugs[ballot.body_id]))
                assert not isinstance(cancelled, GovernanceError), cancelled

    # -- reads, with the test's own queries -------------------------------------------------

    def head_seq(self) -> int:
        with self.world.database.reader() as session:
            return _last_seq(session)

    def log_since(self, seq: int) -> list[LogEntry]:
        with self.world.database.reader() as session:
            statement = select(LogEntry).where(LogEntry.seq > seq).order_by(LogEntry.seq)
            return list(session.scalars(statement))

    def transitions_of(self, proposal_id: int) -> list[LogEntry]:
        with self.world.database.reader() as session:
            statement = (
                select(LogEntry)
                .where(LogEntry.proposal_id == proposal_id, LogEntry.action == _TRANSITIONED)
                .order_by(LogEntry.seq)
            )
            return list(session.scalars(statement))

    def ballot_state(self, ballot_id: int) -> str:
        with self.world.database.reader() as session:
            return session.get_one(Ballot, ballot_id).state

    def ballot_with_electors(self, ballot_id: int) -> tuple[Ballot, list[int]]:
        with self.world.database.reader() as session:
            ballot = session.get_one(Ballot, ballot_id)
            statement = (
                select(BallotElector.person_id)
                .where(BallotElector.ballot_id == ballot_id, BallotElector.removed_at.is_(None))
                .order_by(BallotElector.person_id)
            )
            return ballot, list(session.scalars(statement))

    def observe(self, proposal_ids: Iterable[int]) -> dict[int, Observed]:
        """Each proposal's row, current revision and ballots, in one query."""
        ids = list(proposal_ids)
        if not ids:
            return {}
        current = (
            select(Revision.number, Revision.digest)
            .where(Revision.proposal_id == Proposal.id)
            .order_by(Revision.number.desc())
            .limit(1)
            .correlate(Proposal)
        )
        ballot_ids = select(Ballot.id).where(Ballot.proposal_id == Proposal.id).correlate(Proposal)
        statement = select(
            Proposal.id,
            Proposal.state,
            Proposal.version,
            current.with_only_columns(Revision.number).scalar_subquery(),
            current.with_only_columns(Revision.digest).scalar_subquery(),
            ballot_ids.where(Ballot.state == "open").scalar_subquery(),
            ballot_ids.with_only_columns(func.max(Ballot.id)).scalar_subquery(),
        ).where(Proposal.id.in_(ids))
        with self.world.database.reader() as session:
            rows = session.execute(statement).all()
        return {
            row[0]: Observed(row[1], row[2], row[3] or 0, row[4], row[5], row[6]) for row in rows
        }

    def latest_closed(self, model: ProposalModel, revision: int) -> Mapping[str, Ballot]:
        """Per body ref, the closed ballot on the text of ``revision`` that closed last.

        Ties on the closing time go to the later ballot. Refs: sponsor, toc, board.
        """
        statement = (
            select(Ballot)
            .join(Revision, Revision.digest == Ballot.digest)
            .where(
                Ballot.proposal_id == model.id,
                Ballot.state == "closed",
                Revision.proposal_id == model.id,
                Revision.number == revision,
            )
        )
        with self.world.database.reader() as session:
            closed = list(session.scalars(statement))
        latest: dict[str, Ballot] = {}
        for ballot in sorted(closed, key=lambda b: (b.closed_at, b.id)):
            slug = self.slugs[ballot.body_id]
            ref = "sponsor" if slug == model.sponsor else slug
            if ref in ("sponsor", "toc", "board"):
                latest[ref] = ballot
        return latest

    def facts(self, model: ProposalModel) -> Facts:
        observed = self.observe([model.id])[model.id]
        latest = self.latest_closed(model, observed.revision)
        passed = frozenset(ref for ref, b in latest.items() if b.outcome == "passed")
        stage_passed = self.stage_passed(model, observed)
        return Facts(observed.revision, observed.open_ballot is not None, passed, stage_passed)

    def stage_passed(self, model: ProposalModel, observed: Observed) -> bool:
        """Read apart from ``services.gating``: the ballots of the current stage on the
        current text, closed since the proposal entered the stage; the latest one passed."""
        entered = select(Proposal.state_entered_at).where(Proposal.id == model.id)
        statement = select(Ballot).where(
            Ballot.proposal_id == model.id,
            Ballot.state == "closed",
            Ballot.stage == observed.state,
            Ballot.digest == observed.digest,
            Ballot.closed_at >= entered.scalar_subquery(),
        )
        with self.world.database.reader() as session:
            closed = sorted(session.scalars(statement), key=lambda b: (b.closed_at, b.id))
        return bool(closed) and closed[-1].outcome == "passed"


def _last_seq(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.max(LogEntry.seq), 0))) or 0)
