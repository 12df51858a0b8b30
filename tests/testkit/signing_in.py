"""Real servers for the sign-in tests: node-oidc-provider (tests/oidc), an aiosmtpd inbox,
and the app itself under uvicorn in a thread (so the provider's redirects reach it).

Node.js and npm are the machine's; ``tests/oidc/node_modules`` is installed with ``npm ci``
on first use when missing (``.ci/run`` installs it up front). Without node or npm the tests
are skipped, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from sqlalchemy import select

from api.app import create_app
from governance_engine.config import Settings
from governance_engine.persistence.models import LogEntry, Person
from testkit.cli import free_port
from testkit.http import issue_tokens
from testkit.world import World

OIDC_DIR = Path(__file__).resolve().parents[1] / "oidc"
CLIENT_ID = "governance-engine"
CLIENT_SECRET = "test-client-secret-0123456789"  # the provider's, made for this test only
_install_lock = threading.Lock()


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"the sign-in tests cannot run in CI: {reason}")
    pytest.skip(reason)


def ensure_provider_installed() -> None:
    """``npm ci`` into tests/oidc/node_modules unless oidc-provider is already there."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        unavailable("node and npm are needed for the OpenID provider (tests/oidc)")
    with _install_lock:
        if (OIDC_DIR / "node_modules" / "oidc-provider" / "package.json").exists():
            return
        done = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=OIDC_DIR,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            unavailable(f"npm ci in {OIDC_DIR} failed:\n{done.stderr[-2000:]}")


@dataclass
class OidcProvider:
    issuer: str
    process: subprocess.Popen[bytes]

    def login_as(self, sub: str, email: str = "", *, verified: bool = True) -> None:
        """Who the provider signs in next (its interaction logs this account in)."""
        params = {"sub": sub, "email": email, "email_verified": str(verified).lower()}
        response = httpx.get(f"{self.issuer}/__login", params=params, timeout=5)
        response.raise_for_status()


@contextmanager
def oidc_provider(
    redirect_uris: list[str], tmp_path: Path, port: int | None = None
) -> Iterator[OidcProvider]:
    ensure_provider_installed()
    port = port or free_port()
    issuer = f"http://127.0.0.1:{port}"
    clients = [
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": redirect_uris}
    ]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "OIDC_PORT": str(port),
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENTS": json.dumps(clients),
    }
    log = (tmp_path / "oidc-provider.log").open("wb")
    process = subprocess.Popen(
        ["node", str(OIDC_DIR / "provider.mjs")],
        cwd=OIDC_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                text = (tmp_path / "oidc-provider.log").read_text()
                raise AssertionError(f"the OpenID provider exited:\n{text}")
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).is_success:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("the OpenID provider did not start within 30 s")
            time.sleep(0.1)
        yield OidcProvider(issuer, process)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def provider_env(name: str, issuer: str) -> dict[str, str]:
    """The settings that configure the provider as ``name`` (the several-providers form)."""
    prefix = f"GOVERNANCE_OIDC_{name.upper()}_"
    return {
        "GOVERNANCE_OIDC_PROVIDERS": name,
        prefix + "ISSUER": issuer,
        prefix + "CLIENT_ID": CLIENT_ID,
        prefix + "CLIENT_SECRET": CLIENT_SECRET,
        prefix + "LABEL": "Test Provider",
    }


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps every mail it accepts."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        content = envelope.content
        assert isinstance(content, bytes)
        message = BytesParser(policy=default).parsebytes(content)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"

    def wait_for(self, to: str, count: int = 1, timeout: float = 10) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.messages if to in str(m["To"])]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no mail to {to} within {timeout} s: {self.messages}")

    @staticmethod
    def link_in(message: EmailMessage) -> str:
        body = message.get_body(("plain",))
        assert body is not None
        found = re.search(r"https?://\S+", body.get_content())
        assert found is not None, body.get_content()
        return found.group(0)


@contextmanager
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@contextmanager
def live_app(app: Any, port: int) -> Iterator[str]:
    """The app served by uvicorn on loopback, in a thread of this process."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise AssertionError("the app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@dataclass
class Site:
    url: str
    provider: OidcProvider
    inbox: Inbox
    tokens: dict[str, str]
    world: World

    def browser(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=True, timeout=20)

    def api(self, method: str, path: str, who: str = "admin", **kwargs: object) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return httpx.request(method, self.url + path, headers=headers, timeout=20, **kwargs)  # type: ignore[arg-type]

    def person(self, name: str) -> Person:
        with self.world.database.reader() as session:
            person = session.get(Person, self.world.person_ids[name])
            assert person is not None
            return person

    def actions(self, action: str) -> list[LogEntry]:
        with self.world.database.reader() as session:
            return list(session.scalars(select(LogEntry).where(LogEntry.action == action)))


def site_settings(world: World, database_url: str, tmp_path: Path, **extra: str) -> Settings:
    return Settings.from_env(
        {
            "GOVERNANCE_DATABASE_URL": database_url,
            "GOVERNANCE_TICK_INTERVAL": "0",
            "GOVERNANCE_CHECKPOINT_INTERVAL": "0",
            "GOVERNANCE_DELIVERY_INTERVAL": "0",
            "GOVERNANCE_SIGNING_KEY": str(tmp_path / "keys" / "signing.pem"),
            **extra,
        }
    )


@contextmanager
def running_site(world: World, database_url: str, tmp_path: Path, **extra: str) -> Iterator[Site]:
    """The app (with the provider as ``test`` and e-mail on), a provider, and an inbox."""
    port = free_port()
    callback = f"http://127.0.0.1:{port}/sign-in/oidc/test/callback"
    with oidc_provider([callback], tmp_path) as provider, smtp_inbox() as (inbox, smtp_port):
        settings = site_settings(
            world,
            database_url,
            tmp_path,
            GOVERNANCE_SMTP_HOST="127.0.0.1",
            GOVERNANCE_SMTP_PORT=str(smtp_port),
            **provider_env("test", provider.issuer),
            **extra,
        )
        app = create_app(settings, clock=world.clock)
        with live_app(app, port) as url:
            app.state.catalog = world.catalog
            yield Site(url, provider, inbox, issue_tokens(world), world)
