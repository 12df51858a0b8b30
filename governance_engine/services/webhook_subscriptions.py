"""Webhook subscriptions: admins register endpoints, read their deliveries, redeliver.

An endpoint is an ``http`` or ``https`` URL, the event types it wants (decision-log actions
such as ``ballot.closed``, a whole family such as ``ballot.*``, or ``*`` for everything)
and a signing secret. The secret is generated unless given, and is returned once, by
:func:`create_subscription`; it is stored to sign requests and never read out again.
Creating and disabling an endpoint are logged (without the secret, and with only the URL's
origin, since URLs often carry tokens of their own). Auditors may read subscriptions and
deliveries; only admins change them.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from governance_engine.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import OutboxEvent, WebhookDelivery, WebhookSubscription
from governance_engine.persistence.outbox import ALL_EVENTS
from governance_engine.persistence.repositories import webhooks as queries
from governance_engine.services.identity import Actor
from governance_engine.services.permissions import require_admin

SECRET_PREFIX: Final = "whsec_"  # noqa: S105 - a public marker, not a secret
MIN_SECRET = 16
MAX_SECRET = 200
MAX_URL = 2000
MAX_EVENT_TYPES = 100
DELIVERY_STATES: Final = ("pending", "delivered", "failed")

# Every event a subscription may ask for: the decision log's actions, and reminders.
EVENT_TYPES: Final = frozenset(
    {
        "organization.created",
        "person.created",
        "body.created",
        "body.parent_set",
        "seat.granted",
        "seat.ended",
        "token.issued",
        "token.revoked",
        "proposal.filed",
        "proposal.transitioned",
        "proposal.timer_refused",
        "revision.added",
        "ballot.opened",
        "ballot.electorate_amended",
        "ballot.closed",
        "ballot.cancelled",
        "ballot.outcome_not_applied",
        "ballot.reminder",
        "vote.cast",
        "vote.changed",
        "decision.recorded",
        "comment.added",
        "comment.edited",
        "comment.retracted",
        "concern.raised",
        "concern.addressed",
        "concern.resolved",
        "objection.lodged",
        "objection.withdrawn",
        "objection.resolved",
        "webhook.created",
        "webhook.disabled",
        "webhook.enabled",
        "workflow.registered",
        # signing in (services.access, services.web_sessions)
        "organization.email_domains_set",
        "identity.linked",
        "identity.revoked",
        "invitation.sent",
        "session.signed_in",
        "session.signed_out",
        "sessions.ended",
        "witness.registered",
    }
)
EVENT_FAMILIES: Final = frozenset(name.split(".", 1)[0] for name in EVENT_TYPES)


@dataclass(frozen=True)
class NewSubscription:
    subscription: WebhookSubscription
    secret: str  # shown once


@dataclass(frozen=True)
class DeliveryView:
    delivery: WebhookDelivery
    event: OutboxEvent


def check_url(url: str) -> str:
    url = url.strip()
    if not url or len(url) > MAX_URL:
        raise InvalidInput(f"a webhook URL must have 1 to {MAX_URL} characters", field="url")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise InvalidInput(f"{url!r} is not a valid URL", field="url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("a webhook URL must be http:// or https:// with a host", field="url")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(
            "put credentials in the signing secret, not in the webhook URL", field="url"
        )
    if parts.fragment or any(c.isspace() for c in url):
        raise InvalidInput("a webhook URL may not have a fragment or spaces", field="url")
    return url


def check_event_types(event_types: Sequence[str]) -> list[str]:
    """Known event types, ``family.*`` for a known family, or ``*``; sorted, without repeats."""
    wanted = sorted({name.strip() for name in event_types})
    if not wanted:
        raise InvalidInput("name at least one event type, or '*'", field="event_types")
    if len(wanted) > MAX_EVENT_TYPES:
        raise InvalidInput(f"at most {MAX_EVENT_TYPES} event types", field="event_types")
    for name in wanted:
        family, _, rest = name.partition(".")
        known = (
            name == ALL_EVENTS or name in EVENT_TYPES or (rest == "*" and family in EVENT_FAMILIES)
        )
        if not known:
            raise InvalidInput(
                f"unknown event type {name!r}: use '*', a family such as 'ballot.*', or one of "
                + ", ".join(sorted(EVENT_TYPES)),
                field="event_types",
            )
    return [ALL_EVENTS] if ALL_EVENTS in wanted else wanted


def _check_secret(secret: str | None) -> str:
    if secret is None:
        # Standard Webhooks: whsec_ and base64 of random bytes (24 to 64; here 32)
        return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")
    if not MIN_SECRET <= len(secret) <= MAX_SECRET or not secret.isprintable() or " " in secret:
        raise InvalidInput(
            f"a signing secret must be {MIN_SECRET} to {MAX_SECRET} printable characters "
            "without spaces",
            field="secret",
        )
    return secret


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _require_reader(viewer: Actor) -> None:
    if not (viewer.is_admin or viewer.is_auditor):
        raise PermissionDenied("only admins and auditors may see webhooks")


def create_subscription(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    url: str,
    event_types: Sequence[str],
    secret: str | None = None,
    description: str = "",
) -> NewSubscription:
    """Register an endpoint (admins). It receives events from the moment this commits."""
    require_admin(actor, "register a webhook")
    assert actor.person_id is not None  # admins are people
    url = check_url(url)
    types = check_event_types(event_types)
    secret = _check_secret(secret)
    subscription = WebhookSubscription(
        url=url,
        event_types=types,
        secret=secret,
        description=description.strip()[:2000],
        active=True,
        created_by_id=actor.person_id,
        created_at=at,
    )
    session.add(subscription)
    session.flush()
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="webhook.created",
        subject_type="webhook",
        subject_id=subscription.id,
        payload={"origin": _origin(url), "event_types": types},
    )
    return NewSubscription(subscription, secret)


def get_subscription(
    session: Session, *, viewer: Actor, subscription_id: int
) -> WebhookSubscription:
    _require_reader(viewer)
    return _subscription(session, subscription_id)


def _subscription(
    session: Session, subscription_id: int, *, for_update: bool = False
) -> WebhookSubscription:
    found = queries.subscription(session, subscription_id, for_update=for_update)
    if found is None:
        raise NotFound(f"there is no webhook {subscription_id}")
    return found


def list_subscriptions(
    session: Session, *, viewer: Actor, after: int, limit: int
) -> list[WebhookSubscription]:
    _require_reader(viewer)
    return queries.subscriptions_page(session, after=after, limit=limit)


def disable_subscription(
    session: Session, *, actor: Actor, at: datetime, subscription_id: int
) -> WebhookSubscription:
    """Stop sending to an endpoint (admins). Its pending deliveries stay, unsent; disabling
    twice changes nothing."""
    return _set_active(session, actor, at, subscription_id, active=False)


def enable_subscription(
    session: Session, *, actor: Actor, at: datetime, subscription_id: int
) -> WebhookSubscription:
    """Send to a disabled endpoint again (admins), with the same URL and secret.

    Deliveries still pending are sent, oldest first; events logged while it was disabled
    were never queued for it and are not sent (the log and its export have them).
    Enabling an active webhook changes nothing.
    """
    return _set_active(session, actor, at, subscription_id, active=True)


def _set_active(
    session: Session, actor: Actor, at: datetime, subscription_id: int, *, active: bool
) -> WebhookSubscription:
    require_admin(actor, "enable a webhook" if active else "disable a webhook")
    subscription = _subscription(session, subscription_id, for_update=True)
    if subscription.active == active:
        return subscription
    subscription.active = active
    session.flush()
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="webhook.enabled" if active else "webhook.disabled",
        subject_type="webhook",
        subject_id=subscription.id,
        payload={"origin": _origin(subscription.url)},
    )
    return subscription


def list_deliveries(
    session: Session,
    *,
    viewer: Actor,
    subscription_id: int,
    before: int | None,
    limit: int,
    status: str | None = None,
) -> list[DeliveryView]:
    """A subscription's deliveries, newest first."""
    _require_reader(viewer)
    _subscription(session, subscription_id)
    if status is not None and status not in DELIVERY_STATES:
        raise InvalidInput(
            f"status must be one of {', '.join(DELIVERY_STATES)}, not {status!r}", field="status"
        )
    rows = queries.deliveries_page(
        session, subscription_id=subscription_id, before=before, limit=limit, status=status
    )
    return [DeliveryView(delivery, event) for delivery, event in rows]


def redeliver(session: Session, *, actor: Actor, at: datetime, delivery_id: int) -> DeliveryView:
    """Send a delivered or failed event again, with a fresh set of attempts (admins).

    A pending delivery is refused: it is already queued, and may be on its way right now.
    """
    require_admin(actor, "redeliver a webhook event")
    delivery = queries.delivery(session, delivery_id, for_update=True)
    if delivery is None:
        raise NotFound(f"there is no webhook delivery {delivery_id}")
    subscription = _subscription(session, delivery.subscription_id)
    if not subscription.active:
        raise Conflict(f"webhook {subscription.id} is disabled")
    if delivery.status == "pending":
        raise Conflict(
            f"delivery {delivery.id} is already pending; its next attempt is due at "
            f"{delivery.next_attempt_at.isoformat()}"
        )
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = at
    delivery.delivered_at = None
    session.flush()
    event = queries.event(session, delivery.event_id)
    assert event is not None  # a foreign key guarantees it
    return DeliveryView(delivery, event)
