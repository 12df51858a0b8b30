"""Pages speak words, not identifiers: states, actions, outcomes and bodies by their labels,
people by name, dates for people, and closed ballots say what was decided."""

from __future__ import annotations

import html
import re

from testkit.drive import close, vote
from testkit.pages import Site, a_proposal_in_review

IDENTIFIERS = ("wg_review", "wg_last_call", "toc_review", "no_quorum", "wg_return", "wg-trust")
ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
HUMAN_DATE = re.compile(
    r"\b\d{1,2} (January|February|March|April|May|June|July|August|"
    r"September|October|November|December) \d{4}, \d{2}:\d{2} UTC\b"
)


def visible(page: str) -> str:
    """What a reader sees: no markup, attributes or the diagram's Mermaid source."""
    page = re.sub(r"<details>.*?</details>", " ", page, flags=re.S)
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def assert_words(text: str) -> None:
    for identifier in IDENTIFIERS:
        assert identifier not in text, identifier
    assert not ISO_TIMESTAMP.search(text), ISO_TIMESTAMP.search(text)
    assert not re.search(r"\bvoter \d+\b", text)


def test_the_proposal_page_names_states_actions_and_bodies_in_words(site: Site) -> None:
    proposal_id, _ = a_proposal_in_review(site.world)
    text = visible(site.browser("wendy").get(f"/proposals/{proposal_id}").text)
    assert_words(text)
    assert "WG review" in text
    assert "WG last call" in text
    assert "TOC review" in text
    assert "WG return" in text  # an action's default label, in the transitions table
    assert HUMAN_DATE.search(text)
    assert "Trust & Validation" in text  # the sponsor and the voting body by name
    assert "Revision 2" in text  # the latest revision, not the proposal's version counter
    assert "Version" not in text.split("Summary")[0]


def test_a_closed_ballot_and_its_record_say_what_was_decided(site: Site) -> None:
    world = site.world
    _proposal_id, ballot_id = a_proposal_in_review(world)
    for who in ("wren", "wade"):
        vote(world, ballot_id, who, "yes")
    close(world, ballot_id, "wendy")
    wendy = site.browser("wendy")
    ballot = wendy.get(f"/ballots/{ballot_id}").text
    text = visible(ballot)
    assert_words(text)
    assert "Closed: Passed" in text
    assert "Outcome: Passed." in text
    assert "if closed now" not in text
    assert "May close now" not in text
    number = re.search(r'href="/decisions/([A-Z-]+-\d{4}-\d{3})"', ballot)
    assert number, ballot
    record = visible(wendy.get(f"/decisions/{number.group(1)}").text)
    assert_words(record)
    assert "Outcome: Passed." in record
    assert "if closed now" not in record
    assert "May close now" not in record
    assert HUMAN_DATE.search(record)
    for listing in ("/ballots?state=", "/decisions", "/proposals", "/"):
        shown = visible(wendy.get(listing).text)
        assert_words(shown)
    assert "Passed" in visible(wendy.get("/decisions").text)


def test_an_open_ballot_names_who_blocks(site: Site) -> None:
    world = site.world
    _, ballot_id = a_proposal_in_review(world)
    page = site.browser("wendy").get(f"/ballots/{ballot_id}").text
    text = visible(page)
    assert_words(text)
    assert "If it closed now" in text  # still open: the hypothetical is right here
    assert "Open" in text
