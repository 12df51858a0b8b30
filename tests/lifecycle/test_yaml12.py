"""Workflow files are YAML 1.2 (core schema): words mean what they say."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from governance_engine.errors import WorkflowDefinitionError
from governance_engine.lifecycle import load_workflow

# The MINI workflow of conftest, spelled by hand so the YAML is exactly what a person writes.
TEXT = """\
name: mini
version: 1
kind: standard
title: Mini
initial: draft
approval_requires: [toc]
states:
  draft: {}
  toc_review:
    ballot:
      body: toc
      rule:
        preset: iesg
        choices: [yes, no_objection, discuss, abstain, recuse]
        support: [yes, no_objection]
      outcomes: {passed: approve, failed: reject, no_quorum: reject}
  published: {approved: true, terminal: true}
  rejected: {terminal: true}
actions:
  submit: {source: draft, dest: toc_review, roles: [sponsor.chair]}
  approve: {source: toc_review, dest: published, roles: [system]}
  reject: {source: toc_review, dest: rejected, roles: [system]}
"""


def test_yes_and_no_objection_are_choices_not_booleans(write: Callable[..., Path]) -> None:
    definition = load_workflow(write(TEXT))
    stage = definition.states["toc_review"].ballot
    assert stage is not None
    assert stage.rule_config["support"] == ("yes", "no_objection")
    assert stage.rule.support == ("yes", "no_objection")
    assert all(isinstance(choice, str) for choice in stage.rule.choices)


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n"])
def test_yaml_1_1_booleans_are_strings(write: Callable[..., Path], word: str) -> None:
    # As a title they are text; YAML 1.1 would have read true/false and refused the title.
    definition = load_workflow(write(TEXT.replace("title: Mini", f"title: {word}")))
    assert definition.title == word


def test_a_flag_must_be_true_or_false_not_yes(write: Callable[..., Path]) -> None:
    path = write(TEXT.replace("published: {approved: true,", "published: {approved: yes,"))
    with pytest.raises(WorkflowDefinitionError) as raised:
        load_workflow(path)
    assert f"{path}: states.published.approved: expected true or false, got string" in (
        raised.value.problems
    )


def test_duplicate_keys_name_the_file_and_the_key(write: Callable[..., Path]) -> None:
    path = write(TEXT.replace("  draft: {}\n", "  draft: {}\n  draft: {terminal: true}\n"))
    with pytest.raises(WorkflowDefinitionError) as raised:
        load_workflow(path)
    assert raised.value.problems[0] == (
        f"{path}: states.draft: duplicate key (first on line 8, again on line 9)"
    )
