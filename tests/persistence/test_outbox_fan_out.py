"""Every append fans its event out to the webhook subscriptions current at that moment.

Appends reuse the subscriptions they last read while the log head's ``subscriptions_tag``
stays the same; triggers move the tag on every subscription change. These tests change
subscriptions behind a process's back (through another engine, or in a transaction that
rolls back) and check that the next append still fans out to exactly the right ones.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from testkit.log import AT, append_entry
from testkit.world import build_world

from governance_engine.persistence.database import Database
from governance_engine.persistence.models import (
    LogHead,
    OutboxEvent,
    WebhookDelivery,
    WebhookSubscription,
)


@pytest.fixture
def admin_id(database: Database) -> int:
    person_id = build_world(database).admin.person_id
    assert person_id is not None
    return person_id


def subscribe(database: Database, event_types: list[str], admin_id: int) -> int:
    with database.transaction() as session:
        subscription = WebhookSubscription(
            url="https://hooks.example.org/governance",
            secret="s" * 32,
            event_types=event_types,
            active=True,
            created_by_id=admin_id,
            created_at=AT,
        )
        session.add(subscription)
        session.flush()
        return subscription.id


def append(database: Database, action: str) -> None:
    with database.transaction() as session:
        append_entry(session, action=action)


def deliveries(database: Database) -> dict[int, int]:
    """Deliveries per subscription id."""
    with database.reader() as session:
        rows = session.execute(
            select(WebhookDelivery.subscription_id, func.count()).group_by(
                WebhookDelivery.subscription_id
            )
        )
        return {int(subscription_id): int(count) for subscription_id, count in rows}


def tag(database: Database) -> int:
    with database.reader() as session:
        return int(session.scalars(select(LogHead.subscriptions_tag)).one())


def test_every_kind_of_subscription_change_moves_the_tag(database: Database, admin_id: int) -> None:
    seen = {tag(database)}
    subscription_id = subscribe(database, ["*"], admin_id)
    seen.add(tag(database))
    with database.transaction() as session:
        session.execute(
            update(WebhookSubscription)
            .where(WebhookSubscription.id == subscription_id)
            .values(active=False)
        )
    seen.add(tag(database))
    with database.transaction() as session:
        session.delete(session.get(WebhookSubscription, subscription_id))
    seen.add(tag(database))
    assert len(seen) == 4


def test_a_change_made_through_another_engine_reaches_the_next_append(
    database: Database, database_url: str, admin_id: int
) -> None:
    append(database, "proposal.filed")  # this engine has now read "no subscriptions"
    other = Database(database_url)  # another process, as far as caches go
    try:
        wanted = subscribe(other, ["proposal.*"], admin_id)
        append(database, "proposal.filed")
        assert deliveries(database) == {wanted: 1}
        with other.transaction() as session:
            session.execute(
                update(WebhookSubscription)
                .where(WebhookSubscription.id == wanted)
                .values(active=False)
            )
        append(database, "proposal.filed")
        assert deliveries(database) == {wanted: 1}
    finally:
        other.dispose()


def test_a_rolled_back_subscription_never_receives_later_events(
    database: Database, admin_id: int
) -> None:
    def subscribe_append_and_fail() -> None:
        with database.transaction() as session:
            session.add(
                WebhookSubscription(
                    url="https://hooks.example.org/rolled-back",
                    secret="r" * 32,
                    event_types=["vote.*"],
                    active=True,
                    created_by_id=admin_id,
                    created_at=AT,
                )
            )
            session.flush()
            # This append reads the uncommitted subscription under the uncommitted tag.
            append_entry(session, action="vote.cast")
            raise RuntimeError("the unit of work fails after its append")

    with pytest.raises(RuntimeError, match="fails after its append"):
        subscribe_append_and_fail()
    assert deliveries(database) == {}
    committed = subscribe(database, ["proposal.*"], admin_id)
    append(database, "vote.cast")
    assert deliveries(database) == {}
    append(database, "proposal.revised")
    assert deliveries(database) == {committed: 1}


def test_an_event_nobody_wants_is_not_stored(database: Database, admin_id: int) -> None:
    append(database, "proposal.filed")
    subscribe(database, ["ballot.*"], admin_id)
    append(database, "proposal.filed")
    append(database, "ballot.opened")
    with database.reader() as session:
        stored = session.scalars(select(OutboxEvent.event_type)).all()
    assert stored == ["ballot.opened"]
