"""The vocabulary a ballot is evaluated in: who may vote, and what a closed ballot says.

DESIGN §2: a ballot freezes its electorate when it opens and ends ``passed``, ``failed``
or ``no_quorum``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    """The three results a ballot can have (DESIGN §2, Ballot)."""

    PASSED = "passed"
    FAILED = "failed"
    NO_QUORUM = "no_quorum"


@dataclass(frozen=True)
class Elector:
    """One member of a ballot's frozen electorate.

    ``organization_id`` matters only to rules with ``one_vote_per_organization``; the order
    of electors in the electorate then says which member of an organization speaks for it
    (see :mod:`governance_engine.voting.rule`).
    """

    voter_id: int
    organization_id: int | None = None
