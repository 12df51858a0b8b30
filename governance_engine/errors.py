"""The one tree of domain errors.

Every refusal the engine makes is one of these, with a message a person can act on.
They carry no HTTP status: ``api/`` maps each ``code`` to a status once, in one table.

    GovernanceError
    ├── NotFound                      an id, slug or number that does not exist
    ├── NotAuthenticated              no identity, or a bad/expired/revoked token
    ├── PermissionDenied              the person may not do this (seats, flags, roles)
    ├── InvalidInput                  malformed or out-of-range input
    │   ├── RuleDefinitionError       a voting rule that cannot be evaluated
    │   └── WorkflowDefinitionError   a lifecycle file that does not validate
    ├── Conflict                      the current state forbids the request
    │   ├── ActionNotAvailable        no such action from the proposal's current state
    │   ├── GuardFailed               a named guard of the action did not hold
    │   ├── ConcurrentUpdate          someone else changed it first; retry on fresh data
    │   ├── BallotNotOpen             voting on a closed or cancelled ballot
    │   ├── ProxyOverruled            a proxy would replace the member's own position
    │   ├── BodyMissing               a workflow names a body the directory does not have
    │   ├── BallotRequired            leaving a ballot stage forward without its passed ballot
    │   └── QuorumNotMet              calling a vote in a meeting without its quorum present
    ├── StaleVersion                  If-Match / expected version does not match
    ├── LogIntegrityError             the decision log chain does not verify
    ├── TryAgain                      lost to concurrent changes too often; nothing was changed
    └── ConfigurationError            settings or the database are not usable
"""

from __future__ import annotations

from typing import Any, ClassVar


class GovernanceError(Exception):
    """Base of every domain error. ``code`` is stable and appears in API problem types."""

    code: ClassVar[str] = "governance-error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details

    def __str__(self) -> str:
        return self.message


class NotFound(GovernanceError):
    code = "not-found"


class NotAuthenticated(GovernanceError):
    code = "not-authenticated"


class PermissionDenied(GovernanceError):
    code = "permission-denied"


class InvalidInput(GovernanceError):
    code = "invalid-input"


class RuleDefinitionError(InvalidInput):
    code = "invalid-rule"


class WorkflowDefinitionError(InvalidInput):
    """A lifecycle file failed validation.

    ``problems`` holds one line per problem, each naming the file, the key and what is wrong.
    """

    code = "invalid-workflow"

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems), problems=problems)
        self.problems = problems


class Conflict(GovernanceError):
    code = "conflict"


class ActionNotAvailable(Conflict):
    code = "action-not-available"


class GuardFailed(Conflict):
    code = "guard-failed"


class ConcurrentUpdate(Conflict):
    code = "concurrent-update"


class BallotNotOpen(Conflict):
    code = "ballot-not-open"


class ProxyOverruled(Conflict):
    """A member's own position stands: a proxy may not replace it (the member may)."""

    code = "proxy-overruled"


class BodyMissing(Conflict):
    """A workflow refers to a body (by slug) that the directory does not have."""

    code = "body-missing"


class BallotRequired(Conflict):
    """A forward action out of a ballot stage, without a passed ballot there or an override."""

    code = "ballot-required"


class QuorumNotMet(Conflict):
    """Too few members present at a meeting for a vote under its rule; the rule is cited."""

    code = "quorum-not-met"


class StaleVersion(GovernanceError):
    code = "stale-version"


class LogIntegrityError(GovernanceError):
    code = "log-integrity"


class TryAgain(GovernanceError):
    """The work lost to concurrent changes on every attempt and was rolled back.

    Not a conflict with the current state: the same request may well succeed later.
    ``retry_after`` (a ``timedelta``) says when to send it again.
    """

    code = "try-again"


class ConfigurationError(GovernanceError):
    code = "configuration"
