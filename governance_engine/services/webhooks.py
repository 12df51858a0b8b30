"""Webhook delivery: send each outbox event to each subscription, signed, in order, once.

Events and their pending deliveries are written with the change that caused them
(``persistence.outbox``); this worker sends them afterwards, so a slow or dead endpoint never
holds up or undoes an action. One pass (:func:`deliver_due`), run by ``governance-engine
deliver`` and periodically inside ``serve``, repeats three steps:

1. **Claim** (a short transaction): the due deliveries at the head of their subscription's
   queue, locked with ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite's writers
   run one at a time). Each claim pushes ``next_attempt_at`` a lease into the future and
   counts the attempt, then commits: no other worker sees the delivery as due until the
   lease runs out, and no lock is held while talking to the endpoint.
2. **Send** outside any transaction, several endpoints at once, each with a timeout.
3. **Record** (a second short transaction): delivered, or retried after an exponential
   backoff with jitter, or ``failed`` after the last attempt. The attempt number and time
   claimed fence the write: if the lease ran out and another worker took over (or an admin
   asked for a redelivery), the stale result is dropped.

Order: a subscription's deliveries go out in event order; a later event waits while an
earlier one is pending. A delivery that ended ``failed`` no longer holds the queue up.

A worker that dies between sending and recording leaves the delivery to be sent again once
its lease ends: receivers should treat the event ``id`` as an idempotency key.

Requests are signed as the Standard Webhooks specification says (``webhook-id``,
``webhook-timestamp``, ``webhook-signature: v1,<base64 HMAC-SHA256>``), so receivers can check
them with any of its libraries.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import random
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.orm import Session

from governance_engine.clock import Clock
from governance_engine.config import Settings
from governance_engine.log.canonical import format_timestamp
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import OutboxEvent
from governance_engine.persistence.repositories import webhooks as queries
from governance_engine.persistence.webhook_sender import Sender, SendResult

SECRET_PREFIX = "whsec_"  # noqa: S105 - a public marker, not a secret
_MAX_PARALLEL_SENDS = 8


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a delivery is tried."""

    max_attempts: int = 8
    backoff_base: timedelta = timedelta(seconds=30)
    backoff_cap: timedelta = timedelta(hours=1)
    timeout: float = 5.0
    """Seconds an endpoint gets for each of connecting, receiving the body and answering."""

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            max_attempts=settings.webhook_max_attempts,
            backoff_base=timedelta(seconds=settings.webhook_backoff_base),
            backoff_cap=timedelta(seconds=settings.webhook_backoff_cap),
            timeout=settings.webhook_timeout,
        )

    def backoff(self, attempts: int, rng: random.Random) -> timedelta:
        """The wait after the ``attempts``-th failure: base * 2^(attempts-1), capped, jittered.

        "Equal jitter": half the wait is fixed and half random, so retries of many
        deliveries that failed together spread out but never come sooner than half the wait.
        """
        ceiling: timedelta = min(self.backoff_cap, self.backoff_base * 2 ** min(attempts - 1, 30))
        return ceiling / 2 + ceiling / 2 * rng.random()

    @property
    def lease(self) -> timedelta:
        """How long a claimed delivery stays invisible to other workers: longer than a send."""
        return max(timedelta(minutes=1), timedelta(seconds=10 * self.timeout))


@dataclass
class DeliveryReport:
    delivered: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    """Results dropped because the delivery was taken over or redelivered meanwhile."""

    @property
    def attempted(self) -> int:
        return len(self.delivered) + len(self.retrying) + len(self.failed) + len(self.stale)

    def describe(self) -> str:
        return (
            f"webhook deliveries: {len(self.delivered)} delivered, "
            f"{len(self.retrying)} to retry, {len(self.failed)} failed"
        )


@dataclass(frozen=True)
class _Claim:
    delivery_id: int
    attempts: int
    claimed_at: datetime
    url: str
    secret: str
    event_id: int
    event_type: str
    body: bytes


def signing_key(secret: str) -> bytes:
    """The HMAC key of a subscription's secret, as Standard Webhooks defines it: the bytes that
    follow ``whsec_``, base64-decoded. A secret not of that form (chosen by hand, or generated
    by versions that used URL-safe characters) is used as its UTF-8 bytes, whole."""
    if secret.startswith(SECRET_PREFIX):
        encoded = secret[len(SECRET_PREFIX) :]
        try:
            key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        except binascii.Error:
            key = b""
        if key:
            return key
    return secret.encode("utf-8")


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value (Standard Webhooks): ``v1,`` and the base64
    HMAC-SHA256, keyed by :func:`signing_key`, of ``<webhook-id>.<webhook-timestamp>.<body>``."""
    message = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), message, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers of one request."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
    }


def envelope(event: OutboxEvent) -> bytes:
    """The request body: ``{"id", "type", "created_at", "data"}`` as compact UTF-8 JSON."""
    document = {
        "id": event.id,
        "type": event.event_type,
        "created_at": format_timestamp(event.created_at),
        "data": event.payload,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def deliver_due(
    database: Database,
    *,
    clock: Clock,
    sender: Sender,
    policy: RetryPolicy,
    batch_size: int = 20,
    limit: int = 500,
    rng: random.Random | None = None,
) -> DeliveryReport:
    """One pass: send every due delivery at most once, in event order per subscription."""
    rng = rng or random.Random()  # noqa: S311 - backoff jitter, not cryptography
    report = DeliveryReport()
    tried: set[int] = set()
    while report.attempted < limit:
        claims = database.run(
            lambda session: _claim(
                session,
                clock=clock,
                policy=policy,
                limit=min(batch_size, limit - report.attempted),
                skip=tried,
            )
        )
        if not claims:
            break
        tried.update(claim.delivery_id for claim in claims)
        results = _send_all(sender, claims, clock=clock)
        for claim, result in zip(claims, results, strict=True):
            outcome = database.run(
                partial(_record, claim=claim, result=result, clock=clock, policy=policy, rng=rng)
            )
            getattr(report, outcome).append(claim.delivery_id)
    return report


def retention(settings: Settings) -> timedelta | None:
    """How long finished deliveries are kept (None: forever)."""
    days = settings.webhook_retention_days
    return timedelta(days=days) if days > 0 else None


def prune_finished(
    database: Database, *, clock: Clock, keep: timedelta, batch: int = 500, limit: int = 20_000
) -> int:
    """Delete events older than ``keep`` whose deliveries have all finished, with them.

    Delivered and failed deliveries are history once ``keep`` has passed (they can no longer
    be redelivered); pending ones are never touched, however old. Returns how many events
    went. At most ``limit`` per call, in batches, so one pass stays short on a large backlog.
    """
    before = clock.now() - keep
    pruned = 0
    while pruned < limit:
        size = min(batch, limit - pruned)

        def prune_batch(session: Session, size: int = size) -> int:
            event_ids = queries.finished_events(session, before=before, limit=size)
            if event_ids:
                queries.delete_events(session, event_ids)
            return len(event_ids)

        removed = database.run(prune_batch)
        pruned += removed
        if removed < size:
            break
    return pruned


def _claim(
    session: Session, *, clock: Clock, policy: RetryPolicy, limit: int, skip: set[int]
) -> list[_Claim]:
    now = clock.now()
    deliveries = [
        delivery
        for delivery in queries.claimable(session, now=now, limit=limit + len(skip))
        if delivery.id not in skip
    ][:limit]
    if not deliveries:
        return []
    events = queries.events_by_id(session, {d.event_id for d in deliveries})
    subscriptions = queries.subscriptions_by_id(session, {d.subscription_id for d in deliveries})
    claims = []
    for delivery in deliveries:
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + policy.lease
        event = events[delivery.event_id]
        subscription = subscriptions[delivery.subscription_id]
        claims.append(
            _Claim(
                delivery_id=delivery.id,
                attempts=delivery.attempts,
                claimed_at=now,
                url=subscription.url,
                secret=subscription.secret,
                event_id=event.id,
                event_type=event.event_type,
                body=envelope(event),
            )
        )
    session.flush()
    return claims


def _send_all(sender: Sender, claims: Sequence[_Claim], *, clock: Clock) -> list[SendResult]:
    def send(claim: _Claim) -> SendResult:
        timestamp = int(clock.now().timestamp())
        headers = {
            "X-Governance-Event": claim.event_type,
            "X-Governance-Delivery": str(claim.delivery_id),
            # the event id: the same on every retry and redelivery, as receivers dedupe on it
            **signed_headers(claim.secret, str(claim.event_id), timestamp, claim.body),
        }
        try:
            return sender.send(claim.url, claim.body, headers)
        except Exception as error:  # a broken sender must not lose the claim's record
            return SendResult(None, f"{type(error).__name__}: {error}"[:500])

    if len(claims) == 1:
        return [send(claims[0])]
    with ThreadPoolExecutor(max_workers=min(len(claims), _MAX_PARALLEL_SENDS)) as pool:
        return list(pool.map(send, claims))


def _record(
    session: Session,
    *,
    claim: _Claim,
    result: SendResult,
    clock: Clock,
    policy: RetryPolicy,
    rng: random.Random,
) -> str:
    delivery = queries.delivery(session, claim.delivery_id, for_update=True)
    fenced = (
        delivery is not None
        and delivery.status == "pending"
        and delivery.attempts == claim.attempts
        and delivery.last_attempt_at == claim.claimed_at
    )
    if delivery is None or not fenced:
        return "stale"
    now = clock.now()
    delivery.last_status_code = result.status_code
    if result.ok:
        delivery.status = "delivered"
        delivery.delivered_at = now
        delivery.last_error = ""
        return "delivered"
    delivery.last_error = result.error
    if delivery.attempts >= policy.max_attempts:
        delivery.status = "failed"
        return "failed"
    delivery.next_attempt_at = now + policy.backoff(delivery.attempts, rng)
    return "retrying"
