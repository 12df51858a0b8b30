"""Every validation problem is one line naming the file, the key path and what is wrong."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from governance_engine.errors import WorkflowDefinitionError
from governance_engine.lifecycle import load_directory, load_workflow

Mutation = Callable[[dict[str, Any]], None]


def problems_of(path: Path) -> list[str]:
    with pytest.raises(WorkflowDefinitionError) as caught:
        load_workflow(path)
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


def test_the_unbroken_workflow_is_valid(write: Callable[..., Path], mini: dict[str, Any]) -> None:
    definition = load_workflow(write(mini))
    assert definition.label == "mini v1"


def _set(path: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = data
        for key in parents:
            target = target[key]
        target[last] = value

    return mutate


def _delete(path: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = data
        for key in parents:
            target = target[key]
        del target[last]

    return mutate


TOP_KEYS = (
    "actions, approval_requires, description, initial, kind, name, objection_window, public, "
    "sponsor_kinds, states, title, version"
)
STATE_KEYS = "approved, ballot, description, terminal, timer, title"
ACTION_KEYS = "description, dest, guards, override, roles, source, title"
GUARD_NAMES = (
    "approval_ballots_passed, ballot_passed, has_revision, no_open_ballot, no_open_concerns, "
    "no_open_objections"
)

CASES: list[tuple[str, Mutation, str]] = [
    (
        "unknown top-level key",
        _set("titel", "Mini"),
        f"titel: unknown key (did you mean 'title'? allowed: {TOP_KEYS})",
    ),
    (
        "unknown state key",
        _set("states.draft.terminl", True),
        f"states.draft.terminl: unknown key (did you mean 'terminal'? allowed: {STATE_KEYS})",
    ),
    (
        "unknown action key",
        _set("actions.submit.conditions", ["has_revision"]),
        f"actions.submit.conditions: unknown key (allowed: {ACTION_KEYS})",
    ),
    (
        "unknown ballot key",
        _set("states.toc_review.ballot.quorum", 3),
        "states.toc_review.ballot.quorum: unknown key (allowed: body, outcomes, rule)",
    ),
    (
        "unknown timer key",
        _set("states.toc_review.timer.every", "1 day"),
        "states.toc_review.timer.every: unknown key (allowed: action, after)",
    ),
    ("missing top-level key", _delete("kind"), "kind: missing required key"),
    (
        "missing action key",
        _delete("actions.submit.roles"),
        "actions.submit.roles: missing required key",
    ),
    (
        "missing ballot key",
        _delete("states.toc_review.ballot.body"),
        "states.toc_review.ballot.body: missing required key",
    ),
    (
        "version of the wrong type",
        _set("version", "one"),
        "version: expected an integer, got string",
    ),
    ("version below one", _set("version", 0), "version: must be 1 or more, got 0"),
    ("version as a boolean", _set("version", True), "version: expected an integer, got boolean"),
    (
        "unknown kind",
        _set("kind", "Policy Paper"),
        "kind: invalid kind 'Policy Paper' (use at most 32 lower-case letters, "
        "digits, '_' and '-', starting with a letter)",
    ),
    ("empty title", _set("title", " "), "title: must not be empty"),
    (
        "flag of the wrong type",
        _set("states.draft.terminal", "no"),
        "states.draft.terminal: expected true or false, got string",
    ),
    ("states not a mapping", _set("states", ["draft"]), "states: expected a mapping, got list"),
    (
        "roles not a list",
        _set("actions.submit.roles", "sponsor.chair"),
        "actions.submit.roles: expected a list of strings, got string",
    ),
    (
        "name differs from the file",
        _set("name", "maxi"),
        "name: 'maxi' does not match the file name 'mini'",
    ),
    (
        "initial is not a state",
        _set("initial", "drafting"),
        "initial: unknown state 'drafting' (did you mean 'draft'?)",
    ),
    (
        "invalid state name",
        _set("states.Draft-2", {"terminal": True}),
        "states.Draft-2: invalid name "
        "(use lower-case letters, digits and '_', starting with a letter)",
    ),
    (
        "state not reachable",
        _set("states.limbo", {"terminal": True}),
        "states.limbo: not reachable from the initial state 'draft'",
    ),
    (
        "non-terminal state without a way out",
        _set("states.rejected.terminal", False),
        "states.rejected: non-terminal state has no way out (add an action leaving it, "
        "or mark it 'terminal: true')",
    ),
    (
        "terminal state with a way out",
        _set("actions.reopen", {"source": "rejected", "dest": "draft", "roles": ["toc.chair"]}),
        "states.rejected: terminal state has a way out: action(s) reopen leave it "
        "(a terminal state is final; drop 'terminal: true' or those sources)",
    ),
    (
        "empty roles",
        _set("actions.submit.roles", []),
        "actions.submit.roles: must name at least one role allowed to fire it",
    ),
    (
        "unknown role",
        _set("actions.submit.roles", ["sponsor.chair", "sponsor.chiar"]),
        "actions.submit.roles[1]: unknown role 'sponsor.chiar' (known: author, system, or "
        "<body>.<seat> with body 'sponsor' or a body slug and seat in chair, co_chair, "
        "secretary, member)",
    ),
    (
        "observers cannot act",
        _set("actions.submit.roles", ["toc.observer"]),
        "actions.submit.roles[0]: unknown role 'toc.observer' (known: author, system, or "
        "<body>.<seat> with body 'sponsor' or a body slug and seat in chair, co_chair, "
        "secretary, member)",
    ),
    (
        "duplicate role",
        _set("actions.submit.roles", ["sponsor.chair", "sponsor.chair"]),
        "actions.submit.roles[1]: duplicate entry 'sponsor.chair'",
    ),
    (
        "unknown role after an entry that is not a string",
        _set("actions.submit.roles", [7, "toc.chiar"]),
        "actions.submit.roles[1]: unknown role 'toc.chiar' (known: author, system, or "
        "<body>.<seat> with body 'sponsor' or a body slug and seat in chair, co_chair, "
        "secretary, member)",
    ),
    (
        "role that is not a string",
        _set("actions.submit.roles", [7, "toc.chair"]),
        "actions.submit.roles[0]: expected a string, got integer",
    ),
    (
        "rule that is not plain data",
        _set("states.toc_review.ballot.rule", {"preset": "iab", "min_yes": float("nan")}),
        "states.toc_review.ballot.rule: must be plain data "
        "(strings, numbers, true/false, lists, mappings)",
    ),
    (
        "unknown guard",
        _set("actions.submit.guards", ["has_revison"]),
        f"actions.submit.guards[0]: unknown guard 'has_revison' (known: {GUARD_NAMES})",
    ),
    (
        "guard given as an import path",
        _set("actions.submit.guards", ["os.system"]),
        f"actions.submit.guards[0]: unknown guard 'os.system' (known: {GUARD_NAMES})",
    ),
    (
        "source not a state",
        _set("actions.submit.source", ["draft", "drfat"]),
        "actions.submit.source: unknown state 'drfat' (did you mean 'draft'?)",
    ),
    (
        "dest not a state",
        _set("actions.submit.dest", "nowhere"),
        "actions.submit.dest: unknown state 'nowhere' "
        "(known: draft, published, rejected, toc_review)",
    ),
    (
        "empty source",
        _set("actions.submit.source", []),
        "actions.submit.source: must name at least one state",
    ),
    (
        "invalid ballot body",
        _set("states.toc_review.ballot.body", "WG_1"),
        "states.toc_review.ballot.body: invalid body 'WG_1' (use 'sponsor' or a body slug: "
        "lower-case letters and digits, single hyphens)",
    ),
    (
        "ballot rule of the wrong type",
        _set("states.toc_review.ballot.rule", ["simple-majority"]),
        "states.toc_review.ballot.rule: expected a preset name or a rule mapping, got list",
    ),
    (
        "missing ballot outcome",
        _delete("states.toc_review.ballot.outcomes.no_quorum"),
        "states.toc_review.ballot.outcomes.no_quorum: missing required key",
    ),
    (
        "unknown ballot outcome",
        _set("states.toc_review.ballot.outcomes.tied", "reject"),
        "states.toc_review.ballot.outcomes.tied: unknown key (allowed: failed, no_quorum, passed)",
    ),
    (
        "outcome action does not exist",
        _set("states.toc_review.ballot.outcomes.passed", "aprove"),
        "states.toc_review.ballot.outcomes.passed: unknown action 'aprove' "
        "(did you mean 'approve'?)",
    ),
    (
        "outcome action does not leave the state",
        _set("states.toc_review.ballot.outcomes.passed", "submit"),
        "states.toc_review.ballot.outcomes.passed: action 'submit' does not leave state "
        "'toc_review' (its source is draft)",
    ),
    (
        "outcome action not allowed to system",
        _set("actions.approve.roles", ["toc.chair"]),
        "states.toc_review.ballot.outcomes.passed: action 'approve' does not allow role 'system' "
        "(roles: toc.chair)",
    ),
    (
        "timer action does not exist",
        _set("states.toc_review.timer.action", "expire"),
        "states.toc_review.timer.action: unknown action 'expire' (known: approve, reject, submit)",
    ),
    (
        "timer action not allowed to system",
        _set("states.draft.timer", {"after": "90 days", "action": "submit"}),
        "states.draft.timer.action: action 'submit' does not allow role 'system' "
        "(roles: sponsor.chair)",
    ),
    (
        "timer duration unreadable",
        _set("states.toc_review.timer.after", "two weeks"),
        "states.toc_review.timer.after: expected a duration like '14 days', '2 weeks' or "
        "'10 business days', got 'two weeks'",
    ),
    (
        "timer duration of zero",
        _set("states.toc_review.timer.after", "0 days"),
        "states.toc_review.timer.after: expected a duration like '14 days', '2 weeks' or "
        "'10 business days', got '0 days'",
    ),
    (
        "approval_requires invalid body",
        _set("approval_requires", ["toc", "Members"]),
        "approval_requires[1]: invalid body 'Members' (use 'sponsor' or a body slug: "
        "lower-case letters and digits, single hyphens)",
    ),
    (
        "approval_requires body that never votes",
        _set("approval_requires", ["toc", "board"]),
        "approval_requires[1]: body 'board' votes in no ballot stage of this workflow, "
        "so it could never approve",
    ),
    (
        "approval_requires empty",
        _set("approval_requires", []),
        "approval_requires: must name at least one body whose ballot approves",
    ),
    (
        "no approved state",
        _set("states.published.approved", False),
        "states: no approved state (mark the state a proposal reaches when approved "
        "'approved: true')",
    ),
]


@pytest.mark.parametrize(
    ("mutation", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_problem_is_one_line_naming_file_key_and_problem(
    write: Callable[..., Path], mini: dict[str, Any], mutation: Mutation, expected: str
) -> None:
    mutation(mini)
    path = write(mini)
    assert f"{path}: {expected}" in problems_of(path)


def test_no_terminal_state(write: Callable[..., Path], mini: dict[str, Any]) -> None:
    mini["states"]["published"]["terminal"] = False
    mini["states"]["rejected"]["terminal"] = False
    mini["actions"]["reopen"] = {
        "source": ["published", "rejected"],
        "dest": "draft",
        "roles": ["toc.chair"],
    }
    path = write(mini)
    assert problems_of(path) == [
        f"{path}: states: no terminal state (mark the final states 'terminal: true')"
    ]


def test_approved_state_must_be_reachable(write: Callable[..., Path], mini: dict[str, Any]) -> None:
    mini["states"]["published"]["approved"] = False
    mini["states"]["island"] = {"approved": True, "terminal": True}
    path = write(mini)
    assert problems_of(path) == [
        f"{path}: states.island: not reachable from the initial state 'draft'",
        f"{path}: states: no approved state (island) is reachable from the initial state 'draft'",
    ]


def test_unknown_rule_preset_is_reported_by_the_rule_parser(
    write: Callable[..., Path], mini: dict[str, Any]
) -> None:
    mini["states"]["toc_review"]["ballot"]["rule"] = "tow-thirds"
    path = write(mini)
    [problem] = problems_of(path)
    assert problem.startswith(
        f"{path}: states.toc_review.ballot.rule: unknown preset 'tow-thirds'; known presets: "
    )
    assert "two-thirds-of-body" in problem


def test_invalid_inline_rule_is_reported(write: Callable[..., Path], mini: dict[str, Any]) -> None:
    mini["states"]["toc_review"]["ballot"]["rule"] = {"threshold": "most"}
    path = write(mini)
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: states.toc_review.ballot.rule.threshold: 'most' ")


def test_inline_rule_from_a_preset_with_overrides(
    write: Callable[..., Path], mini: dict[str, Any]
) -> None:
    mini["states"]["toc_review"]["ballot"]["rule"] = {"preset": "iab", "min_yes": 5}
    ballot = load_workflow(write(mini)).states["toc_review"].ballot
    assert ballot is not None
    assert ballot.rule.min_yes == 5


def test_yaml_syntax_error_names_the_line(write: Callable[..., Path]) -> None:
    path = write("name: mini\nversion: 1\nstates:\n  draft: {terminal: true\n")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: line 5, column 1: invalid YAML: ")


def test_duplicate_keys_are_detected_with_their_lines(
    write: Callable[..., Path], mini: dict[str, Any]
) -> None:
    import yaml

    text = yaml.safe_dump(mini, sort_keys=False)
    text += "  submit:\n    source: draft\n    dest: rejected\n    roles: [author]\n"
    path = write(text)
    first = text.splitlines().index("  submit:") + 1
    last = len(text.splitlines()) - 3
    # YAML keeps the last of two equal keys; the duplicate is reported first, with its lines.
    assert problems_of(path)[0] == (
        f"{path}: actions.submit: duplicate key (first on line {first}, again on line {last})"
    )


def test_duplicate_state_key(write: Callable[..., Path]) -> None:
    path = write("states:\n  draft: {}\n  draft: {terminal: true}\n")
    assert f"{path}: states.draft: duplicate key (first on line 2, again on line 3)" in problems_of(
        path
    )


def test_document_that_is_not_a_mapping(write: Callable[..., Path]) -> None:
    path = write("- draft\n- review\n")
    assert problems_of(path) == [f"{path}: (top level): expected a mapping, got list"]


def test_empty_file(write: Callable[..., Path]) -> None:
    path = write("")
    assert problems_of(path) == [f"{path}: (top level): expected a mapping, got null"]


def test_unsafe_tags_are_refused(write: Callable[..., Path]) -> None:
    path = write("name: !!python/object/apply:os.system ['true']\n")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: line 1, column 7: invalid YAML: ")


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: cannot read the file: ")


def test_all_problems_are_collected(write: Callable[..., Path], mini: dict[str, Any]) -> None:
    mini["kind"] = "Policy Paper"
    mini["actions"]["submit"]["guards"] = ["nope"]
    mini["states"]["toc_review"]["ballot"]["body"] = "wg"
    path = write(mini)
    assert len(problems_of(path)) == 3


def test_directory_problems_are_aggregated_over_files(
    write: Callable[..., Path], mini: dict[str, Any], tmp_path: Path
) -> None:
    write(mini)
    mini["name"] = "other"
    mini["kind"] = "Policy Paper"
    write(mini, name="other")
    write("name: [broken\n", name="zzz")
    with pytest.raises(WorkflowDefinitionError) as caught:
        load_directory(tmp_path, source="dir")
    assert caught.value.problems[0] == (
        "dir/other.yaml: kind: invalid kind 'Policy Paper' (use at most 32 lower-case letters, "
        "digits, '_' and '-', starting with a letter)"
    )
    assert caught.value.problems[1].startswith("dir/zzz.yaml: line 2, column 1: invalid YAML: ")
    assert len(caught.value.problems) == 2


def test_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(WorkflowDefinitionError) as caught:
        load_directory(tmp_path, source="dir")
    assert caught.value.problems == ["dir: no workflow files (*.yaml, *.yml) found"]
