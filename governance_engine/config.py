"""Settings, read from the environment once at start."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from governance_engine.config_access import AccessSettings, access_from_env
from governance_engine.errors import ConfigurationError
from governance_engine.signing import DEFAULT_KEY_PATH, key_path

DEFAULT_DATABASE_URL = "sqlite:///governance.db"
ISOLATION_LEVELS = ("read_committed", "serializable")


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    # PostgreSQL isolation for every unit of work: "read_committed" (with row locks) or
    # "serializable" (conflicts are re-run transparently).
    isolation: str = "read_committed"
    # Attempts a unit of work gets when it keeps losing to concurrent ones (serialization
    # failures, deadlocks, a locked SQLite file) before the request is answered 503 try-again.
    db_retry_attempts: int = 6
    # Seconds between periodic `tick` runs inside `serve`; 0 turns the timer off.
    tick_interval: float = 30.0
    # Seconds between signed log checkpoints inside `serve`; 0 turns them off.
    checkpoint_interval: float = 3600.0
    # The Ed25519 key that signs checkpoints (PEM); made on first use if missing.
    signing_key_path: Path = DEFAULT_KEY_PATH
    # Hours before a ballot's deadline when voters who have not voted get one reminder.
    reminder_window_hours: float = 24.0
    # Seconds between webhook delivery passes inside `serve`; 0 turns the worker off.
    delivery_interval: float = 5.0
    # Webhook retries: attempts before a delivery is marked failed, and the exponential
    # backoff between them (base doubled per attempt, capped, with jitter), in seconds.
    webhook_max_attempts: int = 8
    webhook_backoff_base: float = 30.0
    webhook_backoff_cap: float = 3600.0
    # Seconds an endpoint gets to answer (connect, send, first byte, each) before it failed.
    webhook_timeout: float = 5.0
    # Days that delivered and failed webhook deliveries (and their events) are kept before
    # the delivery worker deletes them; 0 keeps them forever.
    webhook_retention_days: float = 30.0
    # Whether webhooks may be sent to loopback, private and link-local addresses.
    webhook_allow_private: bool = False
    # Email for notifications (reminders): off unless an SMTP host is named.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_from: str = "governance-engine@localhost"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    # The operator's workflow files (*.yaml, *.yml), loaded beside the bundled ones; a file
    # whose workflow has the name of a bundled one replaces it. None: the bundled ones only.
    workflows_dir: Path | None = None
    # Signing in (OpenID providers, links) and rate limits: see config_access.
    access: AccessSettings = field(default_factory=AccessSettings)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            database_url=env.get("GOVERNANCE_DATABASE_URL", DEFAULT_DATABASE_URL),
            isolation=isolation_level(env),
            db_retry_attempts=_attempts(env, "GOVERNANCE_DB_RETRY_ATTEMPTS", 6),
            tick_interval=_seconds(env, "GOVERNANCE_TICK_INTERVAL", 30.0),
            checkpoint_interval=_seconds(env, "GOVERNANCE_CHECKPOINT_INTERVAL", 3600.0),
            signing_key_path=key_path(dict(env)),
            reminder_window_hours=_number(env, "GOVERNANCE_REMINDER_WINDOW", 24.0, "hours"),
            delivery_interval=_seconds(env, "GOVERNANCE_DELIVERY_INTERVAL", 5.0),
            webhook_max_attempts=_attempts(env, "GOVERNANCE_WEBHOOK_MAX_ATTEMPTS", 8),
            webhook_backoff_base=_seconds(env, "GOVERNANCE_WEBHOOK_BACKOFF_BASE", 30.0),
            webhook_backoff_cap=_seconds(env, "GOVERNANCE_WEBHOOK_BACKOFF_CAP", 3600.0),
            webhook_timeout=_positive(env, "GOVERNANCE_WEBHOOK_TIMEOUT", 5.0),
            webhook_retention_days=_number(env, "GOVERNANCE_WEBHOOK_RETENTION", 30.0, "days"),
            webhook_allow_private=_flag(env, "GOVERNANCE_WEBHOOK_ALLOW_PRIVATE", default=False),
            smtp_host=env.get("GOVERNANCE_SMTP_HOST", "").strip(),
            smtp_port=_port(env, "GOVERNANCE_SMTP_PORT", 25),
            smtp_from=env.get("GOVERNANCE_SMTP_FROM", "").strip() or "governance-engine@localhost",
            smtp_username=env.get("GOVERNANCE_SMTP_USERNAME", ""),
            smtp_password=env.get("GOVERNANCE_SMTP_PASSWORD", ""),
            smtp_starttls=_flag(env, "GOVERNANCE_SMTP_STARTTLS", default=False),
            workflows_dir=workflows_dir(env),
            access=access_from_env(env),
        )


def isolation_level(environ: Mapping[str, str] | None = None) -> str:
    """``GOVERNANCE_DB_ISOLATION``, checked: every command refuses a value it would not run at.

    ``read_committed`` (the default) or ``serializable``; case and surrounding spaces do not
    matter. Anything else (``repeatable_read`` too) is a ConfigurationError naming the choices.
    """
    env = os.environ if environ is None else environ
    raw = env.get("GOVERNANCE_DB_ISOLATION", "")
    value = raw.strip().lower()
    if value == "":
        return "read_committed"
    if value not in ISOLATION_LEVELS:
        raise ConfigurationError(
            f"GOVERNANCE_DB_ISOLATION must be {' or '.join(ISOLATION_LEVELS)}, not {raw!r}"
        )
    return value


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    return _number(env, name, default, "seconds")


def _number(env: Mapping[str, str], name: str, default: float, unit: str) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number of {unit}, not {raw!r}") from None
    if not math.isfinite(value):
        raise ConfigurationError(f"{name} must be a finite number of {unit}, not {raw!r}")
    if value < 0:
        raise ConfigurationError(f"{name} must not be negative, got {raw!r}")
    return value


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    value = _seconds(env, name, default)
    if value == 0:
        raise ConfigurationError(f"{name} must be more than 0 seconds")
    return value


def _attempts(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if not raw.strip().isdigit() or not 1 <= int(raw) <= 100:
        raise ConfigurationError(f"{name} must be a whole number from 1 to 100, not {raw!r}")
    return int(raw)


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if not raw.strip().isdigit() or not 1 <= int(raw) <= 65535:
        raise ConfigurationError(f"{name} must be a port number from 1 to 65535, not {raw!r}")
    return int(raw)


def _flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{name} must be true or false, not {raw!r}")


WORKFLOWS_DIR_VARIABLE = "GOVERNANCE_WORKFLOWS_DIR"


def workflows_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """``GOVERNANCE_WORKFLOWS_DIR``, or None when unset or empty."""
    env = os.environ if environ is None else environ
    raw = env.get(WORKFLOWS_DIR_VARIABLE, "").strip()
    return Path(raw).expanduser() if raw else None
