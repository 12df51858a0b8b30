"""Settings, read from the environment once at start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from governance_engine.errors import ConfigurationError
from governance_engine.signing import DEFAULT_KEY_PATH, key_path

DEFAULT_DATABASE_URL = "sqlite:///governance.db"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    # Seconds between periodic `tick` runs inside `serve`; 0 turns the timer off.
    tick_interval: float = 30.0
    # Seconds between signed log checkpoints inside `serve`; 0 turns them off.
    checkpoint_interval: float = 3600.0
    # The Ed25519 key that signs checkpoints (PEM); made on first use if missing.
    signing_key_path: Path = DEFAULT_KEY_PATH

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            database_url=env.get("GOVERNANCE_DATABASE_URL", DEFAULT_DATABASE_URL),
            tick_interval=_seconds(env, "GOVERNANCE_TICK_INTERVAL", 30.0),
            checkpoint_interval=_seconds(env, "GOVERNANCE_CHECKPOINT_INTERVAL", 3600.0),
            signing_key_path=key_path(dict(env)),
        )


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number of seconds, not {raw!r}") from None
    if value < 0:
        raise ConfigurationError(f"{name} must not be negative, got {raw!r}")
    return value
