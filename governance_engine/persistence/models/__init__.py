"""SQLAlchemy 2 typed models: one module per part of the vocabulary."""

from governance_engine.persistence.models.access import (
    IdentityLink,
    Invitation,
    LinkedHow,
    RateCounter,
    SignInLink,
    SignInMethod,
)
from governance_engine.persistence.models.ballot import (
    Ballot,
    BallotElector,
    BallotOutcome,
    BallotState,
    Vote,
)
from governance_engine.persistence.models.base import (
    NAMING_CONVENTION,
    Base,
    UTCDateTime,
    table_of,
)
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
from governance_engine.persistence.models.log import Checkpoint, LogEntry, LogHead, MerkleBlock
from governance_engine.persistence.models.notification import (
    Notification,
    OutboxEvent,
    Reminder,
    WebhookDelivery,
    WebhookSubscription,
)
from governance_engine.persistence.models.proposal import (
    Proposal,
    ProposalAuthor,
    Revision,
    WorkflowVersion,
)
from governance_engine.persistence.models.review import Comment, Concern, Objection
from governance_engine.persistence.models.web import SignInFailure, WebSession
from governance_engine.persistence.models.witness import Cosignature, WitnessKey

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
    "Comment",
    "Concern",
    "Cosignature",
    "Decision",
    "IdempotencyRecord",
    "IdentityLink",
    "Invitation",
    "LinkedHow",
    "LogEntry",
    "LogHead",
    "MerkleBlock",
    "Notification",
    "Objection",
    "Organization",
    "OrganizationKind",
    "OutboxEvent",
    "Person",
    "Proposal",
    "ProposalAuthor",
    "RateCounter",
    "Reminder",
    "Revision",
    "Seat",
    "SeatRole",
    "SignInFailure",
    "SignInLink",
    "SignInMethod",
    "UTCDateTime",
    "Vote",
    "WebSession",
    "WebhookDelivery",
    "WebhookSubscription",
    "WitnessKey",
    "WorkflowVersion",
    "metadata",
    "table_of",
]
