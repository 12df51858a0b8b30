"""Decision records in Markdown and HTML: what they state, and what they never reveal."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select
from testkit.drive import file, open_ballot, run_tick, take, vote
from testkit.world import World, build_world

from governance_engine.errors import NotFound
from governance_engine.lifecycle import WorkflowDefinition, load_bundled
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import Decision, LogEntry
from governance_engine.services.records import build_record, decision_record
from governance_engine.services.workflows import WorkflowCatalog

HOSTILE = '<script>alert(1)</script> & "quotes" *stars*'


def secret_guideline_catalog() -> WorkflowCatalog:
    [guideline] = [d for d in load_bundled() if d.name == "guideline"]
    data = copy.deepcopy(guideline.to_dict())
    data["states"]["wg_review"]["ballot"]["rule"] = {"preset": "simple-majority", "secret": True}
    secret = WorkflowDefinition.from_dict(data, source="secret guideline")
    return WorkflowCatalog([*(d for d in load_bundled() if d.name != "guideline"), secret])


def closed_ballot_decision(world: World, kind: str = "standard") -> str:
    proposal_id = file(world, kind=kind, title=HOSTILE, text="# Text\n")
    take(world, proposal_id, "submit", "wendy")
    ballot_id = open_ballot(world, proposal_id, "wendy")
    vote(world, ballot_id, "will", "yes", rationale="Clear and <b>tested</b>")
    vote(world, ballot_id, "wes", "yes", on_behalf_of=world.person_ids["wren"])
    vote(world, ballot_id, "wade", "no", rationale="needs a threat model")
    vote(world, ballot_id, "wendy", "yes")
    assert run_tick(world).closed == [ballot_id]
    with world.database.reader() as session:
        return session.scalars(select(Decision.number).where(Decision.ballot_id == ballot_id)).one()


def test_markdown_record_states_the_decision(world: World) -> None:
    number = closed_ballot_decision(world)
    with world.database.reader() as session:
        text = decision_record(session, number, "markdown")
        record = build_record(session, number)
        entries = session.scalars(
            select(LogEntry).where(LogEntry.seq.between(record.first_seq, record.last_seq))
        ).all()
    assert text.startswith(f"# Decision {number}\n")
    assert "| Body | Trust & Validation (`wg-trust-validation`) |" in text
    assert f"SHA-256 `{record.digest}`" in text
    assert "more than half of the votes cast" in text  # the rule in words
    assert "- yes: 3" in text
    assert "- no: 1" in text
    assert "needs a threat model" in text
    assert "Wren (entered by Wes)" in text  # a proxy vote says who entered it
    assert "\\<script\\>" in text  # people's text cannot become markup
    assert f"entries {record.first_seq} to {record.last_seq}" in text
    actions = [entry.action for entry in entries]
    assert actions[0] == "ballot.opened"
    assert "decision.recorded" in actions


def test_html_record_escapes_and_prints(world: World) -> None:
    number = closed_ballot_decision(world)
    with world.database.reader() as session:
        html = decision_record(session, number, "html")
    assert html.startswith("<!doctype html>")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Clear and &lt;b&gt;tested&lt;/b&gt;" in html
    assert "@media print" in html


def test_secret_ballot_record_has_no_individual_votes(database: Database) -> None:
    world = build_world(database, catalog=secret_guideline_catalog())
    number = closed_ballot_decision(world, kind="guideline")
    with world.database.reader() as session:
        text = decision_record(session, number, "markdown")
    assert "secret ballot" in text
    assert "needs a threat model" not in text
    assert "- yes: 3" in text  # the tally is published after close


def test_unknown_decision(world: World) -> None:
    with world.database.reader() as session, pytest.raises(NotFound):
        decision_record(session, "TOC-1999-001", "html")
