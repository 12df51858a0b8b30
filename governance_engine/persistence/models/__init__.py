"""SQLAlchemy 2 typed models: one module per part of the vocabulary."""

from governance_engine.persistence.models.ballot import (
    Ballot,
    BallotElector,
    BallotOutcome,
    BallotState,
    Vote,
)
from governance_engine.persistence.models.base import NAMING_CONVENTION, Base, UTCDateTime
from governance_engine.persistence.models.decision import Decision
from governance_engine.persistence.models.directory import (
    ApiToken,
    Body,
    BodyKind,
    Organization,
    OrganizationKind,
    Person,
    Seat,
    SeatRole,
)
from governance_engine.persistence.models.idempotency import IdempotencyRecord
from governance_engine.persistence.models.log import Checkpoint, LogEntry, LogHead
from governance_engine.persistence.models.proposal import (
    Proposal,
    ProposalAuthor,
    ProposalKind,
    Revision,
    WorkflowVersion,
)

metadata = Base.metadata

__all__ = [
    "NAMING_CONVENTION",
    "ApiToken",
    "Ballot",
    "BallotElector",
    "BallotOutcome",
    "BallotState",
    "Base",
    "Body",
    "BodyKind",
    "Checkpoint",
    "Decision",
    "IdempotencyRecord",
    "LogEntry",
    "LogHead",
    "Organization",
    "OrganizationKind",
    "Person",
    "Proposal",
    "ProposalAuthor",
    "ProposalKind",
    "Revision",
    "Seat",
    "SeatRole",
    "UTCDateTime",
    "Vote",
    "WorkflowVersion",
    "metadata",
]
