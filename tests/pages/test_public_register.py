"""The public register at /public: read with no sign-in, followed through its Atom feed to a
decision's permalink, checked with the documented command; a secret ballot's positions never
appear on any public page or feed."""

from __future__ import annotations

import copy
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import select
from testkit.cli import run_cli
from testkit.drive import BOARD, TOC, WG, close, file, open_ballot, pass_ballot, take, vote
from testkit.pages import ATTRIBUTE, SCRIPT, Site
from testkit.world import World, build_world

from governance_engine.lifecycle import WorkflowDefinition, load_bundled
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import Decision
from governance_engine.services.workflows import WorkflowCatalog

ATOM = "{http://www.w3.org/2005/Atom}"


def anonymous(site: Site) -> TestClient:
    return TestClient(site.app)


def publish_standard(world: World, **extra: str) -> int:
    """A standard through its four ballots to publication."""
    extra.setdefault("text", "# Model cards\n\nEvery model ships a card.\n")
    proposal_id = file(world, **extra)
    take(world, proposal_id, "submit", "wendy")
    pass_ballot(world, proposal_id, "wendy", WG)
    pass_ballot(world, proposal_id, "wendy", WG)
    pass_ballot(world, proposal_id, "tara", TOC)
    pass_ballot(world, proposal_id, "bob", BOARD)
    return proposal_id


def sign_checkpoint(site: Site) -> None:
    assert site.api.post("/api/v1/log/checkpoints", "admin").status_code in (200, 201)


def test_an_anonymous_reader_follows_the_feed_to_a_decision_and_verifies_it(
    site: Site, tmp_path: Path
) -> None:
    world = site.world
    published = publish_standard(world)
    draft = file(world, title="Unfinished draft", text="# Not yet\n")
    sign_checkpoint(site)
    reader = anonymous(site)

    overview = reader.get("/public")
    assert overview.status_code == 200
    assert f'href="/public/proposals/{published}"' in overview.text
    assert "Unfinished draft" not in overview.text

    feed = reader.get("/public/decisions.atom")
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(feed.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "Decisions of the alliance"
    assert len(parsed.entries) == 4  # WG review, last call, TOC, Board
    board = next(entry for entry in parsed.entries if entry.title.startswith("BOARD-"))
    assert board.title.endswith("(passed)")
    assert board.id == board.link
    permalink = urlsplit(board.link).path
    number = board.title.split(":")[0]
    assert permalink == f"/public/decisions/{number}"
    assert parsed.entries[0] is board  # the latest first

    page = reader.get(permalink)
    assert page.status_code == 200
    assert number in page.text
    assert "verify-proof inclusion" in page.text
    assert f'href="/public/proposals/{published}"' in page.text

    # The documented command, with only what the public pages offer.
    for name, path in {
        "proof.json": f"{permalink}/proof.json",
        "checkpoint.json": "/public/checkpoint.json",
        "key.pem": "/public/public-key.pem",
    }.items():
        response = reader.get(path)
        assert response.status_code == 200, path
        (tmp_path / name).write_bytes(response.content)
    checked = run_cli(
        "log",
        "verify-proof",
        "inclusion",
        "--proof",
        "proof.json",
        "--checkpoint",
        "checkpoint.json",
        "--public-key",
        "key.pem",
        cwd=tmp_path,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr

    assert reader.get(f"/public/proposals/{published}").status_code == 200
    assert reader.get(f"/public/proposals/{draft}").status_code == 404
    assert reader.get("/public/decisions/NOPE-2026-001").status_code == 404


def test_feeds_parse_with_real_parsers(site: Site) -> None:
    world = site.world
    publish_standard(world)
    reader = anonymous(site)
    toc = feedparser.parse(reader.get("/public/bodies/toc/decisions.atom").content)
    assert not toc.bozo
    assert [entry.title.split("-")[0] for entry in toc.entries] == ["TOC"]
    assert toc.feed.title == "Decisions of Technical Oversight Committee"
    assert reader.get("/public/bodies/nowhere/decisions.atom").status_code == 404

    ics = reader.get("/public/calendar.ics")
    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(ics.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 4
    assert all(str(event["summary"]).startswith("Ballot deadline: ") for event in events)
    assert "does not record meetings" in str(calendar["x-wr-caldesc"])

    assert "stateDiagram-v2" in reader.get("/public/workflows").text
    checkpoint = reader.get("/public/checkpoint")
    assert "No checkpoint has been signed yet" in checkpoint.text
    assert reader.get("/public/checkpoint.json").status_code == 404


def test_hostile_text_stays_text_on_pages_and_in_feeds(site: Site) -> None:
    hostile = f"{SCRIPT}{ATTRIBUTE}"
    published = publish_standard(
        site.world,
        title=hostile,
        summary=hostile,
        text=f"# {hostile}\n\n[x](javascript:alert(1))\n",
    )
    reader = anonymous(site)
    for path in ("/public", "/public/decisions", f"/public/proposals/{published}"):
        text = reader.get(path).text
        assert SCRIPT not in text, path
        assert ATTRIBUTE not in text, path
        assert 'href="javascript:' not in text, path
    feed = reader.get("/public/decisions.atom")
    assert SCRIPT.encode() not in feed.content
    parsed = feedparser.parse(feed.content)
    assert not parsed.bozo
    assert all(hostile in entry.title for entry in parsed.entries)  # read back as text
    calendar = Calendar.from_ical(reader.get("/public/calendar.ics").content)
    assert all(hostile in str(event["summary"]) for event in calendar.walk("VEVENT"))


def secret_guideline_catalog() -> WorkflowCatalog:
    [guideline] = [d for d in load_bundled() if d.name == "guideline"]
    data = copy.deepcopy(guideline.to_dict())
    data["states"]["wg_review"]["ballot"]["rule"] = {"preset": "simple-majority", "secret": True}
    secret = WorkflowDefinition.from_dict(data, source="secret guideline")
    return WorkflowCatalog([*(d for d in load_bundled() if d.name != "guideline"), secret])


class TestSecretBallot:
    @pytest.fixture
    def world(self, database: Database) -> World:
        return build_world(database, catalog=secret_guideline_catalog())

    def test_no_position_of_a_secret_ballot_appears_anywhere_public(self, site: Site) -> None:
        world = site.world
        proposal_id = file(world, kind="guideline", text="# Guidance\n")
        take(world, proposal_id, "submit", "wendy")
        secret_ballot = open_ballot(world, proposal_id, "wendy")
        vote(world, secret_ballot, "will", "yes", rationale="SECRET-RATIONALE-WILL")
        vote(world, secret_ballot, "wren", "no", rationale="SECRET-RATIONALE-WREN")
        for voter in ("wendy", "wes", "wade"):
            vote(world, secret_ballot, voter, "yes")
        secret_decision = close(world, secret_ballot, "wendy").decision.number
        pass_ballot(world, proposal_id, "tara", TOC)
        sign_checkpoint(site)
        reader = anonymous(site)

        ballot_page = reader.get(f"/public/ballots/{secret_ballot}")
        assert ballot_page.status_code == 200
        assert "only the tally is published" in ballot_page.text
        assert 'class="choice"' not in ballot_page.text
        assert "Wren" not in ballot_page.text
        assert "Will" not in ballot_page.text
        assert "<td>4</td>" in ballot_page.text  # the published tally: 4 yes
        assert "<td>1</td>" in ballot_page.text  # and 1 no

        pages = [
            "/public",
            "/public/decisions",
            f"/public/decisions/{secret_decision}",
            f"/public/decisions/{secret_decision}/proof.json",
            f"/public/proposals/{proposal_id}",
            "/public/ballots",
            f"/public/ballots/{secret_ballot}",
            "/public/decisions.atom",
            "/public/bodies/wg-trust-validation/decisions.atom",
            "/public/calendar.ics",
            "/public/checkpoint",
            "/public/checkpoint.json",
        ]
        for path in pages:
            response = reader.get(path)
            assert response.status_code == 200, path
            assert "SECRET-RATIONALE" not in response.text, path
        record = reader.get(f"/public/decisions/{secret_decision}").text
        assert "individual votes are not part of the record" in record
        assert "Wren" not in record

        # The open ballot that followed (TOC) is public with every position.
        toc_ballot = reader.get("/public/ballots").text
        assert toc_ballot.count('href="/public/ballots/') == 2


def private_guideline_catalog() -> WorkflowCatalog:
    [guideline] = [d for d in load_bundled() if d.name == "guideline"]
    data = copy.deepcopy(guideline.to_dict())
    data["public"] = False
    private = WorkflowDefinition.from_dict(data, source="private guideline")
    return WorkflowCatalog([*(d for d in load_bundled() if d.name != "guideline"), private])


class TestPrivateWorkflow:
    @pytest.fixture
    def world(self, database: Database) -> World:
        return build_world(database, catalog=private_guideline_catalog())

    def test_a_workflow_marked_private_never_shows(self, site: Site) -> None:
        world = site.world
        hidden = file(world, kind="guideline", title="Internal guidance", text="# Hush\n")
        take(world, hidden, "submit", "wendy")
        hidden_ballot = pass_ballot(world, hidden, "wendy", WG).ballot
        pass_ballot(world, hidden, "tara", TOC)
        shown = publish_standard(world)
        sign_checkpoint(site)
        reader = anonymous(site)
        with world.database.reader() as session:
            numbers = [
                number
                for (number,) in session.execute(
                    select(Decision.number).where(Decision.proposal_id == hidden)
                )
            ]
        assert len(numbers) == 2
        for path in (
            "/public",
            "/public/decisions",
            "/public/proposals",
            "/public/ballots",
            "/public/decisions.atom",
            "/public/bodies/toc/decisions.atom",
            "/public/calendar.ics",
        ):
            response = reader.get(path)
            assert response.status_code == 200, path
            assert "Internal guidance" not in response.text, path
            assert all(number not in response.text for number in numbers), path
        assert f"/public/proposals/{shown}" in reader.get("/public").text
        assert reader.get(f"/public/proposals/{hidden}").status_code == 404
        assert reader.get(f"/public/ballots/{hidden_ballot.id}").status_code == 404
        for number in numbers:
            assert reader.get(f"/public/decisions/{number}").status_code == 404
            assert reader.get(f"/public/decisions/{number}/proof.json").status_code == 404
        # Members still see everything, as before.
        assert "Internal guidance" in site.browser("tara").get("/decisions").text
