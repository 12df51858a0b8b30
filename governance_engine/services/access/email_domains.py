"""The e-mail domains an organization claims: verified addresses there may link an OpenID
identity to one of its people (see ``identities``)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from governance_engine.errors import Conflict, InvalidInput, NotFound
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import Organization
from governance_engine.persistence.repositories import access as queries
from governance_engine.services.actor import Actor
from governance_engine.services.permissions import require_admin

_DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
MAX_DOMAINS = 50


def normalize_domains(domains: list[str]) -> list[str]:
    """Lower-case, de-duplicated, sorted; InvalidInput naming the first bad one."""
    found = sorted({domain.strip().lower().rstrip(".") for domain in domains})
    if len(found) > MAX_DOMAINS:
        raise InvalidInput(f"at most {MAX_DOMAINS} e-mail domains", field="email_domains")
    for domain in found:
        if not _DOMAIN.match(domain):
            raise InvalidInput(f"{domain!r} is not a domain name", field="email_domains")
    return found


def set_email_domains(
    session: Session, *, actor: Actor, at: datetime, organization_id: int, domains: list[str]
) -> Organization:
    """Replace the organization's e-mail domains (admins). A domain belongs to one
    organization at most: two claiming it would make a verified address ambiguous."""
    require_admin(actor, "set organizations' e-mail domains")
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(f"there is no organization {organization_id}")
    wanted = normalize_domains(domains)
    for other in queries.organizations_with_domains(session):
        taken = set(wanted) & set(other.email_domains) if other.id != organization.id else set()
        if taken:
            raise Conflict(
                f"{sorted(taken)[0]} is already claimed by {other.name}", field="email_domains"
            )
    if wanted == list(organization.email_domains or []):
        return organization
    organization.email_domains = wanted
    session.flush()
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="organization.email_domains_set",
        subject_type="organization",
        subject_id=organization.id,
        payload={"email_domains": wanted},
    )
    return organization
