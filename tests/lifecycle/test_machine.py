"""Firing actions on the shared machine: availability, guards, approval, sharing, threads."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import transitions

from governance_engine.errors import ActionNotAvailable, GuardFailed, NotFound
from governance_engine.lifecycle import ProposalFacts, WorkflowMachine, WorkflowRegistry

Facts = Callable[..., ProposalFacts]


@pytest.fixture
def standard(registry: WorkflowRegistry) -> WorkflowMachine:
    return registry.get("standard", 2)


def test_fire_returns_the_new_state(standard: WorkflowMachine, make_facts: Facts) -> None:
    assert standard.fire("draft", "submit", make_facts()) == "wg_review"
    assert standard.fire("wg_review", "start_last_call", make_facts()) == "wg_last_call"


def test_action_not_available_lists_what_is(standard: WorkflowMachine, make_facts: Facts) -> None:
    with pytest.raises(ActionNotAvailable) as caught:
        standard.fire("draft", "ratify", make_facts())
    assert str(caught.value) == (
        "action 'ratify' is not available in state 'draft' of workflow standard v2 "
        "(available: submit, defer, withdraw)"
    )


def test_terminal_state_has_no_action(standard: WorkflowMachine, make_facts: Facts) -> None:
    assert standard.available_actions("withdrawn") == []
    with pytest.raises(ActionNotAvailable, match=r"\(available: none\)"):
        standard.fire("withdrawn", "revive", make_facts())


def test_unknown_state_is_not_found(standard: WorkflowMachine, make_facts: Facts) -> None:
    with pytest.raises(NotFound, match="workflow standard v2 has no state 'limbo'"):
        standard.fire("limbo", "submit", make_facts())
    with pytest.raises(NotFound):
        standard.available_actions("limbo")


def test_guard_failure_explains_itself(standard: WorkflowMachine, make_facts: Facts) -> None:
    with pytest.raises(GuardFailed) as caught:
        standard.fire("draft", "submit", make_facts(revisions=0))
    assert str(caught.value) == "guard has_revision failed: the proposal has no revision"
    assert caught.value.details == {"guards": ["has_revision"]}


def test_every_failed_guard_is_named(standard: WorkflowMachine, make_facts: Facts) -> None:
    facts = make_facts(open_ballot=True, concerns=2)
    assert standard.failed_guards("wg_last_call", "end_last_call", facts) == [
        "guard no_open_ballot failed: a ballot is open on the proposal; close or cancel it first",
        "guard no_open_concerns failed: the proposal has 2 open concerns",
    ]
    with pytest.raises(GuardFailed, match=r"no_open_ballot.*; guard no_open_concerns"):
        standard.fire("wg_last_call", "end_last_call", facts)


def test_failed_guards_is_empty_when_the_action_would_fire(
    standard: WorkflowMachine, make_facts: Facts
) -> None:
    assert standard.failed_guards("wg_last_call", "end_last_call", make_facts()) == []
    assert standard.fire("wg_last_call", "end_last_call", make_facts()) == "toc_review"


def test_leaving_last_call_for_revision_is_allowed_with_open_concerns(
    standard: WorkflowMachine, make_facts: Facts
) -> None:
    assert standard.fire("wg_last_call", "last_call_return", make_facts(concerns=1)) == "returned"


def test_available_actions_by_state(standard: WorkflowMachine) -> None:
    names = [action.name for action in standard.available_actions("board_ratification")]
    assert names == ["ratify", "board_reject", "board_return", "withdraw"]


@pytest.mark.parametrize(
    ("passed", "missing"),
    [
        (set(), "sponsor, toc, board"),
        ({"sponsor", "toc"}, "board"),
        ({"toc", "board"}, "sponsor"),
    ],
)
def test_approval_needs_every_body_on_the_current_revision(
    standard: WorkflowMachine, make_facts: Facts, passed: set[str], missing: str
) -> None:
    with pytest.raises(GuardFailed) as caught:
        standard.fire("board_ratification", "ratify", make_facts(passed=passed))
    assert str(caught.value) == (
        "guard approval_ballots_passed failed: approval requires passed ballots on the current "
        f"revision from sponsor, toc, board; missing: {missing}"
    )


def test_approval_with_every_body_passed(standard: WorkflowMachine, make_facts: Facts) -> None:
    facts = make_facts(passed={"sponsor", "toc", "board"})
    assert standard.fire("board_ratification", "ratify", facts) == "published"


def test_approval_is_enforced_even_when_the_yaml_lists_no_guard(
    registry: WorkflowRegistry, make_facts: Facts
) -> None:
    definition = registry.get("guideline", 2).definition
    data = definition.to_dict()
    data["actions"]["publish"]["guards"] = []
    machine = WorkflowMachine(type(definition).from_dict(data))
    assert machine.failed_guards("toc_review", "publish", make_facts(passed={"toc"})) == [
        "guard approval_ballots_passed failed: approval requires passed ballots on the current "
        "revision from sponsor, toc; missing: sponsor"
    ]
    assert machine.fire("toc_review", "publish", make_facts(passed={"sponsor", "toc"})) == (
        "published"
    )


def test_guideline_needs_no_board(registry: WorkflowRegistry, make_facts: Facts) -> None:
    machine = registry.for_kind("guideline")
    assert machine.fire("toc_review", "publish", make_facts(passed={"sponsor", "toc"})) == (
        "published"
    )


def test_project_lifecycle_end_to_end(registry: WorkflowRegistry, make_facts: Facts) -> None:
    machine = registry.for_kind("project")
    approved = make_facts(passed={"sponsor", "toc", "board"})
    state = "draft"
    for action in (
        "submit",
        "wg_recommend",
        "toc_sign_off",
        "ratify",
        "propose_graduation",
        "graduate",
        "propose_graduated_archival",
        "keep_graduated",
        "propose_graduated_archival",
        "archive",
    ):
        state = machine.fire(state, action, approved)
    assert state == "archived"
    assert machine.definition.states[state].terminal


def test_one_machine_per_version_shared_by_all_proposals(
    registry: WorkflowRegistry, make_facts: Facts
) -> None:
    assert registry.get("standard", 2) is registry.for_kind("standard")
    assert registry.latest("standard") is registry.get("standard", 2)
    machine = registry.get("standard", 2)
    inner: transitions.Machine = machine._machine
    shape = (dict(vars(inner)).keys(), len(inner.states), len(inner.events))
    proposal_a, proposal_b = "draft", "returned"
    proposal_a = machine.fire(proposal_a, "submit", make_facts())
    for _ in range(2000):  # two proposals, interleaved, on the one machine
        proposal_a = machine.fire(proposal_a, "wg_return", make_facts())
        proposal_b = machine.fire(proposal_b, "resubmit", make_facts())
        proposal_a = machine.fire(proposal_a, "resubmit", make_facts())
        proposal_b = machine.fire(proposal_b, "wg_return", make_facts())
    assert (proposal_a, proposal_b) == ("wg_review", "returned")
    assert inner.models == []
    assert (dict(vars(inner)).keys(), len(inner.states), len(inner.events)) == shape
    assert not inner._transition_queue


def test_fire_is_safe_from_many_threads(registry: WorkflowRegistry, make_facts: Facts) -> None:
    machine = registry.get("standard", 2)
    ok = make_facts(passed={"sponsor", "toc", "board"})
    blocked = make_facts(revisions=0)
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def work(index: int) -> None:
        barrier.wait()
        try:
            for _ in range(300):
                if index % 2:
                    assert machine.fire("board_ratification", "ratify", ok) == "published"
                else:
                    with pytest.raises(GuardFailed):
                        machine.fire("draft", "submit", blocked)
                    assert machine.fire("draft", "submit", ok) == "wg_review"
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert machine._machine.models == []
