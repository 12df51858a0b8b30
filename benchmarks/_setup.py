"""Shared set-up for the benchmarks: throw-away databases, a migrated schema, a small world.

Every benchmark makes its own database and drops it at the end: SQLite in a temporary
directory, or PostgreSQL as ``bench_<random>`` created from the server URL given with
``--postgres``. The schema comes from the migrations, never from ``create_all``.
"""

from __future__ import annotations

import os
import secrets
import statistics
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# The benchmarks measure the installed package (`pip install .` from the clone), as users run
# it. Putting the clone's root on sys.path would shadow the installed package with a source tree
# that lacks the packaged workflows and migrations, so a missing install is said plainly instead.
try:
    import governance_engine.migrations  # noqa: F401
except ModuleNotFoundError:  # pragma: no cover - a set-up mistake, not a benchmark result
    sys.exit("benchmarks: install the package first: python3 -m pip install '.[test]'")

from governance_engine.clock import SystemClock
from governance_engine.persistence import migrate
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import Body, Person
from governance_engine.services import ballots, directory, identity, proposals
from governance_engine.services.actor import Actor
from governance_engine.services.workflows import WorkflowCatalog

SPEC = "# Benchmark standard\n\nEvery model ships a signed card.\n"


@contextmanager
def sqlite_url() -> Iterator[str]:
    """A SQLite file in a temporary directory, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="bench_") as directory_path:
        yield f"sqlite:///{Path(directory_path) / 'bench.db'}"


@contextmanager
def postgres_url(server_url: str) -> Iterator[str]:
    """A fresh ``bench_<random>`` database on the server, dropped at the end."""
    server = make_url(server_url)
    if server.get_driver_name() != "psycopg":
        server = server.set(drivername="postgresql+psycopg")
    name = f"bench_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def bench_database(postgres: str | None) -> Iterator[str]:
    """SQLite by default; PostgreSQL when a server URL is given."""
    if postgres:
        with postgres_url(postgres) as url:
            yield url
    else:
        with sqlite_url() as url:
            yield url


def migrated(url: str, *, pool_size: int = 5) -> Database:
    database = Database(url, pool_size=pool_size)
    migrate.upgrade(database.engine)
    return database


@dataclass
class BenchWorld:
    """A body whose voting members all sit in the electorate of one open ballot."""

    database: Database
    catalog: WorkflowCatalog
    admin: Actor
    auditor: Actor
    chair: Actor
    voters: list[Actor] = field(default_factory=list)
    voter_people: list[Person] = field(default_factory=list)
    body_id: int = 0
    proposal_id: int = 0
    ballot_id: int = 0


def build_world(database: Database, members: int) -> BenchWorld:
    """People, one working group with ``members`` voting members, a proposal, an open ballot.

    Everything goes through the real services, as ``tests/testkit/world.py`` does.
    """
    catalog = WorkflowCatalog.bundled()
    clock = SystemClock()
    with database.transaction() as session:
        catalog.load_stored(session)
        at = clock.now()
        system = Actor.system()
        admin_person = identity.create_person(
            session, actor=system, at=at, name="Ada Admin", email="ada@example.org", is_admin=True
        )
        admin = Actor.of(admin_person)
        auditor_person = identity.create_person(
            session, actor=admin, at=at, name="Aud Itor", email="aud@example.org", is_auditor=True
        )
        organization = directory.create_organization(
            session, actor=admin, at=at, name="Northwind Labs", kind="company"
        )
        body: Body = directory.create_body(
            session, actor=admin, at=at, slug="wg-bench", name="Bench", kind="working_group"
        )
        chair_person = identity.create_person(
            session,
            actor=admin,
            at=at,
            name="Chair",
            email="chair@example.org",
            organization_id=organization.id,
        )
        directory.grant_seat(
            session, actor=admin, at=at, body=body, person=chair_person, role="chair"
        )
        world = BenchWorld(
            database,
            catalog,
            admin,
            Actor.of(auditor_person),
            Actor.of(chair_person),
            body_id=body.id,
        )
        for number in range(members):
            person = identity.create_person(
                session,
                actor=admin,
                at=at,
                name=f"Member {number}",
                email=f"member{number}@example.org",
                organization_id=organization.id,
            )
            directory.grant_seat(
                session, actor=admin, at=at, body=body, person=person, role="member"
            )
            world.voters.append(Actor.of(person))
            world.voter_people.append(person)
    with database.transaction() as session:
        proposal = proposals.file_proposal(
            session,
            actor=world.chair,
            at=clock.now(),
            catalog=catalog,
            kind="standard",
            title="Benchmark standard",
            sponsor_slug="wg-bench",
            text=SPEC,
        )
        world.proposal_id = proposal.id
    with database.transaction() as session:
        proposals.take_action(
            session,
            actor=world.chair,
            at=clock.now(),
            catalog=catalog,
            proposal_id=world.proposal_id,
            action="submit",
        )
    with database.transaction() as session:
        ballot = ballots.open_ballot(
            session,
            actor=world.chair,
            at=clock.now(),
            catalog=catalog,
            proposal_id=world.proposal_id,
            deadline=clock.now() + timedelta(days=30),
        )
        world.ballot_id = ballot.id
    return world


def issue_tokens(world: BenchWorld, people: Sequence[Person]) -> list[str]:
    """One bearer token per person, issued by the admin through the identity service."""
    at: datetime = SystemClock().now()
    with world.database.transaction() as session:
        return [
            identity.issue_token(
                session, actor=world.admin, at=at, person=session.merge(person), label="bench"
            ).secret
            for person in people
        ]


def percentile(samples: Sequence[float], share: float) -> float:
    """The ``share`` percentile (0..1) of ``samples``, nearest rank."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


def peak_rss_mib() -> float:
    """This process's peak resident set size in MiB (Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def environment_line() -> str:
    return f"python {sys.version.split()[0]} pid {os.getpid()}"
