"""Whatever data arrives, the parser answers with a definition or a WorkflowDefinitionError."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from governance_engine.errors import WorkflowDefinitionError
from governance_engine.lifecycle import WorkflowDefinition, parse_workflow

KEYS = [
    "name",
    "version",
    "kind",
    "title",
    "description",
    "initial",
    "approval_requires",
    "states",
    "actions",
    "terminal",
    "approved",
    "ballot",
    "timer",
    "body",
    "rule",
    "outcomes",
    "passed",
    "failed",
    "no_quorum",
    "after",
    "action",
    "source",
    "dest",
    "roles",
    "guards",
    "draft",
    "toc_review",
    "published",
    "rejected",
    "submit",
    "approve",
    "reject",
]
WORDS = [
    *KEYS,
    "sponsor",
    "toc",
    "board",
    "system",
    "author",
    "sponsor.chair",
    "simple-majority",
    "has_revision",
    "14 days",
    "3 business days",
    "standard",
    "mini",
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=True)
    | (st.sampled_from(WORDS) | st.text(max_size=8))
)
keys = st.sampled_from(KEYS) | st.text(max_size=6) | st.integers(0, 2) | st.booleans()
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=25,
)


def _parse(data: Any) -> None:
    problems: list[str] = []
    try:
        result = parse_workflow(data, "fuzz.yaml")
    except WorkflowDefinitionError as error:
        problems = error.problems
        assert problems, "an error always carries its problems"
    else:  # what parses can be stored and read back
        assert WorkflowDefinition.from_dict(result.to_dict()).digest() == result.digest()
    assert all(line.startswith("fuzz.yaml: ") and "\n" not in line for line in problems)


@settings(max_examples=100, deadline=None)
@given(values)
def test_random_data_never_crashes_the_parser(data: Any) -> None:
    _parse(data)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.lists(st.sampled_from(KEYS), min_size=1, max_size=4), values), max_size=3)
)
def test_damaged_workflows_never_crash_the_parser(
    mini_template: dict[str, Any], damage: list[tuple[list[str], Any]]
) -> None:
    data: Any = copy.deepcopy(mini_template)
    for path, value in damage:
        target = data
        for key in path[:-1]:
            if not isinstance(target, dict) or not isinstance(target.get(key), dict):
                break
            target = target[key]
        if isinstance(target, dict):
            target[path[-1]] = value
    _parse(data)
