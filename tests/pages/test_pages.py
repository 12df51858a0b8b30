"""The pages, in process: sessions and their cookie, CSRF on every form, permission parity with
the API, every page for the right person, escaping of hostile text, and sign-in throttling."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from testkit.drive import close, file, open_ballot, revise, take, vote
from testkit.http import Api, serve_in_process
from testkit.tamper import drop_log_triggers
from testkit.world import World, build_world

from api import pages
from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import (
    ApiToken,
    Ballot,
    Body,
    LogEntry,
    Proposal,
    SignInFailure,
    Vote,
    WebSession,
)
from governance_engine.services import directory, identity, web_sessions
from governance_engine.services.identity import Actor

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


@pytest.fixture
def world(database: Database) -> World:
    return build_world(database)


@pytest.fixture
def site(world: World, database_url: str, tmp_path: Path) -> Iterator[Site]:
    with serve_in_process(world, database_url, tmp_path / "keys" / "signing.pem") as api:
        yield Site(api, world, api.client.app)


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


def a_proposal_in_review(world: World, **extra: Any) -> tuple[int, int]:
    """A standard in WG review with its ballot open and one vote cast."""
    proposal_id = file(world, text="# Model cards\n\nEvery model ships a card.\n", **extra)
    revise(world, proposal_id, "wendy", text="# Model cards\n\nEvery model ships a signed card.\n")
    take(world, proposal_id, "submit", "wendy")
    ballot_id = open_ballot(world, proposal_id, "wendy")
    vote(world, ballot_id, "will", "yes", rationale="good")
    return proposal_id, ballot_id


def location(response: httpx2.Response) -> str:
    return response.headers.get("location", "")


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
    values = {"proposal_id": proposal_id, "ballot_id": ballot_id, "action": "wg_return"}
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


# -- the pages, end to end ----------------------------------------------------------------


def test_a_chair_files_submits_and_opens_a_ballot_and_members_vote(site: Site) -> None:
    world = site.world
    wendy = site.browser("wendy")
    filed = wendy.submit(
        "/proposals",
        {
            "kind": "standard",
            "title": "Signed model cards",
            "summary": "Every model ships a signed card.",
            "sponsor": "wg-trust-validation",
            "text": "# Signed model cards\r\n\r\nSign them.\r\n",
        },
    )
    assert filed.status_code == 303
    proposal_path = location(filed)
    proposal_id = int(proposal_path.rsplit("/", 1)[1])
    page = wendy.get(proposal_path)
    assert f"Proposal {proposal_id} filed." in page.text
    assert 'aria-current="step"' in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version
    submitted = wendy.submit(
        f"/proposals/{proposal_id}/actions/submit", {"version": version.group(1)}
    )
    assert submitted.status_code == 303
    stale = wendy.submit(f"/proposals/{proposal_id}/ballots", {"version": version.group(1)})
    assert stale.status_code == 412  # the page was read before the submit
    opened = wendy.submit(f"/proposals/{proposal_id}/ballots")
    assert opened.status_code == 303
    ballot_path = location(opened)
    ballot_id = int(ballot_path.rsplit("/", 1)[1])
    first = wendy.get(ballot_path).text
    assert f"Ballot {ballot_id} is open." in first
    for who in ("will", "wren"):
        member = site.browser(who)
        assert f"/ballots/{ballot_id}" in member.get("/").text  # awaiting their vote
        voted = member.submit(
            f"/ballots/{ballot_id}/votes", {"choice": "yes", "rationale": f"{who} agrees"}
        )
        assert voted.status_code == 303
        assert "The vote was recorded." in member.get(ballot_path).text
        assert f"/ballots/{ballot_id}" not in member.get("/").text
    after = wendy.get(ballot_path).text
    assert after != first
    assert "will agrees" in after
    wes = site.browser("wes")  # the secretary enters a proxy vote for wade
    proxied = wes.submit(
        f"/ballots/{ballot_id}/votes",
        {"choice": "yes", "on_behalf_of": str(world.person_ids["wade"])},
    )
    assert proxied.status_code == 303
    assert "(entered by Wes)" in wendy.get(ballot_path).text
    closed = wendy.submit(f"/ballots/{ballot_id}/close")
    assert closed.status_code == 303
    done = wendy.get(ballot_path).text
    number = re.search(r'href="/decisions/([A-Z-]+-\d{4}-\d{3})"', done)
    assert number, done
    record = wendy.get(f"/decisions/{number.group(1)}")
    assert record.status_code == 200
    assert "<article>" in record.text
    assert "Signed model cards" in record.text
    state = wendy.get(f"/proposals/{proposal_id}").text
    assert "wg last call" in state


def test_every_page_renders_for_the_right_person(site: Site) -> None:
    world = site.world
    proposal_id, ballot_id = a_proposal_in_review(world)
    vote(world, ballot_id, "wren", "yes")
    vote(world, ballot_id, "wade", "yes")
    decision = close(world, ballot_id, "wendy").decision.number
    wendy, auditor = site.browser("wendy"), site.browser("auditor")
    for path in (
        "/",
        "/proposals",
        "/proposals?state=wg_last_call&kind=standard&sponsor=wg-trust-validation",
        "/proposals/new",
        f"/proposals/{proposal_id}",
        f"/proposals/{proposal_id}/revisions/2",
        f"/proposals/{proposal_id}/diff?from=1&to=2",
        f"/proposals/{proposal_id}/diff?from=1&to=2&layout=side-by-side",
        "/ballots",
        "/ballots?state=closed",
        f"/ballots/{ballot_id}",
        "/decisions",
        "/decisions?kind=ballot&outcome=passed",
        f"/decisions/{decision}",
        f"/decisions/{decision}/record",
    ):
        response = wendy.get(path)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["content-type"].startswith("text/html")
        assert "script-src" not in response.headers["content-security-policy"]
    for path in ("/", "/log", "/log?action=vote.cast&since=2026-01-01", f"/ballots/{ballot_id}"):
        assert auditor.get(path).status_code == 200, path
    assert wendy.get("/proposals/999").status_code == 404
    assert wendy.get("/decisions/NOPE-1").status_code == 404
    assert wendy.get("/proposals?after=x").status_code == 422
    assert wendy.get("/static/pages.css").headers["content-type"].startswith("text/css")


def test_the_proposal_page_shows_the_diagram_revisions_and_timeline(site: Site) -> None:
    proposal_id, ballot_id = a_proposal_in_review(site.world)
    page = site.browser("wendy").get(f"/proposals/{proposal_id}").text
    assert '<svg class="workflow"' in page
    assert '<g class="state current">' in page
    assert "stateDiagram-v2" in page  # the Mermaid source, in a <details>
    assert "class wg_review current" in page
    assert "Revision 2" in page
    assert f'href="/ballots/{ballot_id}"' in page
    assert "Will voted on ballot" in page
    assert "<h1>" in page
    assert page.index("<h1>") < page.index("<h2") < page.index("<h3")


def test_the_diff_shows_what_changed(site: Site) -> None:
    proposal_id, _ = a_proposal_in_review(site.world)
    browser = site.browser("will")
    unified = browser.get(f"/proposals/{proposal_id}/diff?from=1&to=2").text
    assert '<span class="removed">' in unified
    assert "+Every model ships a signed card." in unified
    side = browser.get(f"/proposals/{proposal_id}/diff?from=1&to=2&layout=side-by-side").text
    assert '<tr class="changed">' in side


def test_an_auditor_sees_the_log_verify_and_exports_it(site: Site) -> None:
    a_proposal_in_review(site.world)
    auditor = site.browser("auditor")
    page = auditor.get("/log").text
    assert "vote.cast" in page
    assert 'href="/log/verify"' in page  # verifying reads the whole log, so only on request
    assert "The log verifies" not in page
    verified = auditor.get("/log/verify").text
    assert "The log verifies" in verified
    jsonl = auditor.get("/log/export?format=jsonl")
    assert jsonl.headers["content-type"].startswith("application/jsonl")
    with site.world.database.reader() as session:
        head = log_writer.head(session)
    assert len(jsonl.text.splitlines()) == head
    csv = auditor.get("/log/export?format=csv&action=vote.cast")
    assert csv.text.splitlines()[0].startswith("seq,")
    assert len(csv.text.splitlines()) == 2


def test_the_verify_page_names_the_first_broken_entry(site: Site) -> None:
    a_proposal_in_review(site.world)
    with site.world.database.engine.begin() as connection:
        drop_log_triggers(connection)
        connection.execute(
            update(LogEntry).where(LogEntry.seq == 3).values(action="proposal.forged")
        )
    page = site.browser("auditor").get("/log/verify").text
    assert "The log does not verify" in page
    assert "the first broken entry is seq 3" in page
    assert site.browser("will").get("/log/verify").status_code == 403


# -- hostile text -------------------------------------------------------------------------


def test_hostile_text_is_escaped_on_every_page_that_shows_it(site: Site) -> None:
    world = site.world
    with world.database.transaction() as session:
        person = identity.create_person(
            session,
            actor=world.admin,
            at=world.clock.now(),
            name=f"{SCRIPT}{ATTRIBUTE}",
            email="mallory@example.org",
        )
        body = session.get(Body, world.bodies["wg-trust-validation"])
        assert body is not None
        directory.grant_seat(
            session,
            actor=world.admin,
            at=world.clock.now(),
            body=body,
            person=person,
            role="member",
        )
        mallory = person.id
        world.people["mallory"] = Actor.of(person)
    hostile = f"{SCRIPT} and {ATTRIBUTE}"
    proposal_id = file(
        world,
        title=hostile,
        summary=hostile,
        text=f"# {SCRIPT}\n",
        author_ids=[world.person_ids["wendy"], mallory],
    )
    revise(world, proposal_id, "wendy", text=f"# {ATTRIBUTE}\n", note=hostile)
    take(world, proposal_id, "submit", "wendy", reason=hostile)
    ballot_id = open_ballot(world, proposal_id, "wendy")
    vote(world, ballot_id, "will", "yes", rationale=hostile)
    vote(world, ballot_id, "wren", "yes", rationale=hostile)
    vote(world, ballot_id, "wade", "yes")
    vote(world, ballot_id, "mallory", "yes", rationale=hostile)
    decision = close(world, ballot_id, "wendy").decision.number
    wendy, auditor = site.browser("wendy"), site.browser("auditor")
    shown = {
        "/": wendy,
        "/proposals": wendy,
        f"/proposals/{proposal_id}": wendy,
        f"/proposals/{proposal_id}/revisions/1": wendy,
        f"/proposals/{proposal_id}/revisions/2": wendy,
        f"/proposals/{proposal_id}/diff?from=1&to=2": wendy,
        f"/proposals/{proposal_id}/diff?from=1&to=2&layout=side-by-side": wendy,
        "/ballots?state=closed": wendy,
        f"/ballots/{ballot_id}": wendy,
        "/decisions": wendy,
        f"/decisions/{decision}": wendy,
        f"/decisions/{decision}/record": wendy,
        "/log": auditor,
    }
    for path, browser in shown.items():
        text = browser.get(path).text
        assert SCRIPT not in text, path
        assert ATTRIBUTE not in text, path
        assert 'onmouseover="' not in text, path
        assert ESCAPED_SCRIPT in text or "&lt;script&gt;" in text, path
    ballot = wendy.get(f"/ballots/{ballot_id}").text
    assert ESCAPED_SCRIPT + ESCAPED_ATTRIBUTE in ballot  # the name, in the electorate
    proposal = wendy.get(f"/proposals/{proposal_id}").text
    assert ESCAPED_ATTRIBUTE in proposal
    assert ESCAPED_SCRIPT + ESCAPED_ATTRIBUTE in proposal  # the name, among the authors


def test_hostile_text_typed_into_forms_comes_back_escaped(site: Site) -> None:
    wendy = site.browser("wendy")
    refused = wendy.submit(
        "/proposals",
        {"kind": "standard", "title": "", "summary": ATTRIBUTE, "sponsor": "wg-trust-validation"},
    )
    assert refused.status_code == 422  # re-shown with the message and what was typed
    assert ESCAPED_ATTRIBUTE in refused.text
    assert ATTRIBUTE not in refused.text
    filed = wendy.submit(
        "/proposals",
        {
            "kind": "standard",
            "title": SCRIPT,
            "summary": ATTRIBUTE,
            "sponsor": "wg-trust-validation",
        },
    )
    page = wendy.get(location(filed)).text
    assert f"<h1>{ESCAPED_SCRIPT}</h1>" in page
    assert SCRIPT not in page
