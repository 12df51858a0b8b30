"""Lifecycles as a stateful property: random people take random actions on every workflow.

Hypothesis files proposals of all three kinds, adds revisions, takes any action of the
proposal's workflow (and some of other workflows), opens ballots, votes, moves the clock and
ticks, as anyone on the roster: chairs, members, secretaries, the observer, the outsider, the
auditor and the admin. The system acts only where the engine itself does (``tick``).

After every step:

* a proposal in a terminal state never leaves it;
* filing, revising and taking an action succeed exactly when the test's own reading of the
  roster, the authors, the workflow's ``roles`` and its guards says they may, and every
  refusal of any act is a ``GovernanceError`` that leaves the log as it was;
* every state change has exactly one ``proposal.transitioned`` entry: the entries' ``from``
  and ``to`` chain from the last state seen to the current one, their ``version`` lies between
  the versions seen, and the action's roles allow their actor; no entry exists without a change.

At the end of each example the whole history of its proposals chains from the workflow's
initial state, and ``log_writer.verify`` accepts the whole log.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any, ClassVar

from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)
from testkit.stateful import (
    CHAIRS,
    CHOICES,
    CLOCK_STEPS,
    KINDS,
    PEOPLE,
    SPONSORS,
    TEXTS,
    Driver,
    ProposalModel,
    allows,
    body_slug,
    expected_roles,
    may_file,
    may_write,
    seats_on,
    stateful_settings,
)
from testkit.world import World, build_world

from governance_engine.errors import (
    ActionNotAvailable,
    BallotRequired,
    Conflict,
    GovernanceError,
    GuardFailed,
    InvalidInput,
    PermissionDenied,
)
from governance_engine.lifecycle import load_bundled
from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import LogEntry, Proposal
from governance_engine.services import ballots
from governance_engine.services.proposals import digest_text

# About 20 s per backend: an act costs PostgreSQL about twice what it costs SQLite.
MAX_EXAMPLES = {"sqlite": 25, "postgresql": 12}
STEPS = 30

FOREIGN_ACTIONS = tuple(sorted({n for d in load_bundled() for n in d.actions} | {"adjourn"}))
"""Every action any workflow knows, and one none does: most are foreign to a given proposal."""
people = st.sampled_from(PEOPLE)

Refusals = set[type[GovernanceError]]


def check_outcome(result: object, refusals: Refusals, doing: str) -> None:
    """Success exactly when nothing forbids it; otherwise one of the refusals that apply."""
    if not refusals:
        assert not isinstance(result, GovernanceError), f"{doing} was refused: {result!r}"
        return
    assert isinstance(result, GovernanceError), f"{doing} succeeded; expected {refusals}"
    assert isinstance(result, tuple(refusals)), f"{doing}: {result!r}, expected {refusals}"


class LifecycleMachine(RuleBasedStateMachine):
    world: ClassVar[World]

    proposals = Bundle("proposals")

    def __init__(self) -> None:
        super().__init__()
        self.driver = Driver(self.world)
        self.models: dict[int, ProposalModel] = {}
        self.seq = self.driver.head_seq()

    def adopt(self, proposal: Proposal, sponsor: str, authors: list[str]) -> int:
        self.models[proposal.id] = self.driver.model_of(proposal, sponsor, authors)
        return proposal.id

    # -- filing and revising ------------------------------------------------------------------

    @initialize(
        target=proposals,
        kind=st.sampled_from(KINDS),
        sponsor=st.sampled_from(SPONSORS),
        head_start=st.integers(0, 5),
    )
    def first_proposal(self, kind: str, sponsor: str, head_start: int) -> int:
        """Filed by the chair and moved on ``head_start`` stages, so late states get explored."""
        chair = CHAIRS[sponsor]
        filed = self.driver.file(chair, kind, sponsor, [], TEXTS[0])
        assert isinstance(filed, Proposal), filed
        self.adopt(filed, sponsor, [chair])
        for _ in range(head_start):
            self.driver.progress(self.models[filed.id])
        return filed.id

    @rule(
        target=proposals,
        by=people,
        kind=st.sampled_from(KINDS),
        sponsor=st.sampled_from(SPONSORS),
        co_authors=st.lists(people, max_size=2, unique=True),
        text=st.none() | st.sampled_from(TEXTS),
    )
    def file(
        self, by: str, kind: str, sponsor: str, co_authors: list[str], text: str | None
    ) -> Any:
        authors = co_authors or [by]
        filed = self.driver.file(by, kind, sponsor, co_authors, text)
        allowed = may_file(by, sponsor, authors)
        check_outcome(filed, set() if allowed else {PermissionDenied}, f"{by} filing")
        if not isinstance(filed, Proposal):
            return multiple()
        return self.adopt(filed, sponsor, authors)

    @rule(proposal=proposals, by=people, text=st.sampled_from(TEXTS))
    def revise(self, proposal: int, by: str, text: str) -> None:
        model = self.models[proposal]
        observed = self.driver.observe([proposal])[proposal]
        roles = expected_roles(by, model.sponsor, model.authors)
        refusals: Refusals = set()
        if not may_write(by) or not roles & {"author", "sponsor.chair", "sponsor.co_chair"}:
            refusals.add(PermissionDenied)
        if model.terminal or observed.open_ballot is not None:
            refusals.add(Conflict)
        if observed.digest == digest_text(text):
            refusals.add(InvalidInput)
        revised = self.driver.revise(proposal, by, text)
        check_outcome(revised, refusals, f"{by} revising {model.state} proposal {proposal}")

    # -- actions --------------------------------------------------------------------------

    def attempt_action(self, model: ProposalModel, action: str, by: str) -> None:
        definition = model.definition.actions.get(action)
        facts = self.driver.facts(model)
        roles = expected_roles(by, model.sponsor, model.authors)
        refusals: Refusals = set()
        if not may_write(by):
            refusals.add(PermissionDenied)
        if definition is None or model.state not in definition.sources:
            refusals.add(ActionNotAvailable)
        else:
            if not allows(definition, roles):
                refusals.add(PermissionDenied)
            if not facts.guards_hold(definition, model.definition):
                refusals.add(GuardFailed)
                if "ballot_passed" in definition.guards and not facts.stage_passed:
                    refusals.add(BallotRequired)  # stage gating may refuse it first
        taken = self.driver.take(model.id, action, by)
        doing = f"{by} ({', '.join(sorted(roles)) or 'no role'}) taking {action} in {model.state}"
        check_outcome(taken, refusals, doing)
        event(f"take: {'refused' if refusals else 'taken'}")
        if isinstance(taken, Proposal):
            assert definition is not None
            assert taken.state == definition.dest
            mine = [
                entry
                for entry in self.driver.log_since(self.seq)
                if entry.action == "proposal.transitioned" and entry.proposal_id == model.id
            ]
            assert len(mine) == 1, mine
            assert mine[0].payload["action"] == action
            assert mine[0].actor_id == self.driver.person_id(by)

    @rule(proposal=proposals, by=people, data=st.data())
    def take_any_action(self, proposal: int, by: str, data: st.DataObject) -> None:
        model = self.models[proposal]
        own = sorted(model.definition.actions)
        action = data.draw(st.sampled_from(own) | st.sampled_from(FOREIGN_ACTIONS), "action")
        self.attempt_action(model, action, by)

    @rule(proposal=proposals, data=st.data())
    def take_an_available_action(self, proposal: int, data: st.DataObject) -> None:
        """An action from the current state, mostly by someone its roles name: most succeed."""
        model = self.models[proposal]
        available = sorted(
            name
            for name, action in model.definition.actions.items()
            if model.state in action.sources
        )
        if not available:
            return
        action = data.draw(st.sampled_from(available), "action")
        definition = model.definition.actions[action]
        entitled = [
            name
            for name in PEOPLE
            if allows(definition, expected_roles(name, model.sponsor, model.authors))
        ]
        by = data.draw(st.sampled_from(entitled) | people if entitled else people, "by")
        self.attempt_action(model, action, by)

    # -- ballots --------------------------------------------------------------------------

    @rule(proposal=proposals, by=people)
    def open_ballot(self, proposal: int, by: str) -> None:
        model = self.models[proposal]
        opened = self.driver.open_ballot(proposal, by)
        if not isinstance(opened, GovernanceError):
            stage = model.definition.states[model.state].ballot
            assert stage is not None, f"a ballot opened in {model.state}"
            assert may_write(by)
            slug = body_slug(stage.body, model.sponsor)
            assert seats_on(by, slug) & {"chair", "co_chair", "secretary"}, f"{by} opened {slug}"

    @rule(
        proposal=proposals,
        by=people,
        choice=st.sampled_from(CHOICES),
        rationale=st.sampled_from(["", "  ", "I wrote part of it"]),
        proxy_for=st.none() | people,
    )
    def vote(
        self, proposal: int, by: str, choice: str, rationale: str, proxy_for: str | None
    ) -> None:
        ballot_id = self.driver.observe([proposal])[proposal].last_ballot
        if ballot_id is None:
            return
        ballot, electors = self.driver.ballot_with_electors(ballot_id)
        voted = self.driver.vote(ballot_id, by, choice, rationale, voter=proxy_for)
        if not isinstance(voted, GovernanceError):
            voter = proxy_for or by
            assert ballot.state == "open"
            assert may_write(by)
            assert self.driver.person_id(voter) in electors, f"{voter} voted on {ballot_id}"
            assert choice in ballots.frozen_rule(ballot).choices

    @rule(proposal=proposals, by=people, cancel=st.booleans())
    def close_or_cancel(self, proposal: int, by: str, cancel: bool) -> None:
        ballot_id = self.driver.observe([proposal])[proposal].last_ballot
        if ballot_id is None:
            return
        ballot, _ = self.driver.ballot_with_electors(ballot_id)
        result = self.driver.cancel(ballot_id, by) if cancel else self.driver.close(ballot_id, by)
        if not isinstance(result, GovernanceError):
            slug = self.driver.slugs[ballot.body_id]
            assert seats_on(by, slug) & {"chair", "co_chair"}, f"{by} closed a {slug} ballot"

    @rule(proposal=proposals, verdict=st.sampled_from(["yes", "no", "abstain"]))
    def move_on(self, proposal: int, verdict: str) -> None:
        """The chair submits, or the whole electorate takes one position until the ballot ends."""
        self.driver.progress(self.models[proposal], verdict)

    # -- time -----------------------------------------------------------------------------

    @rule(delta=st.sampled_from(CLOCK_STEPS))
    def advance_clock_and_tick(self, delta: Any) -> None:
        self.driver.advance(delta)
        self.driver.tick()

    @rule()
    def tick(self) -> None:
        self.driver.tick()

    # -- invariants -----------------------------------------------------------------------

    def check_entry(self, model: ProposalModel, entry: LogEntry) -> None:
        """A transition the workflow has, fired by someone its roles allow."""
        action = model.definition.actions.get(entry.payload["action"])
        assert action is not None, entry.payload
        assert entry.payload["from"] in action.sources, entry.payload
        assert entry.payload["to"] == action.dest, entry.payload
        assert entry.payload["to"] != entry.payload["from"] or action.dest in action.sources
        assert not model.definition.states[entry.payload["from"]].terminal, entry.payload
        if entry.actor_id is None:
            roles = frozenset({"system"})
        else:
            name = self.driver.names[entry.actor_id]
            assert may_write(name), f"{name} wrote {entry.payload}"
            roles = expected_roles(name, model.sponsor, model.authors)
        assert allows(action, roles), f"actor {entry.actor_id} ({roles}) took {entry.payload}"

    @invariant()
    def log_and_states_agree(self) -> None:
        observed = self.driver.observe(self.models)
        entries = self.driver.log_since(self.seq)
        self.seq = max([self.seq, *(entry.seq for entry in entries)])
        changes: dict[int, list[LogEntry]] = defaultdict(list)
        for entry in entries:
            if entry.action == "proposal.transitioned" and entry.proposal_id in self.models:
                changes[entry.proposal_id].append(entry)
        for proposal_id, model in self.models.items():
            now = observed[proposal_id]
            chain = changes[proposal_id]
            if model.terminal:
                assert now.state == model.state, f"{proposal_id} left {model.state}"
            assert now.version >= model.version, (proposal_id, model.version, now.version)
            state, version = model.state, model.version
            for entry in chain:
                self.check_entry(model, entry)
                assert entry.payload["from"] == state, (state, entry.payload)
                assert version < entry.payload["version"] <= now.version, (version, entry.payload)
                state, version = entry.payload["to"], entry.payload["version"]
            assert state == now.state, f"{proposal_id}: the log says {state}, the row {now.state}"
            if now.state != model.state:
                event(f"reached {model.kind}.{now.state}")
            model.state, model.version, model.revision = now.state, now.version, now.revision

    def teardown(self) -> None:
        for model in self.models.values():
            state = model.definition.initial
            for entry in self.driver.transitions_of(model.id):
                self.check_entry(model, entry)
                assert entry.payload["from"] == state, (model.id, state, entry.payload)
                state = entry.payload["to"]
            assert state == model.state, (model.id, state, model.state)
        self.driver.cancel_open_ballots(self.models.values())
        with self.world.database.reader() as session:
            verified = log_writer.verify(session)
        assert verified.ok, verified


def test_lifecycles_hold_under_random_actions(database: Database) -> None:
    LifecycleMachine.world = build_world(database)
    examples = MAX_EXAMPLES[database.backend]
    started = time.monotonic()
    run_state_machine_as_test(
        LifecycleMachine, settings=stateful_settings(max_examples=examples, steps=STEPS)
    )
    elapsed = time.monotonic() - started
    print(f"{database.backend}: {examples} examples x {STEPS} steps in {elapsed:.1f}s")
