"""The directory: organizations, people, bodies and seats."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from governance_engine.persistence.models import (
    Body,
    Organization,
    OrganizationKind,
    Person,
    SeatRole,
)
from governance_engine.services.directory_reads import PersonProfile, SeatView

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
BODY_KIND_PATTERN = r"^[a-z][a-z0-9_]*$"


class OrganizationCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Northwind Labs", "kind": "company"}]},
    )

    name: str = Field(min_length=1, max_length=200)
    kind: OrganizationKind
    email_domains: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Domains whose verified e-mail addresses may link this organization's "
        "people to an OpenID identity",
    )


class OrganizationRead(BaseModel):
    id: int
    name: str
    kind: OrganizationKind
    active: bool
    created_at: datetime
    email_domains: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, organization: Organization) -> OrganizationRead:
        return cls(
            id=organization.id,
            name=organization.name,
            kind=OrganizationKind(organization.kind),
            active=organization.active,
            created_at=organization.created_at,
            email_domains=list(organization.email_domains or []),
        )


class PersonCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "Wendy Wu", "email": "wendy@northwind.example", "organization_id": 1}
            ]
        },
    )

    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=320, description="Unique; stored lower-case")
    organization_id: int | None = Field(default=None, ge=1)
    is_admin: bool = Field(default=False, description="May write the directory")
    is_auditor: bool = Field(default=False, description="Reads everything, writes nothing")


class PersonRead(BaseModel):
    id: int
    name: str
    email: str
    organization_id: int | None
    is_admin: bool
    is_auditor: bool
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, person: Person) -> PersonRead:
        return cls(
            id=person.id,
            name=person.name,
            email=person.email,
            organization_id=person.organization_id,
            is_admin=person.is_admin,
            is_auditor=person.is_auditor,
            active=person.active,
            created_at=person.created_at,
        )


class SeatHeld(BaseModel):
    """One of the caller's seats, named by its body."""

    seat_id: int
    body: str = Field(description="The body's slug", examples=["wg-trust-validation"])
    body_name: str
    role: SeatRole
    voting: bool
    term_start: datetime
    term_end: datetime | None

    @classmethod
    def of(cls, view: SeatView) -> SeatHeld:
        return cls(
            seat_id=view.seat.id,
            body=view.body.slug,
            body_name=view.body.name,
            role=SeatRole(view.seat.role),
            voting=view.seat.voting,
            term_start=view.seat.term_start,
            term_end=view.seat.term_end,
        )


class PersonMe(PersonRead):
    seats: list[SeatHeld] = Field(description="The seats the caller holds now")

    @classmethod
    def of_profile(cls, profile: PersonProfile) -> PersonMe:
        return cls(
            **PersonRead.of(profile.person).model_dump(),
            seats=[SeatHeld.of(view) for view in profile.seats],
        )


class BodyCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "slug": "wg-trust-validation",
                    "name": "Trust & Validation",
                    "kind": "working_group",
                    "description": "Model provenance and validation",
                }
            ]
        },
    )

    slug: str = Field(
        min_length=1,
        max_length=64,
        pattern=SLUG_PATTERN,
        description="How workflows name the body (`toc`, `iesg`); `sponsor` is reserved",
    )
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(
        min_length=1,
        max_length=32,
        pattern=BODY_KIND_PATTERN,
        description="Any kind: board, toc, working_group, committee, council...; several bodies "
        "may share a kind",
        examples=["working_group", "committee"],
    )
    description: str = Field(default="", max_length=5000)
    parent: str | None = Field(
        default=None,
        max_length=64,
        pattern=SLUG_PATTERN,
        description="Slug of the body where formal objections to and appeals of this body's "
        "decisions go",
    )


class BodyUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"parent": "iab"}, {"parent": None}]}
    )

    parent: str | None = Field(
        max_length=64,
        pattern=SLUG_PATTERN,
        description="Slug of the new parent body, or null for none; a body cannot end up above "
        "itself",
    )


class BodyLinks(BaseModel):
    self: str
    seats: str


class BodyRead(BaseModel):
    id: int
    slug: str
    name: str
    kind: str
    description: str
    parent: str | None = Field(description="Slug of the parent body (where objections go)")
    created_at: datetime
    links: BodyLinks

    @classmethod
    def of(cls, body: Body, slugs: Mapping[int, str]) -> BodyRead:
        """``slugs``: every body's slug by id, to name the parent."""
        base = f"/api/v1/bodies/{body.slug}"
        return cls(
            id=body.id,
            slug=body.slug,
            name=body.name,
            kind=body.kind,
            parent=slugs.get(body.parent_id) if body.parent_id is not None else None,
            description=body.description,
            created_at=body.created_at,
            links=BodyLinks(self=base, seats=f"{base}/seats"),
        )


class SeatGrant(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"person_id": 7, "role": "member"}]},
    )

    person_id: int = Field(ge=1)
    role: SeatRole
    voting: bool | None = Field(
        default=None, description="Defaults to true, except for observers (who never vote)"
    )
    term_start: AwareDatetime | None = Field(default=None, description="Defaults to now")
    term_end: AwareDatetime | None = Field(default=None, description="Open-ended when null")


class SeatEnd(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "stepped down"}]}
    )

    reason: str = Field(min_length=1, max_length=2000, description="Recorded in the log")


class SeatRead(BaseModel):
    id: int
    body: str = Field(description="The body's slug")
    person_id: int
    person_name: str
    role: SeatRole
    voting: bool
    term_start: datetime
    term_end: datetime | None
    active: bool = Field(description="Whether the term covers the moment of the request")
    created_at: datetime

    @classmethod
    def of(cls, view: SeatView, *, at: datetime) -> SeatRead:
        seat = view.seat
        return cls(
            id=seat.id,
            body=view.body.slug,
            person_id=view.person.id,
            person_name=view.person.name,
            role=SeatRole(seat.role),
            voting=seat.voting,
            term_start=seat.term_start,
            term_end=seat.term_end,
            active=view.active_at(at),
            created_at=seat.created_at,
        )
