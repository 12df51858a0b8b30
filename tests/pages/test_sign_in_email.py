"""Signing in by e-mail link and by invitation, with the mail received by a real SMTP server
(aiosmtpd) and, for an invitation, the identity linked through a real OpenID provider."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select
from testkit.signing_in import Site, running_site
from testkit.world import World

from governance_engine.persistence.models import Invitation, SignInLink

pytestmark = pytest.mark.slow


@pytest.fixture
def site(world: World, database_url: str, tmp_path: Path) -> Iterator[Site]:
    with running_site(world, database_url, tmp_path) as running:
        yield running


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None, page.text
    return found.group(1)


def ask_for_link(browser: httpx.Client, email: str) -> httpx.Response:
    form = browser.get("/sign-in")
    return browser.post("/sign-in/email", data={"csrf_token": csrf_of(form), "email": email})


def use_link(browser: httpx.Client, url: str) -> httpx.Response:
    page = browser.get(url)
    assert page.status_code == 200, page.text
    token = parse_qs(urlsplit(url).query)["token"][0]
    return browser.post("/sign-in/link", data={"csrf_token": csrf_of(page), "token": token})


def test_an_emailed_link_signs_in_once(site: Site) -> None:
    wes = site.person("wes")
    with site.browser() as browser:
        sent = ask_for_link(browser, "  WES@example.org ")
        assert sent.status_code == 200
        assert "a sign-in link is on its way" in sent.text
        [mail] = site.inbox.wait_for(wes.email)
        url = site.inbox.link_in(mail)
        assert url.startswith(site.url + "/sign-in/link?token=")
        assert "15 minutes" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        signed_in = use_link(browser, url)
        assert signed_in.url.path == "/"
        assert "Signed in as <strong>Wes</strong>" in signed_in.text
    [entry] = site.actions("session.signed_in")
    assert (entry.actor_id, entry.payload) == (wes.id, {"method": "email"})
    token = parse_qs(urlsplit(url).query)["token"][0]
    with site.world.database.reader() as session:
        [stored] = session.scalars(select(SignInLink)).all()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()  # only the hash
    with site.browser() as other:
        again = use_link(other, url)
        assert again.status_code == 401
        assert "not valid" in again.text
        assert "ge_session" not in other.cookies


def test_an_expired_link_is_refused(site: Site) -> None:
    with site.browser() as browser:
        ask_for_link(browser, "will@example.org")
        url = site.inbox.link_in(site.inbox.wait_for("will@example.org")[0])
        site.world.clock.advance(timedelta(minutes=15, seconds=1))
        refused = use_link(browser, url)
        assert refused.status_code == 401
        assert "expired" in refused.text


def test_the_page_never_says_whether_an_address_is_known(site: Site) -> None:
    with site.browser() as browser:
        known = ask_for_link(browser, "wren@example.org")
        unknown = ask_for_link(browser, "nobody-here@example.org")
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("wren@example.org", "X") == unknown.text.replace(
        "nobody-here@example.org", "X"
    )
    site.inbox.wait_for("wren@example.org")
    assert [str(m["To"]) for m in site.inbox.messages if "nobody-here" in str(m["To"])] == []


def test_links_are_rate_limited_per_address(site: Site) -> None:
    with site.browser() as browser:
        for _ in range(5):  # the default: 5 an hour per address
            assert ask_for_link(browser, "nobody-at-all@example.org").status_code == 200
        over = ask_for_link(browser, "Nobody-At-All@example.org")
        assert over.status_code == 429
        assert 0 < int(over.headers["Retry-After"]) <= 3600
        assert ask_for_link(browser, "tina@example.org").status_code == 200


def test_an_invited_person_signs_in_by_the_emailed_invitation(site: Site) -> None:
    olive = site.person("olive")
    refused = site.api("POST", f"/api/v1/people/{olive.id}/invitations", who="wendy")
    assert refused.status_code == 403
    invited = site.api("POST", f"/api/v1/people/{olive.id}/invitations")
    assert invited.status_code == 201, invited.text
    assert invited.json()["emailed"] is True
    [mail] = site.inbox.wait_for(olive.email)
    url = site.inbox.link_in(mail)
    assert url == invited.json()["url"]
    with site.browser() as browser:
        page = browser.get(url)
        assert "Welcome, Olive" in page.text
        assert "Sign in with Test Provider" in page.text
        token = parse_qs(urlsplit(url).query)["token"][0]
        signed_in = browser.post(
            "/sign-in/invitation", data={"csrf_token": csrf_of(page), "token": token}
        )
        assert "Signed in as <strong>Olive</strong>" in signed_in.text
    with site.browser() as other:
        assert other.get(url).status_code == 401  # used once
    [entry] = site.actions("invitation.sent")
    assert entry.payload["invitation_id"] == invited.json()["id"]
    assert "olive" not in str(entry.payload).lower()


def test_an_invitation_links_the_identity_the_person_signs_in_with(site: Site) -> None:
    theo = site.person("theo")
    url = site.api("POST", f"/api/v1/people/{theo.id}/invitations").json()["url"]
    site.provider.login_as("theo-at-agency", "theo@agency.example")
    with site.browser() as browser:
        page = browser.get(url)
        provider_link = re.search(r'href="(/sign-in/oidc/test\?invitation=[^"]+)"', page.text)
        assert provider_link is not None
        signed_in = browser.get(provider_link.group(1).replace("&amp;", "&"))
        assert "Signed in as <strong>Theo</strong>" in signed_in.text
    links = site.api("GET", f"/api/v1/people/{theo.id}/identities").json()
    assert [(link["subject"], link["linked_how"]) for link in links] == [
        ("theo-at-agency", "invitation")
    ]
    with site.world.database.reader() as session:
        [invitation] = session.scalars(select(Invitation)).all()
    assert invitation.used_at is not None
    # From now on the provider alone signs Theo in.
    with site.browser() as browser:
        assert "Signed in as <strong>Theo</strong>" in browser.get("/sign-in/oidc/test").text
