"""The pages end to end, in process: a ballot from filing to votes, every page for the right
person, diagrams, diffs, the auditor's log, and hostile text escaped wherever it shows."""

from __future__ import annotations

import re

from sqlalchemy import select, update
from testkit.drive import close, file, open_ballot, revise, take, vote
from testkit.pages import (
    ATTRIBUTE,
    ESCAPED_ATTRIBUTE,
    ESCAPED_SCRIPT,
    SCRIPT,
    Site,
    a_proposal_in_review,
    location,
)
from testkit.tamper import drop_log_triggers

from governance_engine.persistence import log_writer
from governance_engine.persistence.models import Body, LogEntry, Revision
from governance_engine.services import directory, identity
from governance_engine.services.identity import Actor

# -- the pages, end to end ----------------------------------------------------------------


def test_a_chair_files_submits_and_opens_a_ballot_and_members_vote(site: Site) -> None:
    world = site.world
    wendy = site.browser("wendy")
    filed = wendy.submit(
        "/proposals",
        {
            "workflow": "standard",
            "title": "Signed model cards",
            "summary": "Every model ships a signed card.",
            "sponsor": "wg-trust-validation",
            "text": "# Signed model cards\r\n\r\nSign them.\r\n",
        },
    )
    assert filed.status_code == 303
    proposal_path = location(filed)
    proposal_id = int(proposal_path.rsplit("/", 1)[1])
    with site.world.database.reader() as session:
        stored = session.scalars(select(Revision.text).where(Revision.proposal_id == proposal_id))
        assert stored.one() == "# Signed model cards\n\nSign them.\n"  # the browser's CRLF
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
    assert "WG last call" in state


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


def test_the_filing_form_offers_every_workflow_by_title_and_kind(site: Site) -> None:
    wendy = site.browser("wendy")
    form = wendy.get("/proposals/new")
    assert form.status_code == 200
    options = re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', form.text)
    assert ("guideline", "Guideline publication (guideline)") in options
    assert ("project", "Project adoption (project)") in options
    assert ("standard", "Standard publication (standard)") in options
    filed = wendy.submit(
        "/proposals",
        {"workflow": "guideline", "title": "Naming guide", "sponsor": "wg-trust-validation"},
    )
    assert filed.status_code == 303
    proposal_id = int(location(filed).rsplit("/", 1)[1])
    read = site.api.get(f"/api/v1/proposals/{proposal_id}").json()
    assert (read["kind"], read["workflow"]["name"]) == ("guideline", "guideline")
    refused = wendy.submit(
        "/proposals",
        {
            "workflow": "guideline",
            "kind": "standard",
            "title": "x",
            "sponsor": "wg-trust-validation",
        },
    )
    assert refused.status_code == 422
    assert "serves proposals of kind &#39;guideline&#39;, not &#39;standard&#39;" in refused.text


def test_the_filing_form_offers_only_the_bodies_one_may_file_in(site: Site) -> None:
    wendy = site.browser("wendy").get("/proposals/new").text
    sponsors = re.findall(r'<option value="([a-z0-9-]+)"[^>]*>[^<]+</option>', wendy)
    assert "wg-trust-validation" in sponsors
    assert "wg-hardware-infrastructure" not in sponsors  # she holds no seat there
    assert "toc" not in sponsors
    assert "You hold no seat" not in wendy
    tara = site.browser("tara").get("/proposals/new").text
    assert "You hold no seat from which to file a proposal" in " ".join(tara.split())
    assert 'value="standard"' not in tara
