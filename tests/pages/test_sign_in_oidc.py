"""OpenID Connect sign-in against a real provider (node-oidc-provider, started by the test),
driven over HTTP with httpx following the redirects between the app and the provider."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from testkit.signing_in import Site, running_site
from testkit.world import World

from governance_engine.persistence.models import IdentityLink

pytestmark = pytest.mark.slow


@pytest.fixture
def site(world: World, database_url: str, tmp_path: Path) -> Iterator[Site]:
    with running_site(world, database_url, tmp_path) as running:
        yield running


def sign_in_with_provider(site: Site, browser: httpx.Client, path: str) -> httpx.Response:
    """Start at ``path`` on the app; the provider signs in whoever ``login_as`` named."""
    return browser.get(path)


def test_the_sign_in_page_offers_the_provider(site: Site) -> None:
    with site.browser() as browser:
        page = browser.get("/sign-in")
    assert 'href="/sign-in/oidc/test?next=/"' in page.text
    assert "Sign in with Test Provider" in page.text


def test_an_unknown_identity_gets_a_clear_page_and_no_account(site: Site) -> None:
    site.provider.login_as("stranger-1", "stranger@elsewhere.example")
    with site.browser() as browser:
        page = sign_in_with_provider(site, browser, "/sign-in/oidc/test")
        assert page.status_code == 403
        assert "not linked to anyone here" in page.text
        assert "ge_session" not in browser.cookies
        assert browser.get("/", follow_redirects=False).status_code == 303
    with site.world.database.reader() as session:
        assert session.scalars(select(IdentityLink)).all() == []
    assert site.actions("session.signed_in") == []


def test_an_identity_linked_by_an_admin_signs_in_and_out_logged(site: Site) -> None:
    will = site.world.person_ids["will"]
    linked = site.api(
        "POST",
        f"/api/v1/people/{will}/identities",
        json={"issuer": site.provider.issuer, "subject": "will-at-provider"},
    )
    assert linked.status_code == 201, linked.text
    assert linked.json()["linked_how"] == "admin"
    refused = site.api(
        "POST",
        f"/api/v1/people/{will}/identities",
        who="wendy",
        json={"issuer": site.provider.issuer, "subject": "other"},
    )
    assert refused.status_code == 403
    site.provider.login_as("will-at-provider", "will@private.example", verified=False)
    with site.browser() as browser:
        page = sign_in_with_provider(site, browser, "/sign-in/oidc/test?next=/ballots")
        assert page.status_code == 200, page.text
        assert page.url.path == "/ballots"
        assert "Signed in as <strong>Will</strong>" in page.text
        [signed_in] = site.actions("session.signed_in")
        assert (signed_in.actor_id, signed_in.payload) == (will, {"method": "oidc"})
        csrf = browser.get("/").text.split('name="csrf_token" value="')[1].split('"')[0]
        out = browser.post("/sign-out", data={"csrf_token": csrf})
        assert out.url.path == "/sign-in"
    [signed_out] = site.actions("session.signed_out")
    assert (signed_out.actor_id, signed_out.payload) == (will, {"method": "oidc"})
    assert "Will" not in str(signed_out.payload)


def test_a_verified_email_at_a_claimed_domain_links_its_person(site: Site) -> None:
    org = site.world.organizations["Fabrikam Research"]
    claimed = site.api(
        "PUT", f"/api/v1/organizations/{org}/email-domains", json={"email_domains": ["Example.ORG"]}
    )
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["email_domains"] == ["example.org"]
    will = site.person("will")
    # Wendy's address is at the domain too, but she is not of the claiming organization.
    site.provider.login_as("wendy-sub", site.person("wendy").email, verified=True)
    with site.browser() as browser:
        assert sign_in_with_provider(site, browser, "/sign-in/oidc/test").status_code == 403
    # An unverified address never links.
    site.provider.login_as("will-sub", will.email, verified=False)
    with site.browser() as browser:
        assert sign_in_with_provider(site, browser, "/sign-in/oidc/test").status_code == 403
    site.provider.login_as("will-sub", will.email, verified=True)
    with site.browser() as browser:
        page = sign_in_with_provider(site, browser, "/sign-in/oidc/test")
        assert "Signed in as <strong>Will</strong>" in page.text
    links = site.api("GET", f"/api/v1/people/{will.id}/identities").json()
    assert [(link["subject"], link["linked_how"]) for link in links] == [
        ("will-sub", "email_domain")
    ]


def test_revoking_the_link_ends_its_sessions(site: Site) -> None:
    tess = site.world.person_ids["tess"]
    link = site.api(
        "POST",
        f"/api/v1/people/{tess}/identities",
        json={"issuer": site.provider.issuer, "subject": "tess-sub"},
    ).json()
    site.provider.login_as("tess-sub")
    with site.browser() as browser:
        assert "Signed in as <strong>Tess</strong>" in browser.get("/sign-in/oidc/test").text
        revoked = site.api("POST", f"/api/v1/identities/{link['id']}/revoke")
        assert revoked.status_code == 200
        assert revoked.json()["revoked_at"] is not None
        again = browser.get("/", follow_redirects=False)
        assert again.status_code == 303
        assert again.headers["location"].startswith("/sign-in")
        # and the identity no longer signs anyone in
        assert browser.get("/sign-in/oidc/test").status_code == 403


def test_an_admin_ends_every_session_of_a_person(site: Site) -> None:
    tom = site.world.person_ids["tom"]
    site.api(
        "POST",
        f"/api/v1/people/{tom}/identities",
        json={"issuer": site.provider.issuer, "subject": "tom-sub"},
    )
    site.provider.login_as("tom-sub")
    with site.browser() as first, site.browser() as second:
        for browser in (first, second):
            assert "Signed in as <strong>Tom</strong>" in browser.get("/sign-in/oidc/test").text
        assert site.api("DELETE", f"/api/v1/people/{tom}/sessions", who="tom").status_code == 403
        ended = site.api("DELETE", f"/api/v1/people/{tom}/sessions")
        assert ended.json() == {"person_id": tom, "sessions_ended": 2}
        for browser in (first, second):
            assert browser.get("/", follow_redirects=False).status_code == 303
    [entry] = site.actions("sessions.ended")
    assert entry.payload == {"sessions_ended": 2}


def test_a_forged_state_or_a_callback_without_a_flow_is_refused(site: Site) -> None:
    with site.browser() as browser:
        page = browser.get("/sign-in/oidc/test/callback?state=x&code=y")
        assert page.status_code == 400
        assert "not started here" in page.text
        started = browser.get("/sign-in/oidc/test", follow_redirects=False)
        assert started.status_code == 303
        assert "code_challenge_method=S256" in started.headers["location"]
        assert "nonce=" in started.headers["location"]
        page = browser.get("/sign-in/oidc/test/callback?state=forged&code=y")
        assert page.status_code == 400
        assert "not for this sign-in" in page.text
        assert browser.get("/sign-in/oidc/nope").status_code == 404
