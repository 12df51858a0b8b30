"""Plain factory functions that build a small alliance through the real services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from governance_engine.clock import FrozenClock
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import Body, Person
from governance_engine.services import directory, identity
from governance_engine.services.identity import Actor
from governance_engine.services.workflows import WorkflowCatalog

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


@dataclass
class World:
    """Who is who: ``people[name]`` -> Actor; ``bodies[slug]`` -> body id."""

    database: Database
    clock: FrozenClock
    catalog: WorkflowCatalog
    admin: Actor
    people: dict[str, Actor] = field(default_factory=dict)
    person_ids: dict[str, int] = field(default_factory=dict)
    bodies: dict[str, int] = field(default_factory=dict)
    organizations: dict[str, int] = field(default_factory=dict)

    def actor(self, name: str) -> Actor:
        return self.people[name]

    def tick(self, delta: timedelta = timedelta(minutes=1)) -> datetime:
        return self.clock.advance(delta)


# name -> (organization, [(body slug, role), ...]); members of the WG vote, the TOC has 5
# voting members, the Board 5.
ROSTER: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "wendy": ("Northwind Labs", [("wg-trust-validation", "chair")]),
    "wes": ("Contoso University", [("wg-trust-validation", "secretary")]),
    "will": ("Fabrikam Research", [("wg-trust-validation", "member")]),
    "wren": ("Northwind Labs", [("wg-trust-validation", "member")]),
    "wade": ("Open Data Trust", [("wg-trust-validation", "member")]),
    "olive": ("Contoso University", [("wg-trust-validation", "observer")]),
    "hana": ("Fabrikam Research", [("wg-hardware-infrastructure", "chair")]),
    "tara": ("Contoso University", [("toc", "chair")]),
    "tom": ("Northwind Labs", [("toc", "member")]),
    "tess": ("Open Data Trust", [("toc", "member")]),
    "theo": ("Federal Standards Agency", [("toc", "member")]),
    "tina": ("Fabrikam Research", [("toc", "secretary")]),
    "bob": ("Northwind Labs", [("board", "chair")]),
    "bea": ("Contoso University", [("board", "secretary")]),
    "bill": ("Fabrikam Research", [("board", "member")]),
    "beth": ("Open Data Trust", [("board", "member")]),
    "bert": ("Federal Standards Agency", [("board", "member")]),
    "nobody": ("Open Data Trust", []),
}

ORGANIZATIONS = {
    "Northwind Labs": "company",
    "Contoso University": "university",
    "Fabrikam Research": "research_institute",
    "Open Data Trust": "non_profit",
    "Federal Standards Agency": "public_agency",
}

BODIES = [
    ("board", "Board of Directors", "board"),
    ("toc", "Technical Oversight Committee", "toc"),
    ("wg-trust-validation", "Trust & Validation", "working_group"),
    ("wg-hardware-infrastructure", "Hardware & Infrastructure", "working_group"),
]


def build_world(database: Database, *, catalog: WorkflowCatalog | None = None) -> World:
    clock = FrozenClock(START)
    at = clock.now()
    with database.transaction() as session:
        admin_person = identity.create_person(
            session,
            actor=Actor.system(),
            at=at,
            name="Ada Admin",
            email="ada@example.org",
            is_admin=True,
        )
        auditor = identity.create_person(
            session,
            actor=Actor.system(),
            at=at,
            name="Aud Itor",
            email="audit@example.org",
            is_auditor=True,
        )
        admin = Actor.of(admin_person)
        world = World(database, clock, catalog or WorkflowCatalog.bundled(), admin)
        world.people["auditor"] = Actor.of(auditor)
        world.person_ids["auditor"] = auditor.id
        for name, kind in ORGANIZATIONS.items():
            organization = directory.create_organization(
                session, actor=admin, at=at, name=name, kind=kind
            )
            world.organizations[name] = organization.id
        bodies: dict[str, Body] = {}
        for slug, title, kind in BODIES:
            bodies[slug] = directory.create_body(
                session, actor=admin, at=at, slug=slug, name=title, kind=kind
            )
            world.bodies[slug] = bodies[slug].id
        for name, (organization, seats) in ROSTER.items():
            person: Person = identity.create_person(
                session,
                actor=admin,
                at=at,
                name=name.title(),
                email=f"{name}@example.org",
                organization_id=world.organizations[organization],
            )
            world.people[name] = Actor.of(person)
            world.person_ids[name] = person.id
            for slug, role in seats:
                directory.grant_seat(
                    session, actor=admin, at=at, body=bodies[slug], person=person, role=role
                )
    clock.advance(timedelta(hours=1))
    return world
