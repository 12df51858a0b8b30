"""Bulk-load a large alliance fast: proposals, ballots, votes and a valid decision-log chain.

Rows go in with SQLAlchemy Core ``executemany`` in large batches, copying the shape of
the rows the real services wrote for the small world first (``_setup.build_world``). The
log entries continue the existing chain with ``governance_engine.log.entry_hash``, and the
chain head is moved to the last one, so ``log verify`` passes on the result.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import _setup
from sqlalchemy import Connection, Table, func, select, text, update

from governance_engine.log import EntryContent, entry_hash
from governance_engine.persistence.models import (
    Ballot,
    BallotElector,
    LogEntry,
    LogHead,
    Proposal,
    Revision,
    Vote,
)

BATCH = 10_000
BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Loaded:
    proposals: int
    ballots: int
    votes: int
    log_entries: int
    seconds: float
    first_proposal_id: int
    first_ballot_id: int


def _batches(rows: Iterator[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(connection: Connection, table: Table, rows: Iterator[dict[str, Any]]) -> int:
    count = 0
    for batch in _batches(rows):
        connection.execute(table.insert(), batch)
        count += len(batch)
    return count


def _template(connection: Connection, table: Table, key: Any) -> dict[str, Any]:
    row = connection.execute(select(table).where(key)).mappings().one()
    return dict(row)


def _next_id(connection: Connection, table: Table) -> int:
    return int(connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1


def _fix_sequence(connection: Connection, table: Table) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT max(id) FROM {table.name}))"
            )
        )


def load(world: _setup.BenchWorld, *, proposals: int, votes: int, log_entries: int) -> Loaded:
    """Add ``proposals`` proposals (one revision each), closed ballots carrying ``votes`` votes
    (every voting member votes on each), and ``log_entries`` entries on the decision log."""
    began = time.perf_counter()
    members = [actor.person_id for actor in world.voters]
    per_ballot = len(members)
    ballot_count = max(1, -(-votes // per_ballot)) if votes else 0
    proposals_t: Table = Proposal.__table__  # type: ignore[assignment]
    revisions_t: Table = Revision.__table__  # type: ignore[assignment]
    ballots_t: Table = Ballot.__table__  # type: ignore[assignment]
    electors_t: Table = BallotElector.__table__  # type: ignore[assignment]
    votes_t: Table = Vote.__table__  # type: ignore[assignment]
    with world.database.engine.begin() as connection:
        proposal_row = _template(connection, proposals_t, proposals_t.c.id == world.proposal_id)
        revision_row = _template(
            connection, revisions_t, revisions_t.c.proposal_id == world.proposal_id
        )
        ballot_row = _template(connection, ballots_t, ballots_t.c.id == world.ballot_id)
        first_proposal = _next_id(connection, proposals_t)
        first_revision = _next_id(connection, revisions_t)
        first_ballot = _next_id(connection, ballots_t)
        first_vote = _next_id(connection, votes_t)

        def proposal_rows() -> Iterator[dict[str, Any]]:
            for number in range(proposals):
                at = BASE_TIME + timedelta(seconds=number)
                yield {
                    **proposal_row,
                    "id": first_proposal + number,
                    "title": f"Generated proposal {number}",
                    "created_at": at,
                    "updated_at": at,
                    "state_entered_at": at,
                }

        def revision_rows() -> Iterator[dict[str, Any]]:
            for number in range(proposals):
                body = f"# Generated proposal {number}\n\nText.\n"
                yield {
                    **revision_row,
                    "id": first_revision + number,
                    "proposal_id": first_proposal + number,
                    "text": body,
                    "digest": hashlib.sha256(body.encode()).hexdigest(),
                }

        _insert(connection, proposals_t, proposal_rows())
        _insert(connection, revisions_t, revision_rows())

        def ballot_rows() -> Iterator[dict[str, Any]]:
            for number in range(ballot_count):
                proposal_number = number % max(1, proposals)
                at = BASE_TIME + timedelta(seconds=number)
                yield {
                    **ballot_row,
                    "id": first_ballot + number,
                    "proposal_id": first_proposal + proposal_number
                    if proposals
                    else world.proposal_id,
                    "revision_id": first_revision + proposal_number
                    if proposals
                    else ballot_row["revision_id"],
                    "state": "closed",
                    "outcome": "passed",
                    "opened_at": at,
                    "deadline": at + timedelta(days=7),
                    "closed_at": at + timedelta(days=7),
                    "closed_by_id": ballot_row["opened_by_id"],
                    "close_reason": "deadline",
                }

        def elector_rows() -> Iterator[dict[str, Any]]:
            for number in range(ballot_count):
                at = BASE_TIME + timedelta(seconds=number)
                for person in members:
                    yield {
                        "ballot_id": first_ballot + number,
                        "person_id": person,
                        "organization_id": None,
                        "added_at": at,
                        "removed_at": None,
                        "change_reason": "",
                    }

        def vote_rows() -> Iterator[dict[str, Any]]:
            for number in range(votes):
                ballot_number, seat = divmod(number, per_ballot)
                at = BASE_TIME + timedelta(seconds=ballot_number, microseconds=seat)
                yield {
                    "id": first_vote + number,
                    "ballot_id": first_ballot + ballot_number,
                    "voter_id": members[seat],
                    "choice": "yes" if seat % 3 else "no",
                    "rationale": "",
                    "entered_by_id": members[seat],
                    "cast_at": at,
                    "updated_at": at,
                    "changes": 0,
                }

        _insert(connection, ballots_t, ballot_rows())
        _insert(connection, electors_t, elector_rows())
        _insert(connection, votes_t, vote_rows())
        for table in (proposals_t, revisions_t, ballots_t, votes_t):
            _fix_sequence(connection, table)

    append_log(world, log_entries)
    return Loaded(
        proposals=proposals,
        ballots=ballot_count,
        votes=votes,
        log_entries=log_entries,
        seconds=time.perf_counter() - began,
        first_proposal_id=first_proposal,
        first_ballot_id=first_ballot,
    )


def append_log(world: _setup.BenchWorld, count: int) -> None:
    """Continue the chain with ``count`` valid entries and move the head to the last one."""
    log_t: Table = LogEntry.__table__  # type: ignore[assignment]
    head_t: Table = LogHead.__table__  # type: ignore[assignment]
    members = [actor.person_id for actor in world.voters]
    with world.database.engine.begin() as connection:
        head = connection.execute(select(head_t.c.seq, head_t.c.hash)).one()
        state = {"seq": int(head.seq), "hash": str(head.hash)}

        def rows() -> Iterator[dict[str, Any]]:
            for number in range(count):
                seq = state["seq"] + 1
                actor = members[number % len(members)]
                content = EntryContent(
                    seq=seq,
                    recorded_at=BASE_TIME + timedelta(milliseconds=seq),
                    actor_id=actor,
                    action="vote.cast",
                    subject_type="ballot",
                    subject_id=str(world.ballot_id),
                    proposal_id=world.proposal_id,
                    body_id=world.body_id,
                    payload={
                        "voter_id": actor,
                        "entered_by": actor,
                        "choice": "yes",
                        "rationale": "",
                        "previous": None,
                        "secret": False,
                    },
                )
                digest = entry_hash(str(state["hash"]), content)
                yield {
                    "seq": seq,
                    "recorded_at": content.recorded_at,
                    "actor_id": actor,
                    "action": content.action,
                    "subject_type": content.subject_type,
                    "subject_id": content.subject_id,
                    "proposal_id": content.proposal_id,
                    "body_id": content.body_id,
                    "payload": content.payload,
                    "prev_hash": state["hash"],
                    "hash": digest,
                }
                state["seq"] = seq
                state["hash"] = digest

        _insert(connection, log_t, rows())
        connection.execute(
            update(head_t).where(head_t.c.id == 1).values(seq=state["seq"], hash=state["hash"])
        )
