"""Fuzzing the loader with damaged copies of the real, bundled workflow files.

``test_properties.py`` throws random data and random damage at a small workflow through
``parse_workflow``. Here the starting point is each bundled YAML file, and the way in is
``load_workflow`` on a file, as ``governance-engine workflows check`` and ``serve`` read it:

* the data is damaged (keys dropped, values swapped for other types, states and actions
  renamed so references dangle, unicode injected into keys and strings, huge numbers);
* the text is damaged (lines dropped, duplicated or swapped, random text inserted, numbers
  made huge, the file cut short).

Whatever arrives, the loader either returns a definition that works (it round-trips, builds
its machine, and its timers and ballot deadlines can be computed) or raises
``WorkflowDefinitionError`` whose every problem is one non-empty line naming the file and the
key (or, for YAML that does not parse, the line).
"""

from __future__ import annotations

import copy
import math
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance_engine.errors import WorkflowDefinitionError
from governance_engine.lifecycle import (
    WorkflowDefinition,
    WorkflowMachine,
    bundled_workflows_path,
    load_workflow,
)
from governance_engine.lifecycle.timers import due_at

BUNDLED = {
    entry.name: entry.read_text(encoding="utf-8")
    for entry in sorted(bundled_workflows_path().iterdir(), key=lambda e: e.name)
    if entry.name.endswith(".yaml")
}
DATA = {name: yaml.safe_load(text) for name, text in BUNDLED.items()}
# Only the fuzz input is written with libyaml, when present; the loader under test reads as
# it always does.
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
OPENED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # when a fuzzed proposal enters a state

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],  # each example reads YAML from a file
)

UNICODE = [
    "\u200b",  # zero-width space
    "\u202e",  # right-to-left override
    "\ufeff",  # byte-order mark
    "\u0301",  # combining acute accent
    "é",
    "ß",
    "Ω",
    "ǅ",
    "٣",  # ARABIC-INDIC DIGIT THREE
    "\U0001d7d7",  # MATHEMATICAL BOLD DIGIT NINE
    "😀",
    "\x00",
    "\x85",  # NEXT LINE: a line break to YAML
    "\u2028",  # LINE SEPARATOR
    "\t",
    ": ",
    "#",
    "- ",
    "&a",
    "*a",
    "!!python/object:os.system",
    "{",
    "[",
    "'",
    '"',
    "\\",
]
HUGE = [
    10**30,
    -(10**30),
    2**63,
    2**31,
    -1,
    0,
    1e308,
    -1e308,
    math.inf,
    -math.inf,
    math.nan,
    "99999999999999999999 days",
    "9999999 business days",
    "3000000 weeks",
    "P99999999999D",
    "P3000000D",
    "PT99999999999999999999S",
    "1/0",
    "10**30",
]
TYPES: list[Any] = [None, True, False, 0, 7, -3, 1.5, "", "text", [], ["x"], {}, {"x": 1}]

path_choices = st.integers(0, 10_000)
unicode_text = st.lists(st.sampled_from(UNICODE) | st.text(max_size=3), min_size=1, max_size=3).map(
    "".join
)


def _nodes(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into the data: mapping keys and list indexes."""
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(_nodes(value, (*path, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_nodes(value, (*path, index)))
    return found


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    return _get(data, path[:-1])


def _set(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    _parent(data, path)[path[-1]] = value
    return data


def _rename(data: Any, path: tuple[Any, ...], new: Any) -> None:
    parent = _parent(data, path)
    if isinstance(parent, dict) and path[-1] in parent:
        value = parent.pop(path[-1])
        parent[new] = value


@st.composite
def damaged_data(draw: st.DrawFn) -> tuple[str, Any]:
    """A bundled file's data after one to four mutations."""
    name = draw(st.sampled_from(sorted(BUNDLED)))
    data: Any = copy.deepcopy(DATA[name])
    for _ in range(draw(st.integers(1, 4))):
        nodes = _nodes(data)
        path = nodes[draw(path_choices) % len(nodes)]
        mutation = draw(
            st.sampled_from(
                ["drop", "type", "rename", "unicode", "huge", "state", "action", "rule"]
            )
        )
        if mutation == "drop" and path:
            del _parent(data, path)[path[-1]]
        elif mutation == "type":
            data = _set(data, path, copy.deepcopy(draw(st.sampled_from(TYPES))))
        elif mutation == "rename" and path:
            _rename(data, path, draw(st.sampled_from(TYPES[:5]) | unicode_text))
        elif mutation == "unicode":
            value = _get(data, path)
            extra = draw(unicode_text)
            if isinstance(value, str):
                data = _set(data, path, draw(st.sampled_from([extra + value, value + extra])))
            elif path and isinstance(path[-1], str):
                _rename(data, path, path[-1] + extra)
        elif mutation == "huge":
            data = _set(data, path, draw(st.sampled_from(HUGE)))
        elif mutation in ("state", "action") and isinstance(data, dict):
            group = data.get("states" if mutation == "state" else "actions")
            if isinstance(group, dict) and group:
                old = draw(st.sampled_from(sorted(group, key=str)))
                _rename(data, ("states" if mutation == "state" else "actions", old), f"{old}_x")
        elif mutation == "rule" and isinstance(data, dict):
            _damage_a_rule(draw, data)
    return name, data


RULE_KEYS = ["duration", "close_on_pass_after", "quorum_min", "min_yes", "threshold", "choices"]


def _damage_a_rule(draw: st.DrawFn, data: dict[str, Any]) -> None:
    """Give one ballot stage an inline rule: a preset with one key overridden."""
    states = data.get("states")
    stages = [
        state["ballot"]
        for state in (states.values() if isinstance(states, dict) else [])
        if isinstance(state, dict) and isinstance(state.get("ballot"), dict)
    ]
    if stages:
        stage = draw(st.sampled_from(stages))
        value = draw(st.sampled_from([*HUGE, *TYPES]))
        stage["rule"] = {"preset": "simple-majority", draw(st.sampled_from(RULE_KEYS)): value}


TEXT_MUTATIONS = ["drop", "duplicate", "swap", "insert", "huge", "cut", "indent"]


@st.composite
def damaged_text(draw: st.DrawFn) -> tuple[str, str]:
    """A bundled file's text after one to three edits."""
    name = draw(st.sampled_from(sorted(BUNDLED)))
    lines = BUNDLED[name].splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            break
        at = draw(path_choices) % len(lines)
        mutation = draw(st.sampled_from(TEXT_MUTATIONS))
        if mutation == "drop":
            del lines[at]
        elif mutation == "duplicate":
            lines.insert(at, lines[at])
        elif mutation == "swap":
            other = draw(path_choices) % len(lines)
            lines[at], lines[other] = lines[other], lines[at]
        elif mutation == "insert":
            line = lines[at]
            column = draw(path_choices) % (len(line) + 1)
            lines[at] = line[:column] + draw(unicode_text) + line[column:]
        elif mutation == "huge":
            number = str(draw(st.sampled_from([10**30, 2**63, 99999999999, 0])))
            lines[at] = re.sub(r"\d+", number, lines[at], count=1)
        elif mutation == "cut":
            lines = lines[:at]
            if lines:
                lines[-1] = lines[-1][: draw(path_choices) % (len(lines[-1]) + 1)]
        else:
            lines[at] = " " * draw(st.integers(1, 3)) + lines[at]
    return name, "".join(lines)


# A problem names where it is: a key path (``states.draft.timer.after``, ``actions.x.roles[0]``,
# ``states['odd key']``) or, when the YAML does not parse, a line; or says what is wrong with the
# document as a whole.
_KEY_PATH = re.compile(
    r"(?:[^\s.\[\]'\"]+|\[(?:\d+|'.*'|\".*\")\])(?:\.[^\s.\[\]'\"]+|\[.*?\])*: \S"
)
_LINE = re.compile(r"line \d+, column \d+: invalid YAML: \S")
_DOCUMENT = re.compile(r"\(top level\): \S|invalid YAML: \S")


def _check_problems(error: WorkflowDefinitionError, source: str) -> None:
    assert error.problems, "a WorkflowDefinitionError always carries its problems"
    assert str(error) == "\n".join(error.problems)
    for line in error.problems:
        assert "\n" not in line, repr(line)
        assert "\r" not in line, repr(line)
        assert line.startswith(f"{source}: "), line
        what = line[len(source) + 2 :]
        assert what.strip(), line
        assert _KEY_PATH.match(what) or _LINE.match(what) or _DOCUMENT.match(what), (
            f"names no key: {line!r}"
        )


def _check_usable(definition: WorkflowDefinition) -> None:
    """What loads works: it round-trips, builds its machine, and its timers and ballot
    deadlines fall on dates a proposal entering the state now can have."""
    assert WorkflowDefinition.from_dict(definition.to_dict()).digest() == definition.digest()
    WorkflowMachine(definition)
    for state in definition.states.values():
        if state.timer is not None:
            due_at(OPENED, state.timer)
        if state.ballot is not None and state.ballot.rule.duration is not None:
            _ = OPENED + state.ballot.rule.duration


def _load(directory: Path, name: str, text: str) -> None:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    try:
        definition = load_workflow(path)
    except WorkflowDefinitionError as error:
        _check_problems(error, str(path))
    else:
        _check_usable(definition)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-workflows")


def test_every_bundled_file_loads_and_works(scratch: Path) -> None:
    assert set(BUNDLED) >= {"guideline.yaml", "project.yaml", "standard.yaml"}
    for name, text in BUNDLED.items():
        path = scratch / name
        path.write_text(text, encoding="utf-8")
        _check_usable(load_workflow(path))


@FUZZ
@given(damaged_data())
def test_damaged_bundled_data_loads_or_names_the_key(
    scratch: Path, damaged: tuple[str, Any]
) -> None:
    name, data = damaged
    try:
        text = yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False)
    except (yaml.YAMLError, ValueError, OverflowError):  # some data cannot be YAML at all
        return
    _load(scratch, name, text)


@FUZZ
@given(damaged_text())
def test_damaged_bundled_text_loads_or_names_the_key(
    scratch: Path, damaged: tuple[str, str]
) -> None:
    name, text = damaged
    _load(scratch, name, text)


@pytest.mark.parametrize(
    ("path", "value", "key"),
    [
        # a rule's duration must fit the calendar, not crash it
        (
            ("states", "wg_review", "ballot", "rule"),
            {"preset": "simple-majority", "duration": 10**20},
            "rule",
        ),
        (
            ("states", "wg_review", "ballot", "rule"),
            {"preset": "simple-majority", "duration": "P99999999999D"},
            "rule",
        ),
        (
            ("states", "wg_review", "ballot", "rule"),
            {"preset": "simple-majority", "duration": "P3000000D"},
            "rule",
        ),
        (("states", "draft", "timer", "after"), "99999999999999 days", "after"),
        (("states", "draft", "timer", "after"), "3000000 business days", "after"),
    ],
    ids=["duration-seconds", "duration-days", "deadline-past-9999", "timer", "business-timer"],
)
def test_huge_durations_are_refused_by_name(
    scratch: Path, path: tuple[str, ...], value: Any, key: str
) -> None:
    """Found by the fuzzers above: durations too large for the calendar must be a clear
    problem at load, not an OverflowError at load or when a ballot opens or a timer is due."""
    data = copy.deepcopy(DATA["guideline.yaml"])
    _set(data, path, value)
    target = scratch / "guideline.yaml"
    target.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(WorkflowDefinitionError) as caught:
        load_workflow(target)
    _check_problems(caught.value, str(target))
    assert any(f"{key}: " in line for line in caught.value.problems), caught.value.problems
