"""The pure fold's workflow registrations: hand-built entries, the problems found in them."""

from __future__ import annotations

from typing import Any

from governance_engine.lifecycle import load_bundled
from governance_engine.log.replay import Replayer, ReplayState

[STANDARD] = [d for d in load_bundled() if d.name == "standard"]


def filed(seq: int, proposal_id: int, **extra: Any) -> dict[str, Any]:
    payload = {
        "kind": "standard",
        "title": "Spec",
        "sponsor": "wg",
        "authors": [1],
        "workflow": "standard",
        "workflow_version": STANDARD.version,
        "state": "draft",
        **extra,
    }
    return entry(seq, "proposal.filed", proposal_id, payload)


def registered(seq: int, **change: Any) -> dict[str, Any]:
    payload = {
        "name": "standard",
        "version": STANDARD.version,
        "kind": "standard",
        "digest": STANDARD.digest(),
        "definition": STANDARD.to_dict(),
        **change,
    }
    return entry(seq, "workflow.registered", f"standard/{STANDARD.version}", payload)


def entry(seq: int, action: str, subject: Any, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "seq": seq,
        "recorded_at": f"2026-03-02T09:{seq:02d}:00.000000Z",
        "actor_id": 1,
        "action": action,
        "subject_id": str(subject),
        "proposal_id": subject if action == "proposal.filed" else None,
        "body_id": 3,
        "payload": payload,
    }


def fold(*entries: dict[str, Any]) -> ReplayState:
    replayer = Replayer()
    for item in entries:
        replayer.apply(item)
    return replayer.state


def lines(state: ReplayState) -> list[str]:
    return [problem.describe() for problem in state.problems]


def test_filings_before_the_first_registration_are_tolerated() -> None:
    # a log written before registrations existed, then the engine that registers
    state = fold(filed(1, 1), registered(2), filed(3, 2, workflow_digest=STANDARD.digest()))
    assert lines(state) == []
    assert state.unknown_actions == {}


def test_after_the_first_registration_every_filing_needs_one() -> None:
    guideline = registered(1, name="guideline")
    state = fold(guideline, filed(2, 1))
    assert "proposals[id=1] workflow: log seq 2 (proposal.filed) " in lines(state)[-1]
    assert lines(state)[-1].endswith("'not registered'")


def test_a_filing_with_another_digest_is_reported() -> None:
    state = fold(registered(1), filed(2, 1, workflow_digest="f" * 64))
    assert lines(state) == [
        f"proposals[id=1] workflow_digest: log (workflow.registered) {STANDARD.digest()!r}, "
        f"log seq 2 (proposal.filed) {'f' * 64!r}"
    ]


def test_a_definition_changed_under_its_digest_is_reported() -> None:
    edited = dict(STANDARD.to_dict(), title="Edited")
    state = fold(registered(1, definition=edited))
    [problem] = state.problems
    assert (problem.table, problem.key, problem.field) == (
        "workflow_versions",
        f"name=standard version={STANDARD.version}",
        "digest",
    )
    assert problem.found == STANDARD.digest()


def test_a_version_registered_twice_is_reported() -> None:
    state = fold(registered(1), registered(2))
    assert lines(state) == [
        f"workflow_versions[name=standard version={STANDARD.version}] registered: "
        "log seq 2 (workflow.registered) 'once', log seq 2 (workflow.registered) 'again'"
    ]
