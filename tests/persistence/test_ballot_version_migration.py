"""Migration 0010: a ballot's stored version stops counting votes, and its ETag stays the same."""

from __future__ import annotations

from sqlalchemy import select
from testkit.drive import file, open_ballot, take, vote
from testkit.world import World

from governance_engine.persistence import migrate
from governance_engine.persistence.models import Ballot


def _versions(world: World, ballot_id: int) -> tuple[int, int]:
    with world.database.reader() as session:
        ballot = session.scalars(select(Ballot).where(Ballot.id == ballot_id)).one()
        return ballot.version, ballot.current_version


def test_existing_ballots_keep_their_etag(world: World) -> None:
    proposal_id = file(world, text="# Spec\n")
    take(world, proposal_id, "submit", "wendy")
    ballot_id = open_ballot(world, proposal_id, "wendy")
    for voter, choice in [("will", "yes"), ("wren", "no"), ("will", "no")]:
        vote(world, ballot_id, voter, choice)
    assert _versions(world, ballot_id) == (1, 4)  # two votes cast, one changed
    engine = world.database.engine
    migrate.downgrade(engine, "0010-1")  # as stored before: every vote bumped the ballot
    with world.database.reader() as session:
        stored = session.scalar(select(Ballot.__table__.c.version).where(Ballot.id == ballot_id))
    assert stored == 4
    migrate.upgrade(engine)
    assert _versions(world, ballot_id) == (1, 4)
