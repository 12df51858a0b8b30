from __future__ import annotations

from datetime import timedelta

import pytest
from testkit.world import World

from governance_engine.errors import ConcurrentUpdate, NotAuthenticated, PermissionDenied
from governance_engine.persistence.models import Organization, Person
from governance_engine.services import directory, identity


@pytest.mark.parametrize("who", ["wendy", "auditor"])
def test_only_admins_create_people_and_tokens(world: World, who: str) -> None:
    with pytest.raises(PermissionDenied), world.database.transaction() as session:
        identity.create_person(
            session, actor=world.actor(who), at=world.clock.now(), name="X", email="x@example.org"
        )
    with world.database.transaction() as session:
        person = session.get(Person, world.person_ids["will"])
        assert person is not None
        with pytest.raises(PermissionDenied):
            identity.issue_token(
                session, actor=world.actor(who), at=world.clock.now(), person=person
            )


def test_tokens_expire_and_are_stored_as_hashes(world: World) -> None:
    with world.database.transaction() as session:
        person = session.get(Person, world.person_ids["will"])
        assert person is not None
        issued = identity.issue_token(
            session,
            actor=world.admin,
            at=world.clock.now(),
            person=person,
            expires_at=world.clock.now() + timedelta(days=1),
        )
    with world.database.reader() as session:
        assert (
            identity.authenticate(session, token=issued.secret, at=world.clock.now()).name == "Will"
        )
        with pytest.raises(NotAuthenticated, match="expired"):
            identity.authenticate(
                session, token=issued.secret, at=world.clock.now() + timedelta(days=2)
            )
        with pytest.raises(NotAuthenticated):
            identity.authenticate(session, token=issued.secret + "x", at=world.clock.now())


def test_a_unique_violation_at_commit_is_a_typed_conflict(world: World) -> None:
    # Two writers that both passed the "no such name yet" check: the database decides.
    with (
        pytest.raises(ConcurrentUpdate, match="conflicts"),
        world.database.transaction() as session,
    ):
        session.add(
            Organization(
                name="Northwind Labs", kind="company", active=True, created_at=world.clock.now()
            )
        )
    with world.database.transaction() as session:
        created = directory.create_organization(
            session, actor=world.admin, at=world.clock.now(), name="Fresh Org", kind="company"
        )
    assert created.id > 0
