"""Motions voted in a meeting by the members present, under a meeting rule (issue 24, point 3).

The rule, after the CNCF TOC and OpenStack TC charters: a motion raised in an open meeting is a
vote of the body's voting members under a rule that counts presence (``quorum_basis`` or
``threshold_base`` ``present``, e.g. the ``cncf-toc-meeting`` preset: quorum of two thirds of
all members present, passes with more than half of the members present). Below the rule's
quorum, calling the vote is refused (:class:`QuorumNotMet`, the rule cited in words). Only
members present (in person, remote or by proxy) take a position.

The tally comes from the same pure :func:`governance_engine.voting.evaluate` as electronic
ballots. A motion is recorded as its own row, not as a ``Ballot``: a ballot is on a proposal's
revision (its ``proposal_id``, revision and digest are required, and closing one fires the
proposal's workflow), while a motion may be on anything. The frozen rule, electorate, the
members present and every position are in the ``motion.decided`` log entry, so the outcome
can be recomputed from the log alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy.orm import Session

from governance_engine.errors import Conflict, InvalidInput, QuorumNotMet
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import (
    PRESENT_STATUSES,
    Meeting,
    MeetingState,
    Motion,
)
from governance_engine.persistence.repositories import ballots as ballot_queries
from governance_engine.persistence.repositories import meetings as queries
from governance_engine.services.identity import Actor
from governance_engine.services.meetings import get_meeting, require_meeting_officer
from governance_engine.voting import (
    Elector,
    Evaluation,
    Outcome,
    Rule,
    evaluate,
    parse_rule,
    quorum_required,
)

DEFAULT_RULE: Final = "cncf-toc-meeting"
MAX_TEXT: Final = 20_000


@dataclass(frozen=True)
class Position:
    person_id: int
    choice: str
    rationale: str = ""


@dataclass(frozen=True)
class DecidedMotion:
    motion: Motion
    evaluation: Evaluation


def meeting_rule(name: str) -> Rule:
    """A rule for votes in a meeting: a preset (or rule) that counts members present."""
    rule = parse_rule(name)
    if not rule.counts_presence:
        raise InvalidInput(
            f"rule {rule.name!r} does not count members present; a meeting votes under a "
            "meeting rule such as cncf-toc-meeting or openstack-tc-meeting",
            field="rule",
        )
    return rule


def present_members(session: Session, meeting: Meeting, electorate: Sequence[int]) -> list[int]:
    """Voting members recorded present, remote or by proxy."""
    members = set(electorate)
    return sorted(
        row.person_id
        for row in queries.attendance(session, meeting.id)
        if row.status in PRESENT_STATUSES and row.person_id in members
    )


def check_quorum(rule: Rule, electorate: Sequence[Elector], present: Sequence[int]) -> None:
    """Refuse a vote the rule's quorum of members present does not allow (QuorumNotMet)."""
    trial = evaluate(rule, electorate, {}, elapsed=timedelta(0), at_deadline=True, present=present)
    if trial.outcome is not Outcome.NO_QUORUM:
        return
    needed = quorum_required(rule, len(electorate))
    raise QuorumNotMet(
        f"no quorum: {len(present)} of the {len(electorate)} voting members are present, "
        f"{needed} needed; the rule {rule.name!r}: {rule.description or rule.describe()}",
        rule=rule.name,
        present=len(present),
        members=len(electorate),
        needed=needed,
    )


def raise_motion(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    meeting_id: int,
    title: str,
    text: str = "",
    rule_name: str = DEFAULT_RULE,
    positions: Sequence[Position] = (),
) -> DecidedMotion:
    """Put a motion to the vote in an open meeting and record its outcome (meeting officer)."""
    meeting = get_meeting(session, meeting_id, for_update=True)
    require_meeting_officer(session, actor, meeting, at, "call a vote in the meeting")
    if meeting.state != MeetingState.OPEN.value:
        raise Conflict(f"meeting {meeting.id} is {meeting.state}: motions need an open meeting")
    title = title.strip()
    if not title or len(title) > 200:
        raise InvalidInput("a motion needs a title of at most 200 characters", field="title")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"a motion's text has at most {MAX_TEXT} characters", field="text")
    rule = meeting_rule(rule_name)
    members = ballot_queries.voting_members(session, meeting.body_id, at)
    electorate = [Elector(voter_id=p.id, organization_id=p.organization_id) for p in members]
    present = present_members(session, meeting, [p.id for p in members])
    check_quorum(rule, electorate, present)
    chosen = _positions(rule, positions, present)
    evaluation = evaluate(
        rule,
        electorate,
        chosen,
        elapsed=at - (meeting.opened_at or at),
        at_deadline=True,
        present=present,
    )
    assert actor.person_id is not None  # a meeting officer is a person
    motion = Motion(
        meeting_id=meeting.id,
        body_id=meeting.body_id,
        title=title,
        text=text,
        rule_name=rule.name,
        rule=rule.to_dict(),
        electorate=[e.voter_id for e in electorate],
        present=present,
        positions={str(k): v for k, v in sorted(chosen.items())},
        outcome=evaluation.outcome.value,
        tally=evaluation.explanation.to_dict(),
        raised_by_id=actor.person_id,
        decided_at=at,
    )
    session.add(motion)
    session.flush()
    _log(
        session,
        motion,
        actor,
        at,
        action="motion.raised",
        payload={
            "meeting_id": meeting.id,
            "title": title,
            "text": text,
            "rule": motion.rule,
            "electorate": [
                {"person_id": e.voter_id, "organization_id": e.organization_id} for e in electorate
            ],
            "present": present,
        },
    )
    _log(
        session,
        motion,
        actor,
        at,
        action="motion.decided",
        payload={
            "meeting_id": meeting.id,
            "positions": motion.positions,
            "rationales": {str(p.person_id): p.rationale for p in positions if p.rationale},
            "outcome": motion.outcome,
            "tally": motion.tally,
        },
    )
    return DecidedMotion(motion, evaluation)


def _positions(rule: Rule, positions: Sequence[Position], present: Sequence[int]) -> dict[int, str]:
    here = set(present)
    chosen: dict[int, str] = {}
    for position in positions:
        if position.person_id not in here:
            raise InvalidInput(
                f"person {position.person_id} is not a voting member present at the meeting",
                field="positions",
            )
        if position.person_id in chosen:
            raise InvalidInput(f"person {position.person_id} has two positions", field="positions")
        rule.check_position(position.choice, position.rationale)
        chosen[position.person_id] = position.choice
    return chosen


def _log(
    session: Session,
    motion: Motion,
    actor: Actor,
    at: datetime,
    *,
    action: str,
    payload: dict[str, object],
) -> None:
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action=action,
        subject_type="motion",
        subject_id=motion.id,
        body_id=motion.body_id,
        payload=payload,
    )
