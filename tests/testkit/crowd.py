"""A large working group, seeded through the services, for load over HTTP."""

from __future__ import annotations

from governance_engine.persistence.models import Person
from governance_engine.services import directory, identity
from governance_engine.services.identity import Actor
from testkit.world import World

SLUG = "wg-open-models"


def big_working_group(world: World, size: int, slug: str = SLUG) -> list[str]:
    """A working group of ``size`` voting members chaired by wendy; their names, wendy first.

    The members (``m00``, ``m01``, ...) join ``world.people`` and ``world.person_ids``, so
    ``testkit.http.issue_tokens`` gives each of them a token too.
    """
    names = ["wendy"]
    with world.database.transaction() as session:
        at = world.clock.now()
        body = directory.create_body(
            session,
            actor=world.admin,
            at=at,
            slug=slug,
            name="Open Models & Frameworks",
            kind="working_group",
        )
        wendy = session.get(Person, world.person_ids["wendy"])
        assert wendy is not None
        directory.grant_seat(
            session, actor=world.admin, at=at, body=body, person=wendy, role="chair"
        )
        organizations = list(world.organizations.values())
        for n in range(size - 1):
            name = f"m{n:02d}"
            person = identity.create_person(
                session,
                actor=world.admin,
                at=at,
                name=f"Member {n}",
                email=f"{name}@example.org",
                organization_id=organizations[n % len(organizations)],
            )
            directory.grant_seat(
                session, actor=world.admin, at=at, body=body, person=person, role="member"
            )
            world.people[name] = Actor.of(person)
            world.person_ids[name] = person.id
            names.append(name)
    world.bodies[slug] = body.id
    return names
