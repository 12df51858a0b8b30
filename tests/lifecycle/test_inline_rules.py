"""A ballot stage's rule may use the ratio, turnout-band and meeting fields, inline or by preset."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from governance_engine.errors import WorkflowDefinitionError
from governance_engine.lifecycle import load_workflow
from governance_engine.voting import PRESETS, QuorumBasis, ThresholdBase


def stage_rule(write: Callable[..., Path], mini: dict[str, Any], rule: object) -> Any:
    mini["states"]["toc_review"]["ballot"]["rule"] = rule
    ballot = load_workflow(write(mini)).states["toc_review"].ballot
    assert ballot is not None
    return ballot.rule


@pytest.mark.parametrize("name", ["w3c-appeal", "cncf-toc-meeting", "openstack-tc-meeting"])
def test_the_new_presets_by_name(
    write: Callable[..., Path], mini: dict[str, Any], name: str
) -> None:
    assert stage_rule(write, mini, name) == PRESETS[name]


def test_an_inline_ratio_with_bands_and_a_meeting_quorum(
    write: Callable[..., Path], mini: dict[str, Any]
) -> None:
    rule = stage_rule(
        write,
        mini,
        {
            "preset": "simple-majority",
            "threshold": "none",
            "ratio": "3:1",
            "ratio_strict": True,
            "quorum_basis": "present",
            "turnout_bands": [
                {"min_turnout": "5%", "ratio": "3:1", "ratio_strict": True},
                {"min_turnout": "20%", "majority": True},
            ],
        },
    )
    assert rule.ratio == 3
    assert rule.ratio_strict
    assert rule.quorum_basis is QuorumBasis.PRESENT
    assert [band.min_turnout * 100 for band in rule.turnout_bands] == [5, 20]


def test_a_meeting_preset_adapted(write: Callable[..., Path], mini: dict[str, Any]) -> None:
    rule = stage_rule(write, mini, {"preset": "cncf-toc-meeting", "quorum_share": "1/2"})
    assert rule.threshold_base is ThresholdBase.PRESENT
    assert rule.quorum_share * 2 == 1


def test_a_bad_band_is_reported_with_its_path(
    write: Callable[..., Path], mini: dict[str, Any]
) -> None:
    mini["states"]["toc_review"]["ballot"]["rule"] = {
        "threshold": "none",
        "turnout_bands": [{"min_turnout": "5%", "ratio": "1:1"}, {"min_turnout": "9%", "ratio": 2}],
    }
    path = write(mini)
    with pytest.raises(WorkflowDefinitionError) as caught:
        load_workflow(path)
    [problem] = caught.value.problems
    assert problem.startswith(
        f"{path}: states.toc_review.ballot.rule.turnout_bands: a band for higher turnout may not "
        "ask for more"
    )


def test_an_unquoted_ratio_in_a_workflow_file_is_a_ratio(
    write: Callable[..., Path], mini: dict[str, Any]
) -> None:
    # Workflow files are YAML 1.2: 3:1 is the text "3:1", not the base-60 number 181.
    mini["states"]["toc_review"]["ballot"]["rule"] = "RULE"
    text = write(mini).read_text(encoding="utf-8")
    text = text.replace("RULE", "{threshold: none, ratio: 3:1}")
    ballot = load_workflow(write(text)).states["toc_review"].ballot
    assert ballot is not None
    assert ballot.rule.ratio == 3
