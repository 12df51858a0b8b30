"""The web pages as a person's browser sees them, in process: sign-in, forms with CSRF."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx2
from fastapi.testclient import TestClient

from testkit.drive import file, open_ballot, revise, take, vote
from testkit.http import Api
from testkit.world import World

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '" onmouseover="alert(1)'
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_ATTRIBUTE = "&#34; onmouseover=&#34;alert(1)"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]*)"')


@dataclass
class Browser:
    """One person's browser: a client with its own cookie jar."""

    client: TestClient
    csrf: str = ""

    def get(self, path: str, **kwargs: Any) -> httpx2.Response:
        return self.client.get(path, follow_redirects=False, **kwargs)

    def post(self, path: str, data: dict[str, str], **kwargs: Any) -> httpx2.Response:
        return self.client.post(path, data=data, follow_redirects=False, **kwargs)

    def submit(self, path: str, data: dict[str, str] | None = None) -> httpx2.Response:
        """Post a form as the page would: with this session's CSRF token."""
        return self.post(path, {"csrf_token": self.csrf, **(data or {})})

    def sign_in(self, token: str, next_path: str = "/") -> httpx2.Response:
        form = self.get("/sign-in")
        match = CSRF_FIELD.search(form.text)
        assert match, form.text
        response = self.post(
            "/sign-in", {"csrf_token": match.group(1), "token": token, "next": next_path}
        )
        if response.status_code == 303:
            page = self.get("/")
            found = CSRF_FIELD.search(page.text)
            self.csrf = found.group(1) if found else ""
        return response


@dataclass
class Site:
    """The app served in process, with a token per person of the test world."""

    api: Api
    world: World
    app: Any

    def browser(self, who: str | None = None, *, https: bool = False) -> Browser:
        base = "https://testserver" if https else "http://testserver"
        browser = Browser(TestClient(self.app, base_url=base))
        if who is not None:
            response = browser.sign_in(self.api.tokens[who])
            assert response.status_code == 303, response.text
        return browser


def location(response: httpx2.Response) -> str:
    return response.headers.get("location", "")


def a_proposal_in_review(world: World, **extra: Any) -> tuple[int, int]:
    """A standard in WG review with its ballot open and one vote cast."""
    proposal_id = file(world, text="# Model cards\n\nEvery model ships a card.\n", **extra)
    revise(world, proposal_id, "wendy", text="# Model cards\n\nEvery model ships a signed card.\n")
    take(world, proposal_id, "submit", "wendy")
    ballot_id = open_ballot(world, proposal_id, "wendy")
    vote(world, ballot_id, "will", "yes", rationale="good")
    return proposal_id, ballot_id
