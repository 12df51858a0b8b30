"""``governance-engine deliver``, and deliveries inside ``serve``, against a real endpoint."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update
from testkit.cli import console_script, free_port, run_cli
from testkit.drive import file
from testkit.receiver import Receiver, dead_url, receiving
from testkit.world import build_world

from governance_engine.persistence.database import Database
from governance_engine.persistence.models import WebhookDelivery
from governance_engine.services import webhook_subscriptions

SECRET = "whsec_Y2xpLXRlc3Qtc2VjcmV0LTAxMjM0NTY3ODkwMTIzNDU="
LOOPBACK = {"GOVERNANCE_WEBHOOK_ALLOW_PRIVATE": "true"}  # the test receivers listen on 127.0.0.1


def _last_errors(database_url: str) -> list[str]:
    database = Database(database_url)
    try:
        with database.reader() as session:
            statement = select(WebhookDelivery.last_error).order_by(WebhookDelivery.event_id)
            return list(session.scalars(statement))
    finally:
        database.dispose()


def _make_all_due(database_url: str) -> None:
    database = Database(database_url)
    try:
        with database.transaction() as session:
            session.execute(
                update(WebhookDelivery).values(next_attempt_at=datetime(2000, 1, 1, tzinfo=UTC))
            )
    finally:
        database.dispose()


def _subscribed_world(database_url: str, url: str) -> None:
    """The test world (clock in March 2026, so its events are due now) with one webhook."""
    database = Database(database_url)
    try:
        world = build_world(database)
        with database.transaction() as session:
            webhook_subscriptions.create_subscription(
                session,
                actor=world.admin,
                at=world.clock.now(),
                url=url,
                event_types=["proposal.filed"],
                secret=SECRET,
            )
        file(world, text="# Spec\n")
        file(world, text="# Another\n")
    finally:
        database.dispose()


def test_deliver_sends_what_is_due_once(database_url: str, tmp_path: Path) -> None:
    with receiving() as receiver:
        _subscribed_world(database_url, receiver.url)
        refused = run_cli("deliver", cwd=tmp_path, database_url=database_url)
        # A loopback endpoint is refused by default, without a request being made.
        assert "0 delivered, 1 to retry, 0 failed" in refused.stdout  # the second waits
        assert receiver.received == []
        [error, _] = _last_errors(database_url)
        assert "not a public address" in error
        assert "GOVERNANCE_WEBHOOK_ALLOW_PRIVATE" in error
        _make_all_due(database_url)
        first = run_cli("deliver", cwd=tmp_path, database_url=database_url, extra_env=LOOPBACK)
        assert first.returncode == 0, first.stderr
        assert "2 delivered, 0 to retry, 0 failed" in first.stdout
        # The world's events date from March 2026, beyond the default 30 days' retention.
        assert "pruned 2 finished webhook events" in first.stdout
        second = run_cli("deliver", cwd=tmp_path, database_url=database_url, extra_env=LOOPBACK)
        assert "0 delivered" in second.stdout
        received = receiver.received
    assert len(received) == 2
    assert all(request.signature_valid(SECRET) for request in received)
    assert [r.event_id for r in received] == sorted(r.event_id for r in received)


def test_deliver_reports_failures_and_honours_the_settings(
    database_url: str, tmp_path: Path
) -> None:
    _subscribed_world(database_url, dead_url())
    result = run_cli(
        "deliver",
        cwd=tmp_path,
        database_url=database_url,
        extra_env={"GOVERNANCE_WEBHOOK_MAX_ATTEMPTS": "1", "GOVERNANCE_WEBHOOK_RETENTION": "0"},
    )
    assert result.returncode == 0, result.stderr
    # One endpoint, in order: the first event failed for good, so the second went next.
    assert "0 delivered, 0 to retry, 2 failed" in result.stdout
    assert "pruned" not in result.stdout  # retention 0 keeps everything
    bad = run_cli(
        "deliver",
        cwd=tmp_path,
        database_url=database_url,
        extra_env={"GOVERNANCE_WEBHOOK_RETENTION": "a month"},
    )
    assert bad.returncode != 0
    assert "GOVERNANCE_WEBHOOK_RETENTION must be a number of days" in bad.stderr


def test_deliver_errors_are_one_line(database_url: str, tmp_path: Path) -> None:
    bad = run_cli(
        "deliver",
        cwd=tmp_path,
        database_url=database_url,
        extra_env={"GOVERNANCE_WEBHOOK_TIMEOUT": "soon"},
    )
    assert bad.returncode != 0
    assert "Traceback" not in bad.stderr
    assert "GOVERNANCE_WEBHOOK_TIMEOUT" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    help_text = run_cli("deliver", "--help", cwd=tmp_path)
    assert help_text.returncode == 0
    assert "webhook" in help_text.stdout


@pytest.mark.slow
def test_serve_delivers_periodically(database_url: str, tmp_path: Path) -> None:
    with receiving(Receiver()) as receiver:
        _subscribed_world(database_url, receiver.url)
        port = free_port()
        output = (tmp_path / "serve.log").open("w")
        process = subprocess.Popen(
            [console_script(), "serve", "--port", str(port)],
            cwd=tmp_path,
            env={
                "PATH": "/usr/bin:/bin",
                "GOVERNANCE_DATABASE_URL": database_url,
                "GOVERNANCE_TICK_INTERVAL": "0",
                "GOVERNANCE_DELIVERY_INTERVAL": "0.3",
                "GOVERNANCE_WEBHOOK_ALLOW_PRIVATE": "true",  # the receiver is on loopback
            },
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            received = receiver.wait_for(2, timeout=30)
        finally:
            process.terminate()
            process.wait(timeout=15)
            output.close()
    assert len(received) == 2
    assert all(request.signature_valid(SECRET) for request in received)
