"""Proposal lifecycles: declared in ``workflows/*.yaml``, validated, run on ``transitions``.

Pure: no database, no web, no clock. The only I/O is reading workflow files in ``loader``.

    load_directory / load_workflow / parse_workflow   YAML or plain data -> WorkflowDefinition
    load_workflows                                      the bundled files plus the operator's
    WorkflowDefinition.to_dict / from_dict / digest     the snapshot stored with each proposal
    WorkflowMachine                                     one shared machine per workflow version
    WorkflowRegistry                                    every loaded version, by name or kind
    GUARDS, ProposalFacts                               the named conditions actions may carry
    to_mermaid                                          a stateDiagram-v2 for people
"""

from governance_engine.lifecycle.definition import (
    BODY_REF,
    KINDS,
    OUTCOMES,
    SEAT_ROLES,
    SPONSOR,
    ActionDefinition,
    BallotStage,
    Override,
    RoleRef,
    StateDefinition,
    Timer,
    Window,
    WorkflowDefinition,
)
from governance_engine.lifecycle.diagram import to_mermaid
from governance_engine.lifecycle.guards import GUARDS, Guard, ProposalFacts
from governance_engine.lifecycle.labels import humanize
from governance_engine.lifecycle.loader import (
    bundled_workflows_path,
    load_bundled,
    load_directory,
    load_workflow,
    load_workflows,
    parse_workflow,
)
from governance_engine.lifecycle.machine import WorkflowMachine
from governance_engine.lifecycle.registry import WorkflowRegistry

__all__ = [
    "BODY_REF",
    "GUARDS",
    "KINDS",
    "OUTCOMES",
    "SEAT_ROLES",
    "SPONSOR",
    "ActionDefinition",
    "BallotStage",
    "Guard",
    "Override",
    "ProposalFacts",
    "RoleRef",
    "StateDefinition",
    "Timer",
    "Window",
    "WorkflowDefinition",
    "WorkflowMachine",
    "WorkflowRegistry",
    "bundled_workflows_path",
    "humanize",
    "load_bundled",
    "load_directory",
    "load_workflow",
    "load_workflows",
    "parse_workflow",
    "to_mermaid",
]
