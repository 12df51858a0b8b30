"""The transactional outbox: events written in the unit of work of the change that caused them.

``log_writer.append`` calls :func:`record_log_entry` for every decision-log entry, so an
event exists only if its change committed. Each event gets one pending ``WebhookDelivery``
per active subscription whose event types match; the delivery worker (``services.webhooks``)
sends them later, outside any action's transaction. An event that no subscription wants is
not stored at all: nothing would ever read it (a subscription hears of events from its
creation on), and the log itself already records the change.

Webhook payloads leave the system, so they never say how anyone voted on a secret ballot:
vote choices and rationales are removed, and so is everything in a secret ballot's closing
tally that names a voter. Such a document is marked ``"redacted": true``; its ``hash`` is
the log's, over the full entry, and cannot be recomputed from what is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from governance_engine.log import StoredEntry
from governance_engine.persistence.models import Ballot, OutboxEvent, WebhookDelivery, table_of
from governance_engine.persistence.repositories import webhooks as queries

ALL_EVENTS: Final = "*"

_SECRET_VOTE_FIELDS: Final = ("choice", "rationale", "previous")
# What a secret ballot's tally may show once it closes: numbers, never who voted how.
_PUBLIC_TALLY_FIELDS: Final = (
    "counts",
    "electorate",
    "voted",
    "not_voted",
    "recused",
    "counted_base",
    "quorum_required",
    "quorum_present",
    "support",
    "against",
    "support_required",
)


def matches(event_types: Iterable[str], event_type: str) -> bool:
    """``*`` matches everything, ``family.*`` every event of that family, else exact names."""
    family = event_type.split(".", 1)[0]
    return any(wanted in (ALL_EVENTS, event_type, f"{family}.*") for wanted in event_types)


# Written with Core, like the log entry each event accompanies: nothing reads them back here.
_INSERT_EVENT = insert(table_of(OutboxEvent)).returning(table_of(OutboxEvent).c.id)
_INSERT_DELIVERY = insert(table_of(WebhookDelivery))


# Per database, the active subscriptions last read and the head's ``subscriptions_tag`` when
# they were read. Triggers give the tag a fresh random value on every subscription change,
# and appenders read it under the head's lock, so a matching tag means the list is current.
_subscriptions_seen: WeakKeyDictionary[Engine, tuple[int, list[tuple[int, list[str]]]]] = (
    WeakKeyDictionary()
)


def record_log_entry(session: Session, entry: StoredEntry, *, subscriptions_tag: int) -> None:
    """Store the event for a log entry just appended, if any subscription wants it.

    The caller holds the chain head's lock and passes its ``subscriptions_tag``.
    """
    content = entry.content
    subscribers = _subscribers(session, subscriptions_tag, content.action)
    if subscribers:
        public = public_document(session, content.action, content.subject_id, entry.as_document())
        _store(session, subscribers, content.action, public, content.recorded_at, content.seq)


def active_subscriptions(session: Session, tag: int) -> list[tuple[int, list[str]]]:
    """(id, event types) of every active subscription, read again only when ``tag`` moved.

    ``tag`` must be the head's ``subscriptions_tag`` read under the head's lock.
    """
    engine = session.connection().engine
    seen = _subscriptions_seen.get(engine)
    if seen is not None and seen[0] == tag:
        return seen[1]
    current = queries.active_subscription_types(session)
    _subscriptions_seen[engine] = (tag, current)
    return current


def enqueue(
    session: Session,
    *,
    event_type: str,
    payload: Mapping[str, Any],
    at: datetime,
    seq: int | None = None,
    subscriptions_tag: int,
) -> None:
    """Store an event and a pending delivery for each active subscription that wants it.

    The caller holds the chain head's lock and passes its ``subscriptions_tag``.
    """
    subscribers = _subscribers(session, subscriptions_tag, event_type)
    if subscribers:
        _store(session, subscribers, event_type, payload, at, seq)


def _subscribers(session: Session, tag: int, event_type: str) -> list[int]:
    return [
        subscription_id
        for subscription_id, event_types in active_subscriptions(session, tag)
        if matches(event_types, event_type)
    ]


def _store(
    session: Session,
    subscribers: list[int],
    event_type: str,
    payload: Mapping[str, Any],
    at: datetime,
    seq: int | None,
) -> None:
    connection = session.connection()
    values = {"event_type": event_type, "payload": dict(payload), "log_seq": seq, "created_at": at}
    event_id = connection.execute(_INSERT_EVENT, values).scalar_one()
    connection.execute(
        _INSERT_DELIVERY,
        [
            {
                "subscription_id": subscription_id,
                "event_id": event_id,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": at,
                "last_error": "",
                "created_at": at,
            }
            for subscription_id in subscribers
        ],
    )


def public_document(
    session: Session, action: str, subject_id: str, document: Mapping[str, Any]
) -> dict[str, Any]:
    """The export document with everything removed that would reveal a secret ballot's votes."""
    result = dict(document)
    payload = dict(result.get("payload") or {})
    redacted = False
    if action.startswith("vote.") and payload.get("secret"):
        for field in _SECRET_VOTE_FIELDS:
            payload.pop(field, None)
        redacted = True
    elif action == "ballot.closed" and _secret_ballot(session, subject_id):
        tally = payload.get("tally")
        if isinstance(tally, Mapping):
            public = {key: tally[key] for key in _PUBLIC_TALLY_FIELDS if key in tally}
            public["standing_block_count"] = len(tally.get("standing_blocks") or ())
            payload["tally"] = public
        redacted = True
    result["payload"] = payload
    result["redacted"] = redacted
    return result


def _secret_ballot(session: Session, subject_id: str) -> bool:
    if not subject_id.isdigit():
        return False
    ballot = session.get(Ballot, int(subject_id))
    return bool(ballot is not None and ballot.secret)
