"""Webhooks end to end: outbox with the action, signed POSTs to a real loopback endpoint,
retries with backoff, ordering per subscription, and exactly-once with two workers."""

from __future__ import annotations

import base64
import copy
import json
import random
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from testkit.drive import file, open_ballot, revise, take, vote
from testkit.processes import run_in_processes
from testkit.receiver import Received, Receiver, dead_url, receiving
from testkit.workers import deliver_at
from testkit.world import World, build_world

from governance_engine.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from governance_engine.lifecycle import WorkflowDefinition, load_bundled
from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import (
    LogEntry,
    OutboxEvent,
    WebhookDelivery,
    WebhookSubscription,
)
from governance_engine.persistence.outbox import matches
from governance_engine.persistence.webhook_sender import HttpSender, SendResult
from governance_engine.services import proposals, webhook_subscriptions
from governance_engine.services.reminders import REMINDER
from governance_engine.services.tick import tick
from governance_engine.services.timers import TIMER_REFUSED
from governance_engine.services.webhooks import (
    DeliveryReport,
    RetryPolicy,
    _claim,
    _record,
    deliver_due,
    prune_finished,
    signed_headers,
)
from governance_engine.services.workflows import WorkflowCatalog

SECRET = "whsec_" + base64.b64encode(b"test-signing-secret-0123456789!!").decode()
POLICY = RetryPolicy(
    max_attempts=3,
    backoff_base=timedelta(seconds=1),
    backoff_cap=timedelta(seconds=4),
    timeout=2,
)
PAST_BACKOFF = timedelta(seconds=5)
SOURCE = Path(__file__).resolve().parents[2] / "governance_engine"


def subscribe(
    world: World, url: str, types: tuple[str, ...] = ("proposal.*", "revision.added")
) -> int:
    with world.database.transaction() as session:
        new = webhook_subscriptions.create_subscription(
            session,
            actor=world.admin,
            at=world.clock.now(),
            url=url,
            event_types=types,
            secret=SECRET,
        )
        return new.subscription.id


def deliver(world: World, policy: RetryPolicy = POLICY, **options: int) -> DeliveryReport:
    return deliver_due(
        world.database,
        clock=world.clock,
        sender=HttpSender(timeout=policy.timeout, allow_private=True),  # loopback receivers
        policy=policy,
        **options,
    )


def deliveries(world: World, subscription_id: int) -> list[WebhookDelivery]:
    with world.database.reader() as session:
        statement = (
            select(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == subscription_id)
            .order_by(WebhookDelivery.event_id)
        )
        return list(session.scalars(statement))


def statuses(world: World, subscription_id: int) -> list[tuple[str, int]]:
    return [(d.status, d.attempts) for d in deliveries(world, subscription_id)]


def events(world: World) -> list[OutboxEvent]:
    with world.database.reader() as session:
        return list(session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


def test_an_event_is_posted_signed_with_its_log_entry(world: World) -> None:
    with receiving() as receiver:
        subscription_id = subscribe(world, receiver.url)
        proposal_id = file(world, text="# Spec\n")
        report = deliver(world)
        [filed, revised] = receiver.received
    assert len(report.delivered) == 2
    assert filed.signature_valid(SECRET)
    assert not filed.signature_valid(
        "whsec_" + base64.b64encode(b"another secret entirely").decode()
    )
    assert filed.path == "/hooks"
    assert filed.headers["content-type"] == "application/json"
    assert filed.headers["x-governance-event"] == "proposal.filed"
    assert int(filed.headers["webhook-timestamp"]) == int(world.clock.now().timestamp())
    assert filed.headers["webhook-id"] == str(filed.document["id"])
    body = filed.document
    assert set(body) == {"id", "type", "created_at", "data"}
    assert body["type"] == "proposal.filed"
    assert revised.document["id"] > body["id"]
    with world.database.reader() as session:
        entry = session.scalars(select(LogEntry).where(LogEntry.action == "proposal.filed")).one()
    data = body["data"]
    assert (data["seq"], data["hash"], data["prev_hash"]) == (
        entry.seq,
        entry.hash,
        entry.prev_hash,
    )
    assert data["proposal_id"] == proposal_id
    assert data["payload"]["title"] == "Model cards"
    assert data["redacted"] is False
    assert body["created_at"] == data["recorded_at"]
    [first, second] = deliveries(world, subscription_id)
    assert (first.status, first.attempts, first.last_status_code) == ("delivered", 1, 204)
    assert first.delivered_at == world.clock.now()
    assert filed.delivery_id == first.id
    assert second.status == "delivered"
    assert deliver(world).attempted == 0  # delivered once, never again


def test_requests_verify_with_the_standard_webhooks_library() -> None:
    """The library's own verifier (headers, tolerance, signature) accepts what we send."""
    body = b'{"id":1,"type":"proposal.filed"}'
    now = int(time.time())
    headers = signed_headers(SECRET, "1", now, body)
    assert set(headers) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(SECRET).verify(body, headers) == {"id": 1, "type": "proposal.filed"}
    for forged in (body + b" ", body.replace(b"1", b"2")):
        with pytest.raises(WebhookVerificationError):
            Webhook(SECRET).verify(forged, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body, headers | {"webhook-id": "2"})
    other = "whsec_" + base64.b64encode(b"another key, thirty-two bytes!!!").decode()
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(body, headers)
    # A secret not of the whsec_ + base64 form (set by hand, or generated before) signs with
    # its UTF-8 bytes: the library verifies it when given those bytes.
    legacy = "whsec_old-url-safe_secret-0123456789"
    Webhook(legacy.encode()).verify(body, signed_headers(legacy, "7", now, body))


def test_generated_secrets_are_standard_webhooks_secrets(world: World) -> None:
    with world.database.transaction() as session:
        new = webhook_subscriptions.create_subscription(
            session,
            actor=world.admin,
            at=world.clock.now(),
            url="https://hooks.example.org/in",
            event_types=["*"],
        )
    assert new.secret.startswith("whsec_")
    assert len(base64.b64decode(new.secret.removeprefix("whsec_"), validate=True)) == 32


def test_events_are_written_in_the_actions_transaction_or_not_at_all(world: World) -> None:
    subscription_id = subscribe(world, dead_url())
    before = len(events(world))

    class Abandoned(Exception):
        pass

    def file_then_fail() -> None:
        with world.database.transaction() as session:
            proposals.file_proposal(
                session,
                actor=world.actor("wendy"),
                at=world.clock.now(),
                catalog=world.catalog,
                kind="standard",
                title="Never filed",
                sponsor_slug="wg-trust-validation",
            )
            raise Abandoned

    with pytest.raises(Abandoned):
        file_then_fail()
    assert len(events(world)) == before
    assert deliveries(world, subscription_id) == []
    file(world, text="# Filed\n")
    new = events(world)[before:]
    assert [event.event_type for event in new] == ["proposal.filed", "revision.added"]
    seqs = [event.log_seq or 0 for event in new]
    assert seqs[1] == seqs[0] + 1
    assert len(deliveries(world, subscription_id)) == 2


def test_an_action_commits_when_the_endpoint_is_down_or_slow(world: World) -> None:
    down = subscribe(world, dead_url())
    with receiving(Receiver(delay=2)) as slow:
        slow_id = subscribe(world, slow.url)
        proposal_id = file(world, text="# Spec\n")
        take(world, proposal_id, "submit", "wendy")
        assert proposals_state(world, proposal_id) == "wg_review"
        started = time.monotonic()
        report = deliver(world, RetryPolicy(max_attempts=3, timeout=0.3))
        elapsed = time.monotonic() - started
    assert elapsed < 1.5, elapsed  # one attempt per delivery, each cut off by the timeout
    # Only the head of each queue was tried; both will be retried.
    assert (len(report.retrying), report.delivered) == (2, [])
    down_first = deliveries(world, down)[0]
    assert down_first.last_status_code is None
    assert "ConnectError" in down_first.last_error
    slow_first = deliveries(world, slow_id)[0]
    assert "Timeout" in slow_first.last_error


def proposals_state(world: World, proposal_id: int) -> str:
    with world.database.reader() as session:
        return proposals.get_proposal(session, proposal_id).state


def test_a_receiver_that_fails_twice_gets_it_on_the_third_attempt(world: World) -> None:
    with receiving(Receiver(statuses=[500, 503])) as receiver:
        subscription_id = subscribe(world, receiver.url, ("proposal.filed",))
        file(world)
        first = deliver(world)
        assert (len(first.retrying), statuses(world, subscription_id)) == (1, [("pending", 1)])
        [delivery] = deliveries(world, subscription_id)
        assert delivery.last_status_code == 500
        assert delivery.last_error == "the endpoint answered HTTP 500"
        # backoff: 1 s base, equal jitter, so between 0.5 and 1 s later
        wait = delivery.next_attempt_at - world.clock.now()
        assert timedelta(seconds=0.5) <= wait <= timedelta(seconds=1)
        assert deliver(world).attempted == 0  # not before the backoff
        world.clock.advance(PAST_BACKOFF)
        assert len(deliver(world).retrying) == 1
        [delivery] = deliveries(world, subscription_id)
        assert delivery.next_attempt_at - world.clock.now() >= timedelta(seconds=1)  # doubled
        world.clock.advance(PAST_BACKOFF)
        assert len(deliver(world).delivered) == 1
        received = receiver.received
    assert statuses(world, subscription_id) == [("delivered", 3)]
    assert len({request.event_id for request in received}) == 1
    assert len({request.delivery_id for request in received}) == 1
    assert all(request.signature_valid(SECRET) for request in received)


def test_a_dead_receiver_ends_failed_after_the_last_attempt(world: World) -> None:
    subscription_id = subscribe(world, dead_url(), ("proposal.filed",))
    file(world)
    for attempt in range(1, POLICY.max_attempts + 1):
        report = deliver(world)
        assert report.attempted == 1
        assert statuses(world, subscription_id)[0][1] == attempt
        world.clock.advance(PAST_BACKOFF)
    assert len(report.failed) == 1
    [delivery] = deliveries(world, subscription_id)
    assert (delivery.status, delivery.attempts, delivery.delivered_at) == ("failed", 3, None)
    world.clock.advance(timedelta(days=1))
    assert deliver(world).attempted == 0


def test_finished_deliveries_are_pruned_after_the_retention(world: World) -> None:
    def prune() -> int:
        return prune_finished(world.database, clock=world.clock, keep=timedelta(days=1))

    with receiving() as receiver:
        steady = subscribe(world, receiver.url, ("proposal.filed",))
        dead = subscribe(world, dead_url(), ("proposal.filed",))
        file(world, title="Old")
        deliver(world)  # steady: delivered; dead: waiting for its next attempt
        world.clock.advance(timedelta(days=2))
        assert prune() == 0  # an event is kept while any of its deliveries is pending
        for _ in range(POLICY.max_attempts):
            deliver(world)
            world.clock.advance(PAST_BACKOFF)
        [old_dead] = deliveries(world, dead)
        assert old_dead.status == "failed"
        file(world, title="Recent")
        deliver(world)
    assert prune() == 1  # the old event and both its deliveries; the recent one stays
    assert prune() == 0
    assert [d.status for d in deliveries(world, steady)] == ["delivered"]
    assert [d.status for d in deliveries(world, dead)] == ["pending"]
    assert [event.payload["payload"]["title"] for event in events(world)] == ["Recent"]
    with world.database.transaction() as session, pytest.raises(NotFound):
        webhook_subscriptions.redeliver(
            session, actor=world.admin, at=world.clock.now(), delivery_id=old_dead.id
        )


def test_events_reach_each_subscription_in_order(world: World) -> None:
    with receiving(Receiver(statuses=[500])) as flaky, receiving() as steady:
        flaky_id = subscribe(world, flaky.url)
        steady_id = subscribe(world, steady.url)
        proposal_id = file(world, text="# Spec\n")  # proposal.filed, revision.added
        take(world, proposal_id, "submit", "wendy")  # proposal.transitioned
        revise(world, proposal_id, "wendy", text="# Spec, revised\n")  # revision.added
        deliver(world)
        # The steady endpoint got all four; the flaky one's first failure holds the rest back.
        assert [r.headers["x-governance-event"] for r in steady.received] == [
            "proposal.filed",
            "revision.added",
            "proposal.transitioned",
            "revision.added",
        ]
        assert statuses(world, flaky_id) == [("pending", 1), *[("pending", 0)] * 3]
        world.clock.advance(PAST_BACKOFF)
        deliver(world)
        flaky_events = [request.event_id for request in flaky.received]
        steady_events = [request.event_id for request in steady.received]
    assert flaky_events == [steady_events[0], *steady_events]
    assert statuses(world, steady_id) == [("delivered", 1)] * 4
    assert statuses(world, flaky_id) == [("delivered", 2), *[("delivered", 1)] * 3]


def test_a_failed_delivery_no_longer_holds_the_queue(world: World) -> None:
    with receiving(Receiver(statuses=[500, 500, 500])) as receiver:
        subscription_id = subscribe(world, receiver.url)
        file(world, text="# Spec\n")
        for _ in range(3):
            deliver(world)
            world.clock.advance(PAST_BACKOFF)
    assert statuses(world, subscription_id) == [("failed", 3), ("delivered", 1)]


def test_two_workers_on_threads_deliver_each_event_exactly_once(world: World) -> None:
    with receiving(Receiver(delay=0.01)) as receiver:
        subscriptions = [subscribe(world, f"{receiver.url}/{n}") for n in range(3)]
        for n in range(4):
            file(world, text=f"# Spec {n}\n")
        expected = sum(len(deliveries(world, s)) for s in subscriptions)
        with ThreadPoolExecutor(max_workers=2) as pool:
            reports = list(pool.map(lambda _: deliver(world, batch_size=2), range(2)))
        received = receiver.received
    assert expected == 3 * 8
    delivered = reports[0].delivered + reports[1].delivered
    assert sorted(delivered) == sorted(set(delivered))
    assert len(delivered) == expected
    _assert_once_and_in_order(received, expected)
    for subscription_id in subscriptions:
        assert {status for status, _ in statuses(world, subscription_id)} == {"delivered"}
        assert {attempts for _, attempts in statuses(world, subscription_id)} == {1}


def _assert_once_and_in_order(received: list[Received], expected: int) -> None:
    keys = Counter((request.path, request.event_id) for request in received)
    assert len(keys) == expected
    assert set(keys.values()) == {1}, [key for key, count in keys.items() if count > 1]
    by_path: dict[str, list[int]] = {}
    for request in received:
        by_path.setdefault(request.path, []).append(request.event_id)
    for path, ids in by_path.items():
        assert ids == sorted(ids), path


@pytest.mark.slow
def test_two_worker_processes_deliver_each_event_exactly_once(
    world: World, database_url: str
) -> None:
    with receiving(Receiver(delay=0.01)) as receiver:
        subscriptions = [subscribe(world, f"{receiver.url}/{n}") for n in range(4)]
        for n in range(5):
            file(world, text=f"# Spec {n}\n")
        expected = sum(len(deliveries(world, s)) for s in subscriptions)
        at = world.clock.now().isoformat()
        start_at = time.time() + 2
        first, second = run_in_processes(
            deliver_at, [(database_url, at, start_at, 3), (database_url, at, start_at, 3)]
        )
        received = receiver.received
    assert expected == 4 * 10
    assert sorted(first + second) == sorted(set(first + second))
    assert len(first + second) == expected
    _assert_once_and_in_order(received, expected)


def test_a_claim_is_a_lease_and_a_stale_result_is_dropped(world: World) -> None:
    with receiving() as receiver:
        subscription_id = subscribe(world, receiver.url, ("proposal.filed",))
        file(world)
        # A worker claims the delivery and dies before recording anything.
        [lost] = world.database.run(
            lambda s: _claim(s, clock=world.clock, policy=POLICY, limit=5, skip=set())
        )
        assert deliver(world).attempted == 0  # leased: nobody else takes it
        world.clock.advance(POLICY.lease)
        assert len(deliver(world).delivered) == 1  # the lease ran out: taken over
        assert len(receiver.received) == 1
    # The dead worker's late result must not overwrite the one recorded.
    outcome = world.database.run(
        lambda s: _record(
            s,
            claim=lost,
            result=SendResult(500, "late"),
            clock=world.clock,
            policy=POLICY,
            rng=random.Random(1),
        )
    )
    assert outcome == "stale"
    assert statuses(world, subscription_id) == [("delivered", 2)]


def test_redelivery_sends_again_with_fresh_attempts(world: World) -> None:
    with receiving() as receiver:
        subscription_id = subscribe(world, receiver.url, ("proposal.filed",))
        file(world)
        deliver(world)
        [delivery] = deliveries(world, subscription_id)
        with world.database.transaction() as session:
            view = webhook_subscriptions.redeliver(
                session, actor=world.admin, at=world.clock.now(), delivery_id=delivery.id
            )
            assert (view.delivery.status, view.delivery.attempts) == ("pending", 0)
        with (
            pytest.raises(Conflict, match="already pending"),
            world.database.transaction() as session,
        ):
            webhook_subscriptions.redeliver(
                session, actor=world.admin, at=world.clock.now(), delivery_id=delivery.id
            )
        assert len(deliver(world).delivered) == 1
        received = receiver.received
    assert [r.event_id for r in received] == [received[0].event_id] * 2
    assert statuses(world, subscription_id) == [("delivered", 1)]
    with pytest.raises(PermissionDenied), world.database.transaction() as session:
        webhook_subscriptions.redeliver(
            session, actor=world.actor("wendy"), at=world.clock.now(), delivery_id=delivery.id
        )


def test_a_disabled_subscription_gets_nothing_more(world: World) -> None:
    with receiving() as receiver:
        subscription_id = subscribe(world, receiver.url, ("proposal.filed",))
        file(world)
        with world.database.transaction() as session:
            webhook_subscriptions.disable_subscription(
                session, actor=world.admin, at=world.clock.now(), subscription_id=subscription_id
            )
        file(world)
        assert deliver(world).attempted == 0
        assert receiver.received == []
    assert statuses(world, subscription_id) == [("pending", 0)]  # queued before, never sent
    with world.database.transaction() as session:
        again = webhook_subscriptions.disable_subscription(
            session, actor=world.admin, at=world.clock.now(), subscription_id=subscription_id
        )
        assert again.active is False
        entries = session.scalars(select(LogEntry).where(LogEntry.action == "webhook.disabled"))
        assert len(list(entries)) == 1
        with pytest.raises(Conflict, match="disabled"):
            webhook_subscriptions.redeliver(
                session,
                actor=world.admin,
                at=world.clock.now(),
                delivery_id=deliveries(world, subscription_id)[0].id,
            )


def test_an_enabled_subscription_sends_what_was_pending_and_then_new_events(
    world: World,
) -> None:
    def set_active(active: bool, by: str | None = None) -> None:
        change = (
            webhook_subscriptions.enable_subscription
            if active
            else webhook_subscriptions.disable_subscription
        )
        actor = world.admin if by is None else world.actor(by)
        with world.database.transaction() as session:
            change(session, actor=actor, at=world.clock.now(), subscription_id=subscription_id)

    with receiving() as receiver:
        subscription_id = subscribe(world, receiver.url, ("proposal.filed",))
        first = file(world, title="Queued before")
        set_active(False)
        file(world, title="Filed while disabled")  # never queued for this webhook
        with pytest.raises(PermissionDenied):
            set_active(True, by="wendy")
        set_active(True)
        set_active(True)  # enabling twice changes nothing
        third = file(world, title="Filed after")
        assert deliver(world).attempted == 2
        sent = [request.document["data"]["proposal_id"] for request in receiver.received]
    assert sent == [first, third]  # oldest first; nothing from the disabled spell
    assert statuses(world, subscription_id) == [("delivered", 1), ("delivered", 1)]
    with world.database.reader() as session:
        actions = session.scalars(
            select(LogEntry.action)
            .where(LogEntry.action.in_(["webhook.disabled", "webhook.enabled"]))
            .order_by(LogEntry.seq)
        ).all()
    assert actions == ["webhook.disabled", "webhook.enabled"]


def guideline_with_secret_iesg_ballot() -> WorkflowCatalog:
    [guideline] = [d for d in load_bundled() if d.name == "guideline"]
    data = copy.deepcopy(guideline.to_dict())
    data["states"]["wg_review"]["ballot"]["rule"] = {"preset": "iesg", "secret": True}
    secret = WorkflowDefinition.from_dict(data, source="secret guideline")
    return WorkflowCatalog([*(d for d in load_bundled() if d.name != "guideline"), secret])


def test_secret_ballot_choices_never_appear_in_webhook_payloads(database: Database) -> None:
    world = build_world(database, catalog=guideline_with_secret_iesg_ballot())
    rationale = "MY-PRIVATE-REASONS-FOR-DISCUSS"
    with receiving() as receiver:
        subscribe(world, receiver.url, ("*",))
        proposal_id = file(world, kind="guideline", text="# G\n")
        take(world, proposal_id, "submit", "wendy")
        ballot_id = open_ballot(world, proposal_id, "wendy")
        vote(world, ballot_id, "will", "discuss", rationale=rationale)
        vote(world, ballot_id, "wren", "yes")
        vote(world, ballot_id, "wren", "no_objection")
        world.clock.advance(timedelta(days=15))
        assert tick(world.database, clock=world.clock, catalog=world.catalog).closed == [ballot_id]
        deliver(world, limit=1000)
        received = receiver.received
    everything = b"\n".join(request.body for request in received)
    everything += b"\n".join(json.dumps(e.payload).encode() for e in events(world))
    assert rationale.encode() not in everything
    by_type = {r.headers["x-governance-event"]: r.document["data"] for r in received}
    for request in received:
        document = request.document["data"]
        if request.headers["x-governance-event"] in ("vote.cast", "vote.changed"):
            assert document["redacted"] is True
            assert not {"choice", "rationale", "previous"} & set(document["payload"])
            assert document["payload"]["voter_id"] in (
                world.person_ids["will"],
                world.person_ids["wren"],
            )
    closed = by_type["ballot.closed"]
    assert closed["redacted"] is True
    tally = closed["payload"]["tally"]
    assert tally["standing_block_count"] == 1
    # numbers only: nothing that names a voter (standing_blocks, lines, missing)
    assert set(tally) <= {
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
        "standing_block_count",
    }
    # The decision log itself keeps everything, for auditors.
    with world.database.reader() as session:
        cast = session.scalars(select(LogEntry).where(LogEntry.action == "vote.cast")).first()
        assert cast is not None
        assert cast.payload["rationale"] == rationale
        assert log_writer.verify(session).ok


def test_registration_is_validated_and_the_secret_kept_out_of_the_log(world: World) -> None:
    def create(**fields: object) -> webhook_subscriptions.NewSubscription:
        arguments: dict[str, object] = {"url": "https://hooks.example.org/x?token=abc"}
        arguments["event_types"] = ["ballot.*"]
        arguments.update(fields)
        with world.database.transaction() as session:
            return webhook_subscriptions.create_subscription(
                session,
                actor=world.admin,
                at=world.clock.now(),
                **arguments,  # type: ignore[arg-type]
            )

    for url in ("ftp://example.org/", "https://", "not a url", "https://u:p@example.org/"):
        with pytest.raises(InvalidInput) as refused:
            create(url=url)
        assert refused.value.details["field"] == "url"
    for types in ([], ["nope"], ["ballot.nope"], ["nope.*"]):
        with pytest.raises(InvalidInput, match="event type"):
            create(event_types=types)
    with pytest.raises(InvalidInput, match="secret"):
        create(secret="short")
    with pytest.raises(PermissionDenied), world.database.transaction() as session:
        webhook_subscriptions.create_subscription(
            session,
            actor=world.actor("wendy"),
            at=world.clock.now(),
            url="https://example.org/",
            event_types=["*"],
        )
    new = create(event_types=["vote.cast", "ballot.*", "vote.cast"])
    assert new.secret.startswith("whsec_")
    assert new.subscription.event_types == ["ballot.*", "vote.cast"]
    assert create(event_types=["*", "ballot.*"]).subscription.event_types == ["*"]
    with world.database.reader() as session:
        [entry, _] = session.scalars(
            select(LogEntry).where(LogEntry.action == "webhook.created").order_by(LogEntry.seq)
        )
        stored = session.get(WebhookSubscription, new.subscription.id)
        assert stored is not None
    assert entry.payload == {
        "origin": "https://hooks.example.org",
        "event_types": ["ballot.*", "vote.cast"],
    }
    assert new.secret not in json.dumps(entry.payload)
    assert stored.secret == new.secret  # kept to sign with


@pytest.mark.parametrize(
    ("wanted", "event_type", "expected"),
    [
        (["*"], "vote.cast", True),
        (["vote.*"], "vote.cast", True),
        (["vote.*"], "ballot.closed", False),
        (["ballot.closed"], "ballot.closed", True),
        (["ballot.closed"], "ballot.cancelled", False),
        ([], "ballot.closed", False),
    ],
)
def test_event_type_matching(wanted: list[str], event_type: str, expected: bool) -> None:
    assert matches(wanted, event_type) is expected


def test_every_logged_action_is_a_known_event_type() -> None:
    """A new log action needs a line in ``EVENT_TYPES`` so webhooks may subscribe to it."""
    literal = re.compile(r'action="([a-z_]+\.[a-z_]+)"')
    found = {TIMER_REFUSED, REMINDER}
    for path in SOURCE.rglob("*.py"):
        found |= set(literal.findall(path.read_text()))
    assert "proposal.filed" in found
    missing = found - webhook_subscriptions.EVENT_TYPES
    assert not missing, f"add these to webhook_subscriptions.EVENT_TYPES: {sorted(missing)}"
