"""Run the installed console script as a user would, in a directory and environment we choose."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path


def console_script() -> str:
    found = shutil.which("governance-engine", path=str(Path(sys.executable).parent))
    assert found, "the governance-engine console script is not installed"
    return found


def run_cli(
    *args: str,
    cwd: Path,
    database_url: str | None = None,
    timeout: float = 60,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVERNANCE_")}
    if database_url is not None:
        env["GOVERNANCE_DATABASE_URL"] = database_url
    env.update(extra_env or {})
    return subprocess.run(
        [console_script(), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
