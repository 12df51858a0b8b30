"""The transactional outbox: events written in the unit of work of the change that caused them.

``log_writer.append`` calls :func:`record_log_entry` for every decision-log entry, so an
event exists if and only if its change committed. Each event gets one pending
``WebhookDelivery`` per active subscription whose event types match; the delivery worker
(``services.webhooks``) sends them later, outside any action's transaction.

Webhook payloads leave the system, so they never say how anyone voted on a secret ballot:
vote choices and rationales are removed, and so is everything in a secret ballot's closing
tally that names a voter. Such a document is marked ``"redacted": true``; its ``hash`` is
the log's, over the full entry, and cannot be recomputed from what is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from governance_engine.persistence.models import Ballot, LogEntry, OutboxEvent, WebhookDelivery
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


def record_log_entry(session: Session, entry: LogEntry, document: Mapping[str, Any]) -> None:
    """Write the outbox event for a log entry just appended (``document``: its export)."""
    public = public_document(session, entry, document)
    enqueue(session, event_type=entry.action, payload=public, at=entry.recorded_at, seq=entry.seq)


def enqueue(
    session: Session,
    *,
    event_type: str,
    payload: Mapping[str, Any],
    at: datetime,
    seq: int | None = None,
) -> OutboxEvent:
    """Store one event and a pending delivery for each active subscription that wants it."""
    subscribers = [
        subscription_id
        for subscription_id, event_types in queries.active_subscription_types(session)
        if matches(event_types, event_type)
    ]
    event = OutboxEvent(event_type=event_type, payload=dict(payload), log_seq=seq, created_at=at)
    session.add(event)
    if not subscribers:
        return event  # flushed with the rest of the unit of work
    session.flush()
    session.add_all(
        WebhookDelivery(
            subscription_id=subscription_id,
            event_id=event.id,
            status="pending",
            attempts=0,
            next_attempt_at=at,
            last_error="",
            created_at=at,
        )
        for subscription_id in subscribers
    )
    session.flush()
    return event


def public_document(
    session: Session, entry: LogEntry, document: Mapping[str, Any]
) -> dict[str, Any]:
    """The export document with everything removed that would reveal a secret ballot's votes."""
    result = dict(document)
    payload = dict(result.get("payload") or {})
    redacted = False
    if entry.action.startswith("vote.") and payload.get("secret"):
        for field in _SECRET_VOTE_FIELDS:
            payload.pop(field, None)
        redacted = True
    elif entry.action == "ballot.closed" and _secret_ballot(session, entry.subject_id):
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
