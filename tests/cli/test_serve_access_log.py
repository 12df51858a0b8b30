"""``serve`` logs a line per request only when asked to (``--access-log``)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from testkit.server import running_server, serve_env


@pytest.mark.slow
@pytest.mark.parametrize("asked", [False, True])
def test_the_access_log_is_written_only_with_the_flag(tmp_path: Path, asked: bool) -> None:
    env = serve_env(f"sqlite:///{tmp_path / 'g.db'}", tmp_path / "key.pem", tick_interval=0)
    args = ("--access-log",) if asked else ()
    with running_server(env, tmp_path, args=args) as server:
        assert httpx.get(f"{server.url}/openapi.json", timeout=10).status_code == 200
    logged = '"GET /openapi.json HTTP/1.1" 200' in server.output()
    assert logged is asked
