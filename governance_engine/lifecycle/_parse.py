"""Plain data (from YAML or a stored snapshot) to a validated ``WorkflowDefinition``.

Every problem is collected as one line, ``<source>: <key path>: <what is wrong>``, and all of
them are raised together in one ``WorkflowDefinitionError``: fixing a file should take one run.
Shape is checked here; references between states and actions, and the graph, in ``_checks``;
the typed objects are built in ``_draft`` once nothing is wrong.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from governance_engine.errors import RuleDefinitionError, WorkflowDefinitionError
from governance_engine.lifecycle._draft import (
    ActionDraft,
    BallotDraft,
    Draft,
    StateDraft,
    TimerDraft,
    build,
)
from governance_engine.lifecycle.definition import (
    BODY_KIND,
    KIND,
    MAX_KIND,
    OUTCOMES,
    Override,
    RoleRef,
    Window,
    WorkflowDefinition,
    freeze,
    is_body_ref,
)
from governance_engine.lifecycle.guards import GUARDS
from governance_engine.voting import parse_rule

_IDENTIFIER: Final = re.compile(r"[a-z][a-z0-9_]*\Z")
_WORKFLOW_NAME: Final = re.compile(r"[a-z][a-z0-9_-]*\Z")
_PLAIN_KEY: Final = re.compile(r"[^\s.\[\]'\"]+\Z")
_DURATION: Final = re.compile(r"\s*([0-9]+)\s+(business\s+)?(day|days|week|weeks)\s*\Z")

_TOP_REQUIRED: Final = (
    "name",
    "version",
    "kind",
    "title",
    "initial",
    "approval_requires",
    "states",
    "actions",
)
_TOP_OPTIONAL: Final = ("description", "objection_window", "public", "sponsor_kinds")
_MAX_WINDOW_DAYS: Final = 366
_STATE_OPTIONAL: Final = ("title", "description", "terminal", "approved", "ballot", "timer")
_BALLOT_REQUIRED: Final = ("body", "rule", "outcomes")
_TIMER_REQUIRED: Final = ("after", "action")
_ACTION_REQUIRED: Final = ("source", "dest", "roles")
_ACTION_OPTIONAL: Final = ("title", "guards", "description", "override")
_OVERRIDE_REQUIRED: Final = ("roles", "reason")
_BODY_HINT: Final = "'sponsor' or a body slug: lower-case letters and digits, single hyphens"


def format_problem(source: str, path: str, message: str) -> str:
    return f"{source}: {path}: {message}" if path else f"{source}: {message}"


class Problems:
    """The problems found in one source, in the order they were found."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.lines.append(format_problem(self.source, path, " ".join(message.split())))


def parse_definition(
    data: Any, source: str, stem: str | None, *, gating: bool = True
) -> WorkflowDefinition:
    """Validate ``data``; ``stem`` (the file name without suffix) must then equal ``name``.

    ``gating``: also refuse a forward way out of a ballot stage that a person may take with
    neither the ``ballot_passed`` guard nor an ``override`` (see ``gating``).
    """
    from governance_engine.lifecycle._checks import check_references, check_stage_gating

    problems = Problems(source)
    draft = _read_workflow(problems, data, stem)
    check_references(problems, draft)
    if gating and not problems.lines:
        check_stage_gating(problems, draft)
    if problems.lines:
        raise WorkflowDefinitionError(problems.lines)
    return build(draft)


def describe_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, Mapping):
        return "mapping"
    return type(value).__name__


def join(path: str, *keys: str | int) -> str:
    """``states.review.ballot``, ``actions.submit.roles[0]``: where a problem is."""
    for key in keys:
        if isinstance(key, int):
            path = f"{path}[{key}]"
        elif not _PLAIN_KEY.match(key):  # say exactly which odd key, on one line
            path = f"{path}[{key!r}]"
        elif path:
            path = f"{path}.{key}"
        else:
            path = key
    return path


def _fields(
    problems: Problems,
    path: str,
    value: Any,
    required: Iterable[str] = (),
    optional: Iterable[str] = (),
) -> dict[str, Any] | None:
    """The keys of a mapping that are allowed; unknown and missing keys are problems."""
    if not isinstance(value, Mapping):
        problems.add(path or "(top level)", f"expected a mapping, got {describe_type(value)}")
        return None
    required, optional = tuple(required), tuple(optional)
    allowed = sorted(required + optional)
    result: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            problems.add(path or "(top level)", f"key {key!r} is not a string")
        elif key not in allowed:
            hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.7)
            did_you_mean = f"did you mean '{hint[0]}'? " if hint else ""
            problems.add(
                join(path, key), f"unknown key ({did_you_mean}allowed: {', '.join(allowed)})"
            )
        else:
            result[key] = item
    for key in required:
        if key not in value:
            problems.add(join(path, key), "missing required key")
    return result


def _string(problems: Problems, path: str, value: Any, *, empty: bool = True) -> str | None:
    if not isinstance(value, str):
        problems.add(path, f"expected a string, got {describe_type(value)}")
        return None
    if not empty and not value.strip():
        problems.add(path, "must not be empty")
        return None
    return value


def _boolean(problems: Problems, path: str, value: Any) -> bool:
    if not isinstance(value, bool):
        problems.add(path, f"expected true or false, got {describe_type(value)}")
        return False
    return value


def _strings(
    problems: Problems, path: str, value: Any, *, single: bool = False
) -> list[tuple[str, str]]:
    """(path, string) for each entry of a list of strings; ``single``: a string is a list of one.

    Entries that are not strings, and repeated entries, are problems and left out.
    """
    if single and isinstance(value, str):
        return [(path, value)]
    if not isinstance(value, list | tuple):
        expected = "a string or a list of strings" if single else "a list of strings"
        problems.add(path, f"expected {expected}, got {describe_type(value)}")
        return []
    result: list[tuple[str, str]] = []
    for index, item in enumerate(value):
        text = _string(problems, join(path, index), item)
        if text is not None and any(text == seen for _, seen in result):
            problems.add(join(path, index), f"duplicate entry {text!r}")
        elif text is not None:
            result.append((join(path, index), text))
    return result


def _plain(value: Any) -> bool:
    """Whether ``value`` is data a snapshot can store as JSON (and digest) as it is."""
    if value is None or isinstance(value, str | bool | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list | tuple):
        return all(_plain(item) for item in value)
    if isinstance(value, Mapping):
        return all(isinstance(key, str) and _plain(item) for key, item in value.items())
    return False


def _name(problems: Problems, path: str, name: str) -> None:
    if not _IDENTIFIER.match(name):
        problems.add(
            path, "invalid name (use lower-case letters, digits and '_', starting with a letter)"
        )


def _read_workflow(problems: Problems, data: Any, stem: str | None) -> Draft:
    draft = Draft()
    top = _fields(problems, "", data, _TOP_REQUIRED, _TOP_OPTIONAL)
    if top is None:
        return draft
    if "name" in top:
        draft.name = _string(problems, "name", top["name"], empty=False)
        if draft.name is not None and not _WORKFLOW_NAME.match(draft.name):
            problems.add("name", "invalid name (use lower-case letters, digits, '_' and '-')")
        elif draft.name is not None and stem is not None and draft.name != stem:
            problems.add("name", f"{draft.name!r} does not match the file name {stem!r}")
    if "version" in top:
        version = top["version"]
        if isinstance(version, bool) or not isinstance(version, int):
            problems.add("version", f"expected an integer, got {describe_type(version)}")
        elif version < 1:
            problems.add("version", f"must be 1 or more, got {version}")
        else:
            draft.version = version
    if "kind" in top:
        kind = _string(problems, "kind", top["kind"])
        if kind is not None and not (KIND.match(kind) and len(kind) <= MAX_KIND):
            problems.add(
                "kind",
                f"invalid kind {kind!r} (use at most {MAX_KIND} lower-case letters, digits, "
                "'_' and '-', starting with a letter)",
            )
        elif kind is not None:
            draft.kind = kind
    if "title" in top:
        draft.title = _string(problems, "title", top["title"], empty=False)
    draft.description = _string(problems, "description", top.get("description", "")) or ""
    if "initial" in top:
        draft.initial = _string(problems, "initial", top["initial"])
    if "approval_requires" in top:
        _read_approval_requires(problems, draft, top["approval_requires"])
    if "objection_window" in top:
        draft.objection_window = _read_window(problems, "objection_window", top["objection_window"])
    draft.public = _boolean(problems, "public", top.get("public", True))
    if "sponsor_kinds" in top:
        _read_sponsor_kinds(problems, draft, top["sponsor_kinds"])
    if "states" in top:
        states = _fields(problems, "states", top["states"], optional=_all_keys(top["states"]))
        for name, value in (states or {}).items():
            _name(problems, join("states", name), name)
            draft.states[name] = _read_state(problems, join("states", name), value)
        if states is not None and not states:
            problems.add("states", "must define at least one state")
    if "actions" in top:
        actions = _fields(problems, "actions", top["actions"], optional=_all_keys(top["actions"]))
        for name, value in (actions or {}).items():
            _name(problems, join("actions", name), name)
            draft.actions[name] = _read_action(problems, join("actions", name), value)
    return draft


def _all_keys(value: Any) -> tuple[str, ...]:
    """For mappings whose keys are names chosen by the author: every string key is allowed."""
    if not isinstance(value, Mapping):
        return ()
    return tuple(key for key in value if isinstance(key, str))


def _read_sponsor_kinds(problems: Problems, draft: Draft, value: Any) -> None:
    if isinstance(value, list | tuple) and not value:
        problems.add("sponsor_kinds", "must name at least one kind of body")
    kinds: list[str] = []
    for path, kind in _strings(problems, "sponsor_kinds", value):
        if not BODY_KIND.match(kind) or len(kind) > MAX_KIND:
            problems.add(path, f"invalid body kind {kind!r} (lower-case letters, digits and '_')")
        elif kind not in kinds:  # (a duplicate is reported by _strings)
            kinds.append(kind)
    if kinds:
        draft.sponsor_kinds = tuple(kinds)


def _read_approval_requires(problems: Problems, draft: Draft, value: Any) -> None:
    if isinstance(value, list | tuple) and not value:
        problems.add("approval_requires", "must name at least one body whose ballot approves")
    for path, body in _strings(problems, "approval_requires", value):
        if not is_body_ref(body):
            problems.add(path, f"invalid body {body!r} (use {_BODY_HINT})")
        else:
            draft.approval_requires.append(body)


def _read_state(problems: Problems, path: str, value: Any) -> StateDraft:
    state = StateDraft()
    if value is None:  # a bare ``name:`` line is a state with every default
        return state
    fields = _fields(problems, path, value, optional=_STATE_OPTIONAL)
    if fields is None:
        return state
    description = _string(problems, join(path, "description"), fields.get("description", ""))
    state.description = description or ""
    state.title = _title(problems, join(path, "title"), fields)
    state.terminal = _boolean(problems, join(path, "terminal"), fields.get("terminal", False))
    state.approved = _boolean(problems, join(path, "approved"), fields.get("approved", False))
    if "ballot" in fields:
        state.ballot = _read_ballot(problems, join(path, "ballot"), fields["ballot"])
    if "timer" in fields:
        state.timer = _read_timer(problems, join(path, "timer"), fields["timer"])
    return state


def _read_ballot(problems: Problems, path: str, value: Any) -> BallotDraft:
    ballot = BallotDraft()
    fields = _fields(problems, path, value, required=_BALLOT_REQUIRED)
    if fields is None:
        return ballot
    if "body" in fields:
        body = _string(problems, join(path, "body"), fields["body"])
        if body is not None and not is_body_ref(body):
            problems.add(join(path, "body"), f"invalid body {body!r} (use {_BODY_HINT})")
        elif body is not None:
            ballot.body = body
    if "rule" in fields:
        config = fields["rule"]
        if not isinstance(config, str | Mapping):
            problems.add(
                join(path, "rule"),
                f"expected a preset name or a rule mapping, got {describe_type(config)}",
            )
        elif not _plain(config):
            problems.add(
                join(path, "rule"),
                "must be plain data (strings, numbers, true/false, lists, mappings)",
            )
        else:
            try:
                ballot.rule = parse_rule(config)
            except RuleDefinitionError as error:
                problems.add(*_rule_problem(join(path, "rule"), config, error))
            ballot.rule_config = freeze(config)
    if "outcomes" in fields:
        outcomes = _fields(problems, join(path, "outcomes"), fields["outcomes"], required=OUTCOMES)
        for outcome, action in (outcomes or {}).items():
            name = _string(problems, join(path, "outcomes", outcome), action)
            if name is not None:
                ballot.outcomes[outcome] = name
    return ballot


def _rule_problem(path: str, config: Any, error: RuleDefinitionError) -> tuple[str, str]:
    """Where in the rule the problem is: the voting package names the rule key it refused."""
    key = error.details.get("key")
    message = error.message
    if isinstance(key, str) and message.startswith(f"{key}: "):
        message = message[len(key) + 2 :]
        if isinstance(config, Mapping):
            path = join(path, key)
    return path, message


_MAX_TIMER_DAYS: Final = 3650


def _read_duration(problems: Problems, path: str, value: Any) -> tuple[int, bool] | None:
    """``"14 days"``, ``"2 weeks"``, ``"10 business days"`` -> (days, business days?)."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None or int(match[1]) < 1 or (match[2] and match[3].startswith("week")):
        problems.add(
            path,
            f"expected a duration like '14 days', '2 weeks' or '10 business days', got {value!r}",
        )
        return None
    weeks = match[3].startswith("week")
    return int(match[1]) * (7 if weeks else 1), bool(match[2])


def _read_window(problems: Problems, path: str, value: Any) -> Window | None:
    """The objection window: a duration, as a timer's ``after`` is spelled, of at most a year."""
    duration = _read_duration(problems, path, value)
    if duration is None:
        return None
    if duration[0] > _MAX_WINDOW_DAYS:
        problems.add(path, f"must be at most {_MAX_WINDOW_DAYS} days, got {value!r}")
        return None
    return Window(*duration)


def _read_timer(problems: Problems, path: str, value: Any) -> TimerDraft:
    timer = TimerDraft()
    fields = _fields(problems, path, value, required=_TIMER_REQUIRED)
    if fields is None:
        return timer
    if "after" in fields:
        duration = _read_duration(problems, join(path, "after"), fields["after"])
        if duration is not None and duration[0] > _MAX_TIMER_DAYS:
            # keeps every due date on the calendar (no overflow when tick computes it)
            problems.add(
                join(path, "after"),
                f"must be at most {_MAX_TIMER_DAYS} days, got {fields['after']!r}",
            )
        elif duration is not None:
            timer.days, timer.business_days = duration
    if "action" in fields:
        timer.action = _string(problems, join(path, "action"), fields["action"])
    return timer


def _read_action(problems: Problems, path: str, value: Any) -> ActionDraft:
    action = ActionDraft()
    fields = _fields(problems, path, value, _ACTION_REQUIRED, _ACTION_OPTIONAL)
    if fields is None:
        return action
    if "source" in fields:
        sources = _strings(problems, join(path, "source"), fields["source"], single=True)
        action.sources = [source for _, source in sources]
        if isinstance(fields["source"], list | tuple) and not fields["source"]:
            problems.add(join(path, "source"), "must name at least one state")
    if "dest" in fields:
        action.dest = _string(problems, join(path, "dest"), fields["dest"])
    if "roles" in fields:
        if isinstance(fields["roles"], list | tuple) and not fields["roles"]:
            problems.add(join(path, "roles"), "must name at least one role allowed to fire it")
        for role_path, text in _strings(problems, join(path, "roles"), fields["roles"]):
            try:
                action.roles.append(RoleRef.parse(text))
            except ValueError as error:
                problems.add(role_path, str(error))
    for guard_path, guard in _strings(problems, join(path, "guards"), fields.get("guards", [])):
        if guard not in GUARDS:
            problems.add(
                guard_path, f"unknown guard {guard!r} (known: {', '.join(sorted(GUARDS))})"
            )
        else:
            action.guards.append(guard)
    description = _string(problems, join(path, "description"), fields.get("description", ""))
    action.description = description or ""
    action.title = _title(problems, join(path, "title"), fields)
    if "override" in fields:
        action.override = _read_override(problems, join(path, "override"), fields["override"])
    return action


def _title(problems: Problems, path: str, fields: Mapping[str, Any]) -> str | None:
    """An optional ``title``: the words pages show; absent or blank means the default."""
    if "title" not in fields:
        return None
    title = _string(problems, path, fields["title"])
    if title is None or not title.strip():
        return None
    return title.strip()


def _read_override(problems: Problems, path: str, value: Any) -> Override | None:
    """``{roles: [toc.chair], reason: required}``: who may skip the stage's ballot, saying why."""
    fields = _fields(problems, path, value, required=_OVERRIDE_REQUIRED)
    if fields is None or not set(_OVERRIDE_REQUIRED) <= set(fields):
        return None
    roles: list[RoleRef] = []
    if isinstance(fields["roles"], list | tuple) and not fields["roles"]:
        problems.add(join(path, "roles"), "must name at least one role allowed to override")
    for role_path, text in _strings(problems, join(path, "roles"), fields["roles"]):
        try:
            role = RoleRef.parse(text)
        except ValueError as error:
            problems.add(role_path, str(error))
            continue
        if role.body is None:
            problems.add(role_path, f"role {text!r} cannot override: name a seat of a body")
        else:
            roles.append(role)
    if fields["reason"] != "required":
        problems.add(
            join(path, "reason"),
            f"must be 'required' (an override always gives its reason), got {fields['reason']!r}",
        )
        return None
    return Override(tuple(roles)) if roles else None
