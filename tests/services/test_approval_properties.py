"""Approval is bound to one revision: a stateful property over every workflow.

Hypothesis files proposals of all three kinds and drives them with random actions by random
people, revisions (also between stages, so a later body votes on a text an earlier body never
saw), votes of every kind (yes, no, abstain, recusal and objections, with and without a
rationale, in person and by proxy), hand closes and cancellations, clock jumps and ticks. Two
rules push proposals along as their chairs would, so that approval is reached often.

The property, checked after every step from the ``ballots`` and ``revisions`` tables: while a
proposal is in an ``approved: true`` state of its workflow, for every body ref in the
workflow's ``approval_requires`` the latest closed ballot of that body on the revision it was
approved on passed. That revision is the current revision at the step the proposal entered the
state, so for a proposal not revised since approval it is the current revision. A revision
added while a proposal is approved is counted (see ``REVISED_AFTER_APPROVAL``) rather than
failed: the workflows allow it, and project.yaml even asks for one (the graduation application).
"""

from __future__ import annotations

import time
from collections import Counter
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
    ballots_to_approval,
    stateful_settings,
)
from testkit.world import World, build_world

from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import Proposal

# About 20 s per backend: an act costs PostgreSQL about twice what it costs SQLite.
MAX_EXAMPLES = {"sqlite": 20, "postgresql": 12}
STEPS = 30

people = st.sampled_from(PEOPLE)

APPROVALS: Counter[str] = Counter()
"""Approved states entered, by workflow, across the run: the property must not hold vacuously."""
REVISED_AFTER_APPROVAL: Counter[str] = Counter()
"""Steps that found a proposal in an approved state with a revision nobody voted on."""
EXAMPLES: Counter[str] = Counter()


class ApprovalMachine(RuleBasedStateMachine):
    world: ClassVar[World]

    proposals = Bundle("proposals")

    def __init__(self) -> None:
        super().__init__()
        self.driver = Driver(self.world)
        self.models: dict[int, ProposalModel] = {}

    def adopt(self, proposal: Proposal, sponsor: str) -> int:
        self.models[proposal.id] = self.driver.model_of(proposal, sponsor, ())
        return proposal.id

    def fresh_text(self) -> str:
        return f"# Model cards\n\nAs revised on {self.world.clock.now().isoformat()}.\n"

    # -- filing and revising ------------------------------------------------------------------

    @initialize(
        target=proposals,
        kind=st.sampled_from(KINDS),
        sponsor=st.sampled_from(SPONSORS),
        plan=st.sampled_from(["pursue", "pursue, revising between stages", "file only"]),
        data=st.data(),
    )
    def first_proposal(self, kind: str, sponsor: str, plan: str, data: st.DataObject) -> int:
        """Filed by the chair and, by plan, pursued to approval before the random steps."""
        filed = self.driver.file(CHAIRS[sponsor], kind, sponsor, [], TEXTS[0])
        assert isinstance(filed, Proposal), filed
        self.adopt(filed, sponsor)
        if plan != "file only":
            self.pursue(filed.id, self.draw_revision_stage(filed.id, data, plan != "pursue"))
        return filed.id

    @rule(
        target=proposals,
        by=people,
        kind=st.sampled_from(KINDS),
        sponsor=st.sampled_from(SPONSORS),
        text=st.none() | st.sampled_from(TEXTS),
    )
    def file(self, by: str, kind: str, sponsor: str, text: str | None) -> Any:
        filed = self.driver.file(by, kind, sponsor, [], text)
        return self.adopt(filed, sponsor) if isinstance(filed, Proposal) else multiple()

    @rule(
        proposal=proposals,
        by=people | st.sampled_from(sorted(CHAIRS.values())),
        text=st.sampled_from(TEXTS) | st.just(""),
    )
    def revise(self, proposal: int, by: str, text: str) -> None:
        """Anyone, the chairs more often, tries a revision; "" stands for a fresh text."""
        self.driver.revise(proposal, by, text or self.fresh_text())

    # -- actions and ballots ------------------------------------------------------------------

    @rule(proposal=proposals, by=people, data=st.data())
    def take_any_action(self, proposal: int, by: str, data: st.DataObject) -> None:
        actions = sorted(self.models[proposal].definition.actions)
        self.driver.take(proposal, data.draw(st.sampled_from(actions), "action"), by)

    @rule(proposal=proposals, by=people)
    def open_ballot(self, proposal: int, by: str) -> None:
        self.driver.open_ballot(proposal, by)

    @rule(
        proposal=proposals,
        by=people,
        choice=st.sampled_from(CHOICES),
        rationale=st.sampled_from(["", "I wrote part of it", "Section 3 is unsafe"]),
        proxy_for=st.none() | people,
    )
    def vote(
        self, proposal: int, by: str, choice: str, rationale: str, proxy_for: str | None
    ) -> None:
        ballot_id = self.driver.observe([proposal])[proposal].last_ballot
        if ballot_id is not None:
            self.driver.vote(ballot_id, by, choice, rationale, voter=proxy_for)

    @rule(proposal=proposals, by=people, cancel=st.booleans())
    def close_or_cancel(self, proposal: int, by: str, cancel: bool) -> None:
        ballot_id = self.driver.observe([proposal])[proposal].last_ballot
        if ballot_id is not None:
            (self.driver.cancel if cancel else self.driver.close)(ballot_id, by)

    @rule(delta=st.sampled_from(CLOCK_STEPS))
    def advance_clock_and_tick(self, delta: Any) -> None:
        self.driver.advance(delta)
        self.driver.tick()

    @rule()
    def tick(self) -> None:
        self.driver.tick()

    # -- pushing proposals towards approval ---------------------------------------------------

    @rule(proposal=proposals, verdict=st.sampled_from(["yes", "yes", "no", "abstain"]))
    def move_on(self, proposal: int, verdict: str) -> None:
        """One stage: the chair submits, or the whole electorate takes one position."""
        self.driver.progress(self.models[proposal], verdict)

    def draw_revision_stage(self, proposal: int, data: st.DataObject, revise: bool) -> str | None:
        """A ballot stage after the first on the way to approval, to revise the text in."""
        later = ballots_to_approval(self.models[proposal].definition)[1:]
        return data.draw(st.sampled_from(later), "revise in") if revise and later else None

    @rule(proposal=proposals, revise=st.booleans(), data=st.data())
    def pursue_approval(self, proposal: int, revise: bool, data: st.DataObject) -> None:
        self.pursue(proposal, self.draw_revision_stage(proposal, data, revise))

    def pursue(self, proposal: int, revise_in: str | None) -> None:
        """Every stage passes in turn; with ``revise_in`` the chair revises on reaching it.

        The bodies that voted before that stage voted on older text, so unless one of them
        votes again (the WG at last call) the proposal must not reach approval on this run.
        """
        model = self.models[proposal]
        for _ in range(8):
            state = self.driver.observe([proposal])[proposal].state
            if model.definition.states[state].approved:
                return
            if state == revise_in:
                self.driver.revise(proposal, CHAIRS[model.sponsor], self.fresh_text())
                event(f"pursue: revised in {model.kind}.{state}")
                revise_in = None
            if not self.driver.progress(model):
                return
            if self.driver.observe([proposal])[proposal].state == state:
                return  # stuck: a refused outcome, or a stage that did not pass

    # -- the property ---------------------------------------------------------------------

    def check_bound(self, model: ProposalModel, revision: int) -> None:
        latest = self.driver.latest_closed(model, revision)
        for ref in model.definition.approval_requires:
            ballot = latest.get(ref)
            assert ballot is not None, (
                f"proposal {model.id} is {model.state} but {ref} never closed a ballot on "
                f"revision {revision}"
            )
            assert ballot.outcome == "passed", (
                f"proposal {model.id} is {model.state} but the latest {ref} ballot on revision "
                f"{revision} (ballot {ballot.id}, stage {ballot.stage}) {ballot.outcome}"
            )

    @invariant()
    def approval_is_bound_to_one_revision(self) -> None:
        for proposal_id, now in self.driver.observe(self.models).items():
            model = self.models[proposal_id]
            approved = model.definition.states[now.state].approved
            entered = approved and (now.state != model.state or model.approved_revision is None)
            model.state, model.revision = now.state, now.revision
            if not approved:
                model.approved_revision = None
                continue
            if entered:
                model.approved_revision = now.revision
                APPROVALS[model.kind] += 1
                event(f"approved: {model.kind}.{now.state}")
            assert model.approved_revision is not None
            self.check_bound(model, model.approved_revision)
            if now.revision != model.approved_revision:
                REVISED_AFTER_APPROVAL[f"{model.kind}.{now.state}"] += 1
                event(f"revised after approval: {model.kind}.{now.state}")

    def teardown(self) -> None:
        EXAMPLES["examples"] += 1
        if any(model.approved_revision is not None for model in self.models.values()):
            EXAMPLES["ending approved"] += 1
        self.driver.cancel_open_ballots(self.models.values())
        with self.world.database.reader() as session:
            verified = log_writer.verify(session)
        assert verified.ok, verified


def test_approval_is_bound_to_the_revision_every_body_passed(database: Database) -> None:
    ApprovalMachine.world = build_world(database)
    APPROVALS.clear()
    REVISED_AFTER_APPROVAL.clear()
    EXAMPLES.clear()
    examples = MAX_EXAMPLES[database.backend]
    started = time.monotonic()
    run_state_machine_as_test(
        ApprovalMachine, settings=stateful_settings(max_examples=examples, steps=STEPS)
    )
    elapsed = time.monotonic() - started
    print(
        f"{database.backend}: {dict(EXAMPLES)} in {elapsed:.1f}s; approvals {dict(APPROVALS)}; "
        f"revised after approval {dict(REVISED_AFTER_APPROVAL)}"
    )
    assert sum(APPROVALS.values()) > 0, "no example reached an approved state"
