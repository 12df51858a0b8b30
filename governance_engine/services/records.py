"""Decision records: the formal, printable account of a decision, as Markdown or HTML.

Rendered with Jinja2 from the templates in ``governance_engine/templates``. A record states
the number, the body, the proposal and the revision digest voted on, the rule in words, the
tally, each vote with its rationale (never the individual votes of a secret ballot), and the
decision-log entries (seq and hash range) the record rests on, so a reader can check it
against the log.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session

from governance_engine.errors import NotFound
from governance_engine.lifecycle import humanize
from governance_engine.log import format_timestamp
from governance_engine.persistence.models import Ballot, Decision
from governance_engine.persistence.repositories import ballots as ballot_queries
from governance_engine.persistence.repositories import records as queries
from governance_engine.voting import Outcome, Rule

RecordFormat = Literal["markdown", "html"]


@dataclass(frozen=True)
class VoteLine:
    voter: str
    choice: str
    rationale: str
    entered_by: str | None  # set for a proxy vote


@dataclass(frozen=True)
class DecisionRecord:
    number: str
    kind: str
    outcome: str
    summary: str
    decided_at: datetime
    body_name: str
    body_slug: str
    proposal_id: int
    proposal_title: str
    proposal_kind: str
    digest: str | None
    revision_number: int | None
    rule_name: str | None = None
    rule_words: str | None = None
    secret: bool = False
    tally: dict[str, Any] = field(default_factory=dict)
    votes: tuple[VoteLine, ...] = ()
    first_seq: int | None = None
    first_hash: str | None = None
    last_seq: int | None = None
    last_hash: str | None = None


def build_record(session: Session, number: str) -> DecisionRecord:
    found = queries.decision_with_context(session, number)
    if found is None:
        raise NotFound(f"there is no decision {number}")
    decision, body, proposal = found
    revision = (
        queries.revision_by_digest(session, proposal.id, decision.digest)
        if decision.digest
        else None
    )
    evidence = queries.evidence_range(session, ballot_id=decision.ballot_id, number=number)
    ballot = session.get(Ballot, decision.ballot_id) if decision.ballot_id else None
    return DecisionRecord(
        number=decision.number,
        kind=decision.kind,
        outcome=decision.outcome,
        summary=decision.summary,
        decided_at=decision.decided_at,
        body_name=body.name,
        body_slug=body.slug,
        proposal_id=proposal.id,
        proposal_title=proposal.title,
        proposal_kind=proposal.kind,
        digest=decision.digest,
        revision_number=revision.number if revision else None,
        rule_name=ballot.rule_name if ballot else None,
        rule_words=Rule.from_dict(decision.rule).describe() if decision.rule else None,
        secret=bool(ballot and ballot.secret),
        tally=_readable_tally(
            session, published_tally(decision.tally, secret=bool(ballot and ballot.secret))
        ),
        votes=_votes(session, ballot, decision) if ballot else (),
        first_seq=evidence[0].seq if evidence else None,
        first_hash=evidence[0].hash if evidence else None,
        last_seq=evidence[1].seq if evidence else None,
        last_hash=evidence[1].hash if evidence else None,
    )


# What a tally's explanation says only while a ballot is open.
_WHILE_OPEN = ("May close now", "May not close yet", "Settled:", "Not settled:")
_OUTCOME_LINE = re.compile(
    r"^Outcome (?:if closed now|at the deadline if nothing changes): (\w+)\.$"
)
_VOTER = re.compile(r"\bvoter (\d+)\b")
_OUTCOME_WORD = re.compile(r"\b(" + "|".join(o.value for o in Outcome) + r")\b")


def readable_lines(lines: Iterable[str], names: Mapping[int, str], *, closed: bool) -> list[str]:
    """A tally's explanation for people: voters by name, outcomes in words, and, once the
    ballot is closed, what was decided rather than what closing now would give."""
    shown: list[str] = []
    for line in lines:
        if closed and line.startswith(_WHILE_OPEN):
            continue
        found = _OUTCOME_LINE.match(line)
        if found and closed:
            line = f"Outcome: {humanize(found.group(1))}."
        elif found:
            line = line[: found.start(1)] + humanize(found.group(1)) + "."
        else:
            line = _OUTCOME_WORD.sub(lambda m: humanize(m.group(1)).lower(), line)
        shown.append(_VOTER.sub(lambda m: names.get(int(m.group(1)), m.group(0)), line))
    return shown


def secret_explanation(explanation: Mapping[str, Any]) -> dict[str, Any]:
    """An explanation of a secret ballot as anyone but an auditor may read it, the keys kept:
    no standing blocks and no sentence naming a voter (those would say how someone voted)."""
    lines = explanation.get("lines")
    kept = [x for x in lines if not _VOTER.search(str(x))] if isinstance(lines, list) else lines
    return {**explanation, "lines": kept, "standing_blocks": []}


def published_tally(tally: dict[str, Any], *, secret: bool) -> dict[str, Any]:
    """The tally as a record publishes it: of a secret ballot, no sentence and no standing
    block that names who took a blocking position (``secret_explanation``)."""
    return secret_explanation(tally) if secret else dict(tally)


def _readable_tally(session: Session, tally: dict[str, Any]) -> dict[str, Any]:
    """The explanation's sentences as a record states them: names, words, what was decided."""
    lines = tally.get("lines")
    if not isinstance(lines, list):
        return tally
    mentioned = {int(m.group(1)) for line in lines for m in _VOTER.finditer(str(line))}
    names = queries.people_names(session, mentioned) if mentioned else {}
    return {**tally, "lines": readable_lines((str(x) for x in lines), names, closed=True)}


def _votes(session: Session, ballot: Ballot, decision: Decision) -> tuple[VoteLine, ...]:
    if ballot.secret:
        return ()
    counted = {e.person_id for e in ballot_queries.electors(session, ballot.id)}
    votes = [v for v in ballot_queries.votes(session, ballot.id) if v.voter_id in counted]
    names = queries.people_names(
        session, {v.voter_id for v in votes} | {v.entered_by_id for v in votes}
    )
    rule = Rule.from_dict(decision.rule) if decision.rule else None
    return tuple(
        VoteLine(
            voter=names.get(vote.voter_id, f"person {vote.voter_id}"),
            choice=rule.label(vote.choice) if rule else vote.choice,
            rationale=vote.rationale,
            entered_by=(
                names.get(vote.entered_by_id, f"person {vote.entered_by_id}")
                if vote.entered_by_id != vote.voter_id
                else None
            ),
        )
        for vote in sorted(votes, key=lambda v: names.get(v.voter_id, ""))
    )


@cache
def _environment() -> Environment:
    """HTML templates are autoescaped; Markdown ones escape people's text with ``| md``."""
    environment = Environment(
        loader=PackageLoader("governance_engine", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["timestamp"] = format_timestamp
    environment.filters["md"] = _escape_markdown
    environment.filters["words"] = humanize
    environment.filters["when"] = _when
    return environment


def _when(moment: datetime) -> str:
    """``6 December 2026, 04:22 UTC``."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def _escape_markdown(text: object) -> str:
    """Keep people's text from turning into markup in a Markdown record."""
    value = str(text)
    for character in "\\`*_{}[]<>()#+-.!|":
        value = value.replace(character, "\\" + character)
    return value.replace("\n", " ")


def render_record(record: DecisionRecord, format: RecordFormat) -> str:
    name = "decision.html" if format == "html" else "decision.md"
    return _environment().get_template(name).render(record=record)


def decision_record(session: Session, number: str, format: RecordFormat) -> str:
    return render_record(build_record(session, number), format)
