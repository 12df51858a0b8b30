"""A proposal keeps the workflow version it was filed under, whatever happens to the files."""

from __future__ import annotations

import copy

import pytest
from testkit.drive import act, file, take
from testkit.world import World

from governance_engine.errors import ConfigurationError, PermissionDenied
from governance_engine.lifecycle import WorkflowDefinition, load_bundled
from governance_engine.services import proposals
from governance_engine.services.workflows import WorkflowCatalog


def edited_standard(version: int) -> WorkflowDefinition:
    """The standard workflow as if its file were edited: only the WG secretary may submit."""
    [standard] = [d for d in load_bundled() if d.name == "standard"]
    data = copy.deepcopy(standard.to_dict())
    data["version"] = version
    data["actions"]["submit"]["roles"] = ["sponsor.secretary"]
    return WorkflowDefinition.from_dict(data, source="edited standard.yaml")


def catalog_with(definition: WorkflowDefinition) -> WorkflowCatalog:
    others = [d for d in load_bundled() if d.name != definition.name]
    return WorkflowCatalog([*others, definition])


def test_a_new_version_never_changes_proposals_in_flight(world: World) -> None:
    old = file(world, text="# Filed under version 1\n")
    # The service restarts with the edited file (version 3) and loads the stored versions.
    world.catalog = catalog_with(edited_standard(3))
    with world.database.reader() as session:
        world.catalog.load_stored(session)
    new = file(world, text="# Filed under version 2\n")
    with world.database.reader() as session:
        assert proposals.get_proposal(session, old).workflow_version == 2
        assert proposals.get_proposal(session, new).workflow_version == 3
    # version 2 still lets the chair submit the old proposal; version 3 does not
    assert take(world, old, "submit", "wendy").state == "wg_review"
    with pytest.raises(PermissionDenied, match="secretary"):
        take(world, new, "submit", "wendy")
    assert take(world, new, "submit", "wes").state == "wg_review"


def test_old_versions_load_from_the_database_on_demand(world: World) -> None:
    old = file(world, text="# v1\n")
    world.catalog = catalog_with(edited_standard(3))  # not told about stored versions
    assert take(world, old, "submit", "wendy").state == "wg_review"


def test_a_file_changed_without_a_new_version_is_refused(world: World) -> None:
    file(world, text="# v1\n")
    changed = catalog_with(edited_standard(2))
    with (
        pytest.raises(ConfigurationError, match="new version number"),
        world.database.reader() as s,
    ):
        changed.load_stored(s)
    with pytest.raises(ConfigurationError, match="new version number"):
        act(
            world,
            lambda s: proposals.file_proposal(
                s,
                actor=world.actor("wendy"),
                at=world.clock.now(),
                catalog=changed,
                kind="standard",
                title="Another",
                sponsor_slug="wg-trust-validation",
            ),
        )
