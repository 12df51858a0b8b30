"""Signing in as a person, and bounding abuse.

identities      OpenID identities (issuer + subject) linked to people; who one signs in
invitations     admins' invitations and e-mail sign-in links (one-time, hashed)
sessions        an admin ends all of a person's sessions
email_domains   the domains whose verified addresses link people of an organization
rate_limits     writes per token and sign-in links per address, with ``limits``
"""

from governance_engine.services.access.email_domains import normalize_domains, set_email_domains
from governance_engine.services.access.identities import (
    UnknownIdentity,
    link_by_admin,
    links_of,
    revoke_link,
    sign_in_identity,
)
from governance_engine.services.access.invitations import (
    INVITATION_LIFETIME,
    LINK_LIFETIME,
    Invited,
    LinkRefused,
    check_invitation,
    invite,
    request_sign_in_link,
    sign_in_with_invitation,
    sign_in_with_link,
)
from governance_engine.services.access.rate_limits import RateLimits, Refused
from governance_engine.services.access.sessions import end_sessions_of

__all__ = [
    "INVITATION_LIFETIME",
    "LINK_LIFETIME",
    "Invited",
    "LinkRefused",
    "RateLimits",
    "Refused",
    "UnknownIdentity",
    "check_invitation",
    "end_sessions_of",
    "invite",
    "link_by_admin",
    "links_of",
    "normalize_domains",
    "request_sign_in_link",
    "revoke_link",
    "set_email_domains",
    "sign_in_identity",
    "sign_in_with_invitation",
    "sign_in_with_link",
]
