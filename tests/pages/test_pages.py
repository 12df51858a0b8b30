"""The pages, in process: sessions and their cookie, sign-in throttling, CSRF on every form,
and permission parity with the API."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from fastapi.routing import APIRoute
from sqlalchemy import func, select
from testkit.drive import file, open_ballot, take
from testkit.pages import (
    Site,
    a_proposal_in_review,
    location,
)

from api import pages
from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import (
    ApiToken,
    Ballot,
    Proposal,
    SignInFailure,
    Vote,
    WebSession,
)
from governance_engine.services import directory, web_sessions


def snapshot(database: Database) -> tuple[int, ...]:
    """Everything a form could change: the log head and the rows pages write."""
    with database.reader() as session:
        return (
            log_writer.head(session),
            session.scalar(select(func.count()).select_from(Proposal)) or 0,
            session.scalar(select(func.sum(Proposal.version))) or 0,
            session.scalar(select(func.count()).select_from(Ballot)) or 0,
            session.scalar(select(func.sum(Ballot.version))) or 0,
            session.scalar(select(func.count()).select_from(Vote)) or 0,
            session.scalar(select(func.count()).select_from(WebSession)) or 0,
            session.scalar(
                select(func.count()).select_from(WebSession).where(WebSession.ended_at.is_(None))
            )
            or 0,
            session.scalar(select(func.count()).select_from(SignInFailure)) or 0,
        )


# -- sessions -----------------------------------------------------------------------------


def test_sign_in_sets_a_hardened_cookie_and_stores_only_its_hash(site: Site) -> None:
    browser = site.browser()
    response = browser.sign_in(site.api.tokens["wendy"])
    assert response.status_code == 303
    assert location(response) == "/"
    cookie = next(
        value
        for value in response.headers.get_list("set-cookie")
        if value.startswith("ge_session=")
    )
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "path=/" in flags
    assert "secure" not in flags  # plain HTTP: a Secure cookie would never come back
    session_id = cookie.split(";")[0].split("=", 1)[1]
    with site.world.database.reader() as session:
        rows = list(session.scalars(select(WebSession)))
    assert len(rows) == 1
    assert rows[0].session_hash == hashlib.sha256(session_id.encode()).hexdigest()
    assert session_id not in {rows[0].session_hash, rows[0].csrf_secret}
    assert rows[0].expires_at - rows[0].created_at == timedelta(hours=12)
    page = browser.get("/")
    assert page.status_code == 200
    assert "Signed in as <strong>Wendy</strong>" in page.text


def test_the_cookie_is_secure_over_https(site: Site) -> None:
    browser = site.browser(https=True)
    response = browser.sign_in(site.api.tokens["wendy"])
    cookie = next(v for v in response.headers.get_list("set-cookie") if "ge_session=" in v)
    assert "secure" in [part.strip().lower() for part in cookie.split(";")]


def test_sign_out_ends_the_session_on_the_server(site: Site) -> None:
    browser = site.browser("wendy")
    stolen = browser.client.cookies.get("ge_session")
    response = browser.submit("/sign-out")
    assert response.status_code == 303
    assert location(response) == "/sign-in"
    assert browser.get("/").status_code == 303
    with site.world.database.reader() as session:
        (row,) = session.scalars(select(WebSession))
    assert row.ended_at is not None
    replay = site.browser()
    replay.client.cookies.set("ge_session", stolen or "")
    assert location(replay.get("/")).startswith("/sign-in")


def test_signing_in_again_ends_the_previous_session(site: Site) -> None:
    browser = site.browser("wendy")
    first = browser.client.cookies.get("ge_session")
    assert location(browser.get("/sign-in")) == "/"  # signed in: no form to fill
    # A sign-in form left open in another tab, posted now:
    browser.client.cookies.set("ge_signin", "t" * 32, path="/sign-in")
    again = browser.post(
        "/sign-in", {"csrf_token": "t" * 32, "token": site.api.tokens["will"], "next": "/"}
    )
    assert again.status_code == 303
    assert browser.client.cookies.get("ge_session") != first
    assert "Signed in as <strong>Will</strong>" in browser.get("/").text
    with site.world.database.reader() as session:
        rows = list(session.scalars(select(WebSession).order_by(WebSession.id)))
    assert [row.ended_at is not None for row in rows] == [True, False]


def test_a_revoked_token_ends_its_sessions(site: Site) -> None:
    browser = site.browser("will")
    assert browser.get("/").status_code == 200
    world = site.world
    with world.database.transaction() as session:
        token = session.scalars(
            select(ApiToken).where(ApiToken.person_id == world.person_ids["will"])
        ).one()
        directory.revoke_token(session, actor=world.admin, at=world.clock.now(), token_id=token.id)
    response = browser.get("/")
    assert response.status_code == 303
    assert location(response) == "/sign-in"
    with world.database.reader() as session:
        (row,) = session.scalars(select(WebSession))
    assert row.ended_at is not None


def test_a_session_expires_after_twelve_hours(site: Site) -> None:
    browser = site.browser("will")
    site.world.clock.advance(timedelta(hours=12, minutes=1))
    assert location(browser.get("/proposals")) == "/sign-in?next=%2Fproposals"


def test_a_bad_token_is_refused_and_counted(site: Site) -> None:
    browser = site.browser()
    response = browser.sign_in("ge_not-a-token")
    assert response.status_code == 401
    assert "sign-in refused" in response.text
    assert "ge_session" not in browser.client.cookies
    with site.world.database.reader() as session:
        failures = list(session.scalars(select(SignInFailure)))
    assert [f.source for f in failures] == ["testclient"]


def test_repeated_failures_are_throttled_for_a_while(site: Site) -> None:
    browser = site.browser()
    for _ in range(web_sessions.MAX_FAILURES):
        assert browser.sign_in("ge_guess").status_code == 401
        site.world.clock.advance(timedelta(seconds=10))
    refused = browser.sign_in(site.api.tokens["wendy"])  # even the right token, for now
    assert refused.status_code == 429
    assert "too many failed sign-ins" in refused.text
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60
    assert "ge_session" not in browser.client.cookies
    site.world.clock.advance(timedelta(minutes=15))
    assert browser.sign_in(site.api.tokens["wendy"]).status_code == 303


def test_sign_in_returns_only_to_a_local_page(site: Site) -> None:
    browser = site.browser()
    assert location(browser.sign_in(site.api.tokens["wendy"], "//evil.example/x")) == "/"
    browser = site.browser()
    assert location(browser.sign_in(site.api.tokens["wendy"], "/ballots")) == "/ballots"


def test_signed_out_pages_redirect_to_sign_in(site: Site) -> None:
    proposal_id, ballot_id = a_proposal_in_review(site.world)
    browser = site.browser()
    for path in (
        "/",
        "/proposals",
        "/proposals/new",
        f"/proposals/{proposal_id}",
        f"/proposals/{proposal_id}/revisions/1",
        f"/proposals/{proposal_id}/diff?from=1&to=2",
        "/ballots",
        f"/ballots/{ballot_id}",
        "/decisions",
        "/log",
        "/log/export",
    ):
        response = browser.get(path)
        assert response.status_code == 303, path
        assert location(response).startswith("/sign-in"), path
    response = browser.get("/proposals?state=draft")
    assert location(response) == "/sign-in?next=%2Fproposals%3Fstate%3Ddraft"


# -- CSRF ---------------------------------------------------------------------------------


def _post_routes() -> list[str]:
    routes = [
        route.path
        for router in pages.ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and "POST" in route.methods
    ]
    assert len(routes) >= 8
    return routes


def test_every_post_route_refuses_a_missing_or_wrong_csrf_token(site: Site) -> None:
    proposal_id, ballot_id = a_proposal_in_review(site.world)
    browser = site.browser("wendy")  # the chair: every form here would work for her
    values = {
        "proposal_id": proposal_id,
        "ballot_id": ballot_id,
        "action": "wg_return",
        "notification_id": 1,
    }
    form = {
        "version": "",
        "reason": "because",
        "choice": "yes",
        "rationale": "",
        "text": "# New text\n",
        "kind": "standard",
        "title": "Forged",
        "sponsor": "wg-trust-validation",
        "token": site.api.tokens["wendy"],
    }
    before = snapshot(site.world.database)
    for template in _post_routes():
        path = template.format(**values)
        for token in (None, "", "0" * 64, browser.csrf[:-1] + "x"):
            data = dict(form) if token is None else {**form, "csrf_token": token}
            response = browser.post(path, data)
            assert response.status_code == 403, (path, token, response.text)
            assert "nothing was changed" in response.text or "sign-in form" in response.text
            assert snapshot(site.world.database) == before, (path, token)
    assert browser.get("/").status_code == 200  # still signed in: sign-out was refused too


def test_a_token_of_another_session_does_not_work(site: Site) -> None:
    wendy, will = site.browser("wendy"), site.browser("will")
    assert wendy.csrf != will.csrf
    before = snapshot(site.world.database)
    response = wendy.post(
        "/proposals",
        {
            "csrf_token": will.csrf,
            "kind": "standard",
            "title": "x",
            "sponsor": "wg-trust-validation",
        },
    )
    assert response.status_code == 403
    assert snapshot(site.world.database) == before


# -- permissions: the pages and the API agree ------------------------------------------------


def test_a_member_cannot_take_a_chairs_action_from_a_page_either(site: Site) -> None:
    world = site.world
    proposal_id = file(world, text="# Draft\n")
    will = site.browser("will")
    before = snapshot(world.database)
    page = will.submit(f"/proposals/{proposal_id}/actions/submit", {"reason": "me"})
    api = site.api.post(f"/api/v1/proposals/{proposal_id}/actions/submit", who="will")
    assert page.status_code == api.status_code == 403
    assert api.json()["detail"] in page.text.replace("&#39;", "'")
    assert snapshot(world.database) == before
    # The page does not offer the form to begin with.
    assert (
        f"/proposals/{proposal_id}/actions/submit" not in will.get(f"/proposals/{proposal_id}").text
    )
    assert (
        f"/proposals/{proposal_id}/actions/submit"
        in site.browser("wendy").get(f"/proposals/{proposal_id}").text
    )


def test_refusals_match_the_api_for_ballots_and_filing(site: Site) -> None:
    world = site.world
    proposal_id = file(world, text="# Draft\n")
    take(world, proposal_id, "submit", "wendy")
    will, auditor, nobody = site.browser("will"), site.browser("auditor"), site.browser("nobody")
    tara = site.browser("tara")
    before = snapshot(world.database)
    opened = will.submit(f"/proposals/{proposal_id}/ballots")
    api_opened = site.api.post("/api/v1/ballots", who="will", json={"proposal_id": proposal_id})
    assert opened.status_code == api_opened.status_code == 403
    filed = nobody.submit(
        "/proposals", {"kind": "standard", "title": "Mine", "sponsor": "wg-trust-validation"}
    )
    api_filed = site.api.post(
        "/api/v1/proposals",
        who="nobody",
        json={"kind": "standard", "title": "Mine", "sponsor": "wg-trust-validation"},
    )
    assert filed.status_code == api_filed.status_code == 403
    assert snapshot(world.database) == before
    ballot_id = open_ballot(world, proposal_id, "wendy")
    before = snapshot(world.database)
    cast = auditor.submit(f"/ballots/{ballot_id}/votes", {"choice": "yes"})
    api_cast = site.api.post(
        f"/api/v1/ballots/{ballot_id}/votes", who="auditor", json={"choice": "yes"}
    )
    assert cast.status_code == api_cast.status_code == 403
    outsider = tara.submit(f"/ballots/{ballot_id}/votes", {"choice": "yes"})
    api_outsider = site.api.post(
        f"/api/v1/ballots/{ballot_id}/votes", who="tara", json={"choice": "yes"}
    )
    assert outsider.status_code == api_outsider.status_code == 403
    closed = will.submit(f"/ballots/{ballot_id}/close")
    api_closed = site.api.post(f"/api/v1/ballots/{ballot_id}/close", who="will")
    assert closed.status_code == api_closed.status_code == 403
    assert snapshot(world.database) == before


def test_the_log_is_for_auditors(site: Site) -> None:
    assert site.browser("will").get("/log").status_code == 403
    assert site.browser("will").get("/log/export").status_code == 403
    assert site.browser("auditor").get("/log").status_code == 200
    assert site.browser("admin").get("/log").status_code == 200
