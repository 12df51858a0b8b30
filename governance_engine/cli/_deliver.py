"""``governance-engine deliver``: one pass of webhook deliveries (and notification emails).

Sends every delivery that is due now, in event order per endpoint, and records each
result; safe to run in several processes at once and alongside ``serve``. Retry policy and
timeouts come from the ``GOVERNANCE_WEBHOOK_*`` settings. With ``GOVERNANCE_SMTP_HOST`` set,
new notifications are emailed too.
"""

from __future__ import annotations

import argparse

from governance_engine.cli._common import Commands, open_database
from governance_engine.clock import SystemClock
from governance_engine.config import Settings


def register(commands: Commands) -> None:
    command = commands.add_parser(
        "deliver",
        help="send the webhook deliveries that are due now (one pass; safe in several "
        "processes at once)",
        description="Send every webhook delivery that is due now, once, and record the "
        "results. Failed attempts are retried by later passes with exponential backoff.",
    )
    command.add_argument(
        "--limit",
        type=int,
        default=500,
        help="attempt at most this many deliveries in this pass (default: 500)",
    )
    command.set_defaults(handler=_deliver)


def _deliver(args: argparse.Namespace) -> int:
    from governance_engine.persistence.webhook_sender import HttpSender
    from governance_engine.services import notifications, webhooks
    from governance_engine.services.webhooks import RetryPolicy, deliver_due

    if args.limit < 1:
        raise SystemExit("governance-engine: error: --limit must be at least 1")
    settings = Settings.from_env()
    database = open_database()
    try:
        report = deliver_due(
            database,
            clock=SystemClock(),
            sender=HttpSender(
                timeout=settings.webhook_timeout,
                allow_private=settings.webhook_allow_private,
            ),
            policy=RetryPolicy.from_settings(settings),
            limit=args.limit,
        )
        keep = webhooks.retention(settings)
        pruned = (
            webhooks.prune_finished(database, clock=SystemClock(), keep=keep)
            if keep is not None
            else 0
        )
        mailer = notifications.mailer_from(settings)
        emails = (
            notifications.email_notifications(database, clock=SystemClock(), mailer=mailer)
            if mailer is not None
            else None
        )
    finally:
        database.dispose()
    print(report.describe())
    if pruned:
        print(f"pruned {pruned} finished webhook events older than the retention")
    if emails is not None:
        print(emails.describe())
    return 0
