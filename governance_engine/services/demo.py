"""The demo: a realistic alliance and eight months of its history, seeded through the use cases.

Every row is made by the service a person would use (people, seats, proposals, ballots,
votes, decisions), so every row has its log entry and the log verifies. The stories in
``demo_stories`` are replayed together in time order, so the log's order is the calendar's
and decision numbers follow it. Times are days before ``now``: recent ballots are still
open, with deadlines after ``now``; older ones are closed, by their chair or, at the
deadline, by the system as ``tick`` would.

The demo seeds only an empty database, in one unit of work: all of it or nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.orm import Session

from governance_engine.errors import Conflict
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import Body, Person
from governance_engine.services import ballots, directory, identity, proposals
from governance_engine.services.demo_data import (
    BODIES,
    DIRECTORY_DAYS_AGO,
    ORGANIZATIONS,
    PEOPLE,
    SEAT_CHANGES,
    STAFF_DOMAIN,
    TOKEN_HOLDERS,
    Act,
    Close,
    File,
    Open,
    PersonSpec,
    Revise,
    SeatChange,
    Step,
    Story,
    Vote,
)
from governance_engine.services.demo_stories import STORIES
from governance_engine.services.identity import Actor
from governance_engine.services.workflows import WorkflowCatalog

NOT_EMPTY = "the database already has people; the demo seeds only an empty database"


@dataclass(frozen=True)
class DemoToken:
    role: str
    name: str
    email: str
    token: str  # shown once; only its hash is stored


@dataclass(frozen=True)
class DemoSeed:
    """What the demo made, and one API token per role."""

    organizations: int
    people: int
    bodies: int
    seats: int
    proposals: int
    ballots: int
    open_ballots: int
    decisions: int
    log_entries: int
    tokens: tuple[DemoToken, ...]

    def describe(self) -> str:
        return (
            f"{self.organizations} organizations, {self.people} people, {self.bodies} bodies, "
            f"{self.seats} seats, {self.proposals} proposals, {self.ballots} ballots "
            f"({self.open_ballots} open), {self.decisions} decisions, "
            f"{self.log_entries} log entries"
        )


def is_empty(session: Session) -> bool:
    """True when nothing has happened yet in this database.

    Every change appends to the decision log, so an empty log is an empty database. Takes
    the log head's lock, so two processes seeding at once cannot both find it empty.
    """
    return log_writer.lock_head(session).seq == 0


def seed_demo(session: Session, *, now: datetime, catalog: WorkflowCatalog) -> DemoSeed:
    """Seed the demo alliance into an empty database; Conflict if it already has people."""
    if not is_empty(session):
        raise Conflict(NOT_EMPTY)
    seeder = _Seeder(session, now=now, catalog=catalog)
    seeder.directory()
    events: list[tuple[float, Callable[[], None]]] = [
        (change.days_ago, partial(seeder.change_seat, change)) for change in SEAT_CHANGES
    ]
    events += [
        (s.days_ago, partial(seeder.step, story, s)) for story in STORIES for s in story.steps
    ]
    # A stable sort: a story's steps keep their order, and the log reads as one calendar.
    events.sort(key=lambda event: -event[0])
    for _, happen in events:
        happen()
    return seeder.finish()


def email_of(person: PersonSpec) -> str:
    """``first.last@domain``, in ASCII (``Björn Eriksson`` -> ``bjorn.eriksson@...``)."""
    ascii_name = unicodedata.normalize("NFKD", person.name).encode("ascii", "ignore").decode()
    local = ".".join(part.lower() for part in ascii_name.split())
    domains = {organization.key: organization.domain for organization in ORGANIZATIONS}
    return f"{local}@{domains[person.organization] if person.organization else STAFF_DOMAIN}"


@dataclass
class _Seeder:
    session: Session
    now: datetime
    catalog: WorkflowCatalog
    admin: Actor = field(default_factory=Actor.system)
    people: dict[str, Person] = field(default_factory=dict)
    bodies: dict[str, Body] = field(default_factory=dict)
    seats: dict[tuple[str, str], int] = field(default_factory=dict)
    seat_count: int = 0
    proposal_ids: dict[str, int] = field(default_factory=dict)
    texts: dict[str, list[str]] = field(default_factory=dict)  # each revision's text
    open_ballots: dict[str, int] = field(default_factory=dict)
    ballot_ids: list[int] = field(default_factory=list)

    def at(self, days_ago: float) -> datetime:
        if days_ago < 0:
            raise ValueError("the demo's history must not run past now")
        # Whole seconds read better in the log; tokens are issued at ``now`` itself.
        return self.now.replace(microsecond=0) - timedelta(days=days_ago)

    def actor(self, key: str) -> Actor:
        return Actor.of(self.people[key])

    # -- the directory ------------------------------------------------------------------

    def directory(self) -> None:
        """The admin sets up the alliance: organizations, bodies, people and their seats."""
        start = self.at(DIRECTORY_DAYS_AGO)
        minute = iter(range(10_000))

        def at() -> datetime:
            return start + timedelta(minutes=next(minute))

        admin_spec = next(person for person in PEOPLE if person.is_admin)
        admin = identity.create_person(
            self.session,
            actor=Actor.system(),
            at=at(),
            name=admin_spec.name,
            email=email_of(admin_spec),
            is_admin=True,
        )
        self.people[admin_spec.key] = admin
        self.admin = Actor.of(admin)
        organization_ids = {
            spec.key: directory.create_organization(
                self.session, actor=self.admin, at=at(), name=spec.name, kind=spec.kind
            ).id
            for spec in ORGANIZATIONS
        }
        for body in BODIES:
            self.bodies[body.slug] = directory.create_body(
                self.session,
                actor=self.admin,
                at=at(),
                slug=body.slug,
                name=body.name,
                kind=body.kind,
                description=body.description,
            )
        for spec in PEOPLE:
            if spec.key in self.people:
                continue
            self.people[spec.key] = identity.create_person(
                self.session,
                actor=self.admin,
                at=at(),
                name=spec.name,
                email=email_of(spec),
                organization_id=organization_ids[spec.organization] if spec.organization else None,
                is_admin=spec.is_admin,
                is_auditor=spec.is_auditor,
            )
        for spec in PEOPLE:
            for seat in spec.seats:
                self._grant(spec.key, seat.body, seat.role, seat.voting, at())

    def _grant(self, person: str, body: str, role: str, voting: bool | None, at: datetime) -> None:
        seat = directory.grant_seat(
            self.session,
            actor=self.admin,
            at=at,
            body=self.bodies[body],
            person=self.people[person],
            role=role,
            voting=voting,
        )
        self.seats[person, body] = seat.id
        self.seat_count += 1

    def change_seat(self, change: SeatChange) -> None:
        at = self.at(change.days_ago)
        directory.end_seat(
            self.session,
            actor=self.admin,
            at=at,
            seat_id=self.seats[change.person, change.body],
            reason=change.reason,
        )
        self._grant(change.person, change.body, change.role, None, at)

    # -- the stories --------------------------------------------------------------------

    def step(self, story: Story, step: Step) -> None:
        at = self.at(step.days_ago)
        if isinstance(step, File):
            self._file(story, step, at)
        elif isinstance(step, Revise):
            self._revise(story, step, at)
        elif isinstance(step, Act):
            self._act(story, step, at)
        elif isinstance(step, Open):
            ballot = ballots.open_ballot(
                self.session,
                actor=self.actor(step.by),
                at=at,
                catalog=self.catalog,
                proposal_id=self.proposal_ids[story.key],
            )
            self.open_ballots[story.key] = ballot.id
            self.ballot_ids.append(ballot.id)
        elif isinstance(step, Vote):
            ballots.cast_vote(
                self.session,
                actor=self.actor(step.by),
                at=at,
                ballot_id=self.open_ballots[story.key],
                choice=step.choice,
                rationale=step.rationale,
                on_behalf_of=self.people[step.voter].id if step.voter else None,
            )
        else:
            self._close(story, step, at)

    def _file(self, story: Story, step: File, at: datetime) -> None:
        proposal = proposals.file_proposal(
            self.session,
            actor=self.actor(step.by),
            at=at,
            catalog=self.catalog,
            kind=story.kind,
            title=story.title,
            sponsor_slug=story.sponsor,
            summary=story.summary,
            text=story.text,
            author_ids=[self.people[key].id for key in step.authors],
        )
        self.proposal_ids[story.key] = proposal.id
        self.texts[story.key] = [story.text]

    def _revise(self, story: Story, step: Revise, at: datetime) -> None:
        texts = self.texts[story.key]
        heading = f"## Changes in revision {len(texts) + 1}"
        text = f"{texts[-1].rstrip()}\n\n{heading}\n\n{step.changes}"
        proposals.add_revision(
            self.session,
            actor=self.actor(step.by),
            at=at,
            catalog=self.catalog,
            proposal_id=self.proposal_ids[story.key],
            text=text,
            note=step.note,
        )
        texts.append(text)

    def _act(self, story: Story, step: Act, at: datetime) -> None:
        actor, proposal_id = self.actor(step.by), self.proposal_ids[story.key]
        if step.action == "withdraw":  # the use case that insists on a reason
            proposals.withdraw(
                self.session,
                actor=actor,
                at=at,
                catalog=self.catalog,
                proposal_id=proposal_id,
                reason=step.reason,
            )
        else:
            proposals.take_action(
                self.session,
                actor=actor,
                at=at,
                catalog=self.catalog,
                proposal_id=proposal_id,
                action=step.action,
                reason=step.reason,
            )
        # An action that leaves a ballot's stage cancels the ballot with it.
        self.open_ballots.pop(story.key, None)

    def _close(self, story: Story, step: Close, at: datetime) -> None:
        closed = ballots.close_ballot(
            self.session,
            actor=Actor.system() if step.by is None else self.actor(step.by),
            at=at,
            catalog=self.catalog,
            ballot_id=self.open_ballots.pop(story.key),
        )
        if closed.action is None:
            raise Conflict(
                f"demo story {story.key!r}: ballot {closed.ballot.id} ended "
                f"{closed.ballot.outcome} but moved nothing on ({closed.action_error})"
            )

    # -- the result ---------------------------------------------------------------------

    def finish(self) -> DemoSeed:
        """Issue one token per role, and count what was made."""
        tokens = []
        for role, key in TOKEN_HOLDERS:
            person = self.people[key]
            issued = identity.issue_token(
                self.session, actor=self.admin, at=self.now, person=person, label=f"demo {role}"
            )
            tokens.append(DemoToken(role, person.name, person.email, issued.secret))
        states = [
            ballots.get_ballot(self.session, ballot_id).state for ballot_id in self.ballot_ids
        ]
        terminal = 0
        for proposal_id in self.proposal_ids.values():
            proposal = proposals.get_proposal(self.session, proposal_id)
            machine = self.catalog.machine(
                self.session, proposal.workflow_name, proposal.workflow_version
            )
            terminal += machine.definition.states[proposal.state].terminal
        closed = states.count("closed")
        return DemoSeed(
            organizations=len(ORGANIZATIONS),
            people=len(self.people),
            bodies=len(self.bodies),
            seats=self.seat_count,
            proposals=len(self.proposal_ids),
            ballots=len(self.ballot_ids),
            open_ballots=states.count("open"),
            # One per closed ballot, and one per proposal whose lifecycle ended.
            decisions=closed + terminal,
            log_entries=log_writer.lock_head(self.session).seq,
            tokens=tuple(tokens),
        )
