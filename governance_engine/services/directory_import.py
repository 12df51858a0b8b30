"""Onboarding: bring a directory file (see ``directory_file``) into the directory, and write
the directory back out as one.

The import adds what is missing and changes nothing else, so a second run is a no-op. It
matches organizations by name, people by e-mail, bodies by slug, and seats by person, body
and role (a term that has not ended, or one that starts at the same moment). An item that
disagrees with what the directory holds (another kind, another organization...) is a problem,
not an edit. Two things the file may change: an organization's e-mail domains and a body's
parent, through their own services. Every change goes through the directory services, so it
is checked and logged exactly as when an admin makes it; the actor is the system.

All or nothing: each item runs in its own savepoint so every bad item is found and named by
its line; if any is bad, or on a dry run, the whole import is rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from governance_engine.errors import Conflict, GovernanceError, NotFound
from governance_engine.persistence.models import Body, Person
from governance_engine.persistence.repositories import directory as queries
from governance_engine.persistence.repositories import directory_listing as listing
from governance_engine.services import directory
from governance_engine.services.access import normalize_domains, set_email_domains
from governance_engine.services.actor import Actor
from governance_engine.services.directory_file import (
    BodyRow,
    DirectoryFile,
    DirectoryFileError,
    OrganizationRow,
    PersonRow,
    Problem,
    SeatRow,
)

IMPORTER = Actor(person_id=None, name="directory import", is_admin=True)
"""The import runs as the system (an operator with database access), with an admin's rights."""


@dataclass(frozen=True)
class ImportResult:
    """One line per change, in the order made; ``applied`` False on a dry run."""

    changes: list[str]
    applied: bool


def import_directory(
    session: Session, *, parsed: DirectoryFile, at: datetime, dry_run: bool = False
) -> ImportResult:
    """Add what the file has and the directory lacks; DirectoryFileError if any item is bad
    (then nothing is changed)."""
    run = _Import(session, at)
    run.problems.extend(parsed.problems)
    whole = session.begin_nested()
    try:
        run.everything(parsed)
    except BaseException:
        whole.rollback()
        raise
    if run.problems or dry_run:
        whole.rollback()
    else:
        whole.commit()
    if run.problems:
        raise DirectoryFileError(sorted(run.problems, key=lambda p: p.line))
    return ImportResult(run.changes, applied=not dry_run)


class _Import:
    def __init__(self, session: Session, at: datetime) -> None:
        self.session, self.at = session, at
        self.changes: list[str] = []
        self.problems: list[Problem] = []
        self._seen: dict[tuple[str, ...], int] = {}

    def everything(self, parsed: DirectoryFile) -> None:
        for organization in parsed.organizations:
            key: tuple[str, ...] = ("organization", organization.name)
            self._step(organization.line, key, partial(self._organization, organization))
        for person in parsed.people:
            key = ("person", person.email.lower())
            self._step(person.line, key, partial(self._person, person))
        later: list[BodyRow] = []
        for body in parsed.bodies:
            self._step(body.line, ("body", body.slug), partial(self._body, body, later))
        for body in later:
            self._step(body.line, None, partial(self._parent, body))
        for seat in parsed.seats:
            key = ("seat", seat.body, seat.person.lower(), seat.role)
            self._step(seat.line, key, partial(self._seat, seat))

    def _step(self, line: int, key: tuple[str, ...] | None, work: Callable[[], list[str]]) -> None:
        if key is not None:
            if key in self._seen:
                what = f"{key[0]} {' '.join(key[1:])}"
                self.problems.append(Problem(line, f"{what} is also on line {self._seen[key]}"))
                return
            self._seen[key] = line
        try:
            with self.session.begin_nested():
                made = work()
        except GovernanceError as error:
            self.problems.append(Problem(line, error.message))
        except IntegrityError as error:
            first = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else ""
            self.problems.append(Problem(line, f"the database refused it: {first}"))
        else:
            self.changes.extend(made)

    def _organization(self, row: OrganizationRow) -> list[str]:
        made = []
        organization = queries.organization_by_name(self.session, row.name)
        if organization is None:
            organization = directory.create_organization(
                self.session, actor=IMPORTER, at=self.at, name=row.name, kind=row.kind
            )
            made.append(f"create organization {organization.name} ({organization.kind})")
        elif organization.kind != row.kind:
            raise Conflict(
                f"organization {row.name} is a {organization.kind} in the directory, "
                f"not a {row.kind}; the import does not change it"
            )
        if row.email_domains is not None:
            wanted = normalize_domains(row.email_domains)
            if wanted != list(organization.email_domains or []):
                set_email_domains(
                    self.session,
                    actor=IMPORTER,
                    at=self.at,
                    organization_id=organization.id,
                    domains=wanted,
                )
                domains = ", ".join(wanted) or "none"
                made.append(f"set e-mail domains of {organization.name}: {domains}")
        return made

    def _person(self, row: PersonRow) -> list[str]:
        organization_id = None
        if row.organization is not None:
            organization = queries.organization_by_name(self.session, row.organization)
            if organization is None:
                raise NotFound(f"there is no organization {row.organization!r}")
            organization_id = organization.id
        person = queries.person_by_email(self.session, row.email.strip().lower())
        if person is None:
            person = directory.add_person(
                self.session,
                actor=IMPORTER,
                at=self.at,
                name=row.name,
                email=row.email,
                organization_id=organization_id,
                is_admin=row.is_admin,
                is_auditor=row.is_auditor,
            )
            flags = [f for f, on in (("admin", row.is_admin), ("auditor", row.is_auditor)) if on]
            extra = f" ({', '.join(flags)})" if flags else ""
            where = f" of {row.organization}" if row.organization else ""
            return [f"create person {person.name} <{person.email}>{where}{extra}"]
        differs = [
            what
            for what, same in (
                ("name", person.name == row.name),
                ("organization", person.organization_id == organization_id),
                ("is_admin", person.is_admin == row.is_admin),
                ("is_auditor", person.is_auditor == row.is_auditor),
            )
            if not same
        ]
        if differs:
            raise Conflict(
                f"{person.email} is in the directory with another {', '.join(differs)}; "
                "the import does not change people"
            )
        return []

    def _body(self, row: BodyRow, later: list[BodyRow]) -> list[str]:
        body = queries.body_by_slug(self.session, row.slug)
        if body is None:
            ready = row.parent is None or queries.body_by_slug(self.session, row.parent) is not None
            body = directory.create_body(
                self.session,
                actor=IMPORTER,
                at=self.at,
                slug=row.slug,
                name=row.name,
                kind=row.kind,
                description=row.description,
                parent=row.parent if ready else None,
            )
            if not ready:
                later.append(row)  # its parent comes further down the file
            under = f" under {row.parent}" if row.parent and ready else ""
            return [f"create body {body.slug} ({body.kind}): {body.name}{under}"]
        differs = [
            what
            for what, same in (
                ("name", body.name == row.name.strip()),
                ("kind", body.kind == row.kind),
                ("description", not row.description or body.description == row.description),
            )
            if not same
        ]
        if differs:
            raise Conflict(
                f"body {row.slug} is in the directory with another {', '.join(differs)}; "
                "the import does not change it"
            )
        if row.parent is not None:
            later.append(row)
        return []

    def _parent(self, row: BodyRow) -> list[str]:
        body = queries.body_by_slug(self.session, row.slug)
        parent = queries.body_by_slug(self.session, row.parent or "")
        if body is None or (parent is not None and body.parent_id == parent.id):
            return []
        directory.set_parent(self.session, actor=IMPORTER, at=self.at, body=body, parent=row.parent)
        return [f"set parent of {row.slug}: {row.parent}"]

    def _seat(self, row: SeatRow) -> list[str]:
        body = queries.body_by_slug(self.session, row.body)
        if body is None:
            raise NotFound(f"there is no body {row.body!r}")
        person = queries.person_by_email(self.session, row.person.strip().lower())
        if person is None:
            raise NotFound(f"there is no person with e-mail {row.person}")
        for seat in listing.seats_of(self.session, person_id=person.id, body_id=body.id):
            current = seat.term_end is None or seat.term_end > self.at
            if seat.role == row.role and (current or seat.term_start == row.term_start):
                if row.voting is not None and seat.voting != row.voting:
                    raise Conflict(
                        f"{person.email}'s {row.role} seat on {body.slug} is "
                        f"{'' if seat.voting else 'non-'}voting in the directory; "
                        "the import does not change seats"
                    )
                return []
        seat = directory.grant_seat(
            self.session,
            actor=IMPORTER,
            at=self.at,
            body=body,
            person=person,
            role=row.role,
            voting=row.voting,
            term_start=row.term_start,
            term_end=row.term_end,
        )
        kind = "" if seat.voting else "non-voting "
        return [f"grant {kind}{seat.role} seat on {body.slug} to {person.email}"]


def export_directory(session: Session, *, at: datetime) -> DirectoryFile:
    """The directory as a file: every organization, person and body, and the seats whose
    term has not ended at ``at``; ordered by name, e-mail and slug so exports compare."""
    organizations = listing.organizations(session)
    names = {o.id: o.name for o in organizations}
    bodies = sorted(listing.bodies(session), key=lambda b: b.slug)
    slugs = {b.id: b.slug for b in bodies}
    return DirectoryFile(
        organizations=[
            OrganizationRow(0, o.name, o.kind, list(o.email_domains or [])) for o in organizations
        ],
        people=[_person_row(p, names) for p in listing.people(session)],
        bodies=[_body_row(b, slugs) for b in bodies],
        seats=[
            SeatRow(0, body.slug, person.email, s.role, s.voting, s.term_start, s.term_end)
            for s, body, person in listing.seats_held(session, at=at)
        ],
    )


def _person_row(person: Person, names: dict[int, str]) -> PersonRow:
    organization = names.get(person.organization_id) if person.organization_id else None
    return PersonRow(0, person.name, person.email, organization, person.is_admin, person.is_auditor)


def _body_row(body: Body, slugs: dict[int, str]) -> BodyRow:
    parent = slugs.get(body.parent_id) if body.parent_id is not None else None
    return BodyRow(0, body.slug, body.name, body.kind, parent, body.description)
