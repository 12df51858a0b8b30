"""Rebuild the governance tables from the decision log alone (DESIGN §6: the log is the record).

Folding the entries in seq order gives, for every proposal, revision, ballot, elector, vote
and decision, the row its table must hold. The same record shapes are read back from the
tables (``persistence.repositories.replay``) and compared field by field
(``services.replay``). Pure: entries in (``EntryContent`` objects or their exported
documents), records and :class:`Difference` findings out; no database, no clock.

A closed ballot also leaves a :class:`ClosedBallotFacts`: its frozen rule as ``ballot.opened``
logged it, its electorate and positions as of the ``ballot.closed`` entry, and the timing, so
its outcome can be recomputed from the log. (``voting`` and ``log`` are independent layers,
so the recomputation itself lives in ``services.replay``.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from governance_engine.log.canonical import parse_timestamp
from governance_engine.log.chain import EntryContent
from governance_engine.log.replay_records import (
    BallotRecord,
    ClosedBallotFacts,
    DecisionRecord,
    Difference,
    ElectorRecord,
    ProposalRecord,
    RevisionRecord,
    VoteRecord,
    label,
)
from governance_engine.log.replay_workflows import WorkflowRegistrations

# Actions that change none of the rebuilt tables (the directory is read only for electors'
# organizations, from ``person.created``).
IGNORED_ACTIONS = frozenset(
    {
        "organization.created",
        "body.created",
        "body.parent_set",
        "seat.granted",
        "seat.ended",
        "token.issued",
        "token.revoked",
        "ballot.outcome_not_applied",
        "proposal.timer_refused",
        "webhook.created",
        "webhook.disabled",
        "webhook.enabled",
        # signing in (services.access, services.web_sessions)
        "session.signed_in",
        "session.signed_out",
        "sessions.ended",
        "identity.linked",
        "identity.revoked",
        "invitation.sent",
        "organization.email_domains_set",
        "witness.registered",
    }
)


@dataclass
class ReplayState:
    """Everything the log says the tables hold, keyed as each table is."""

    entries: int = 0
    proposals: dict[int, ProposalRecord] = field(default_factory=dict)
    revisions: dict[tuple[int, int], RevisionRecord] = field(default_factory=dict)
    ballots: dict[int, BallotRecord] = field(default_factory=dict)
    electors: dict[tuple[int, int], ElectorRecord] = field(default_factory=dict)
    votes: dict[tuple[int, int], VoteRecord] = field(default_factory=dict)
    decisions: dict[str, DecisionRecord] = field(default_factory=dict)
    closed: dict[int, ClosedBallotFacts] = field(default_factory=dict)
    problems: list[Difference] = field(default_factory=list)  # the log disagreeing with itself
    unknown_actions: dict[str, int] = field(default_factory=dict)
    organizations: dict[int, int | None] = field(default_factory=dict)  # person -> organization
    workflows: WorkflowRegistrations = field(default_factory=WorkflowRegistrations)


@dataclass(frozen=True, slots=True)
class _Entry:
    seq: int
    at: datetime
    actor_id: int | None
    action: str
    subject_id: str
    proposal_id: int | None
    body_id: int | None
    payload: Mapping[str, Any]

    @classmethod
    def of(cls, entry: EntryContent | Mapping[str, Any]) -> _Entry:
        """An entry as the log stores it, or as ``log export`` writes it (one JSON document)."""
        document = entry.as_document() if isinstance(entry, EntryContent) else entry
        at = document["recorded_at"]
        return cls(
            int(document["seq"]),
            parse_timestamp(at) if isinstance(at, str) else at,
            document.get("actor_id"),
            str(document["action"]),
            str(document["subject_id"]),
            document.get("proposal_id"),
            document.get("body_id"),
            document.get("payload") or {},
        )


class Replayer:
    """Folds log entries, in seq order, into a :class:`ReplayState`."""

    def __init__(self) -> None:
        self.state = ReplayState()
        # indexes, so each entry costs the same however long the log is
        self._revision_counts: dict[int, int] = {}
        self._electors_of: dict[int, list[ElectorRecord]] = {}
        self._votes_of: dict[int, list[VoteRecord]] = {}

    def apply(self, raw: EntryContent | Mapping[str, Any]) -> None:
        entry = _Entry.of(raw)
        self.state.entries += 1
        handler = _HANDLERS.get(entry.action)
        if handler is None:
            if entry.action not in IGNORED_ACTIONS:
                counts = self.state.unknown_actions
                counts[entry.action] = counts.get(entry.action, 0) + 1
            return
        try:
            handler(self, entry)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            self._note(entry, "log", f"seq={entry.seq}", "payload", "readable", repr(error))

    # -- helpers ---------------------------------------------------------------------------

    def _note(
        self, entry: _Entry, table: str, key: str, field: str | None, expected: Any, found: Any
    ) -> None:
        """The entry says ``found`` where the entries before it add up to ``expected``."""
        where = f"log seq {entry.seq} ({entry.action})"
        self.state.problems.append(Difference(table, key, field, expected, found, "replay", where))

    def _unknown(self, entry: _Entry, table: str, key: str) -> None:
        """The entry names a row no earlier entry made."""
        self._note(entry, table, key, None, False, True)

    def _again(self, entry: _Entry, table: str, key: str) -> None:
        """The entry makes a row an earlier entry already made."""
        self._note(entry, table, key, "created", "once", "again")

    def _proposal(self, entry: _Entry, proposal_id: int | None) -> ProposalRecord | None:
        proposal = self.state.proposals.get(proposal_id) if proposal_id is not None else None
        if proposal is None:
            self._unknown(entry, "proposals", f"id={proposal_id}")
        return proposal

    def _ballot(self, entry: _Entry) -> BallotRecord | None:
        ballot = self.state.ballots.get(int(entry.subject_id))
        if ballot is None:
            self._unknown(entry, "ballots", f"id={entry.subject_id}")
        return ballot

    def _add_elector(self, elector: ElectorRecord) -> None:
        self.state.electors[(elector.ballot_id, elector.person_id)] = elector
        self._electors_of.setdefault(elector.ballot_id, []).append(elector)

    @staticmethod
    def _touch(proposal: ProposalRecord, at: datetime) -> None:
        """Rule: every change to a proposal bumps its ``version`` counter (DESIGN §2, §7)."""
        proposal.version += 1
        proposal.updated_at = at

    # -- proposals -------------------------------------------------------------------------

    def _person_created(self, entry: _Entry) -> None:
        self.state.organizations[int(entry.subject_id)] = entry.payload.get("organization_id")

    def _filed(self, entry: _Entry) -> None:
        """A proposal starts at version 1 in its workflow's initial state, filed by the actor."""
        p, proposal_id = entry.payload, int(entry.subject_id)
        if proposal_id in self.state.proposals:
            self._again(entry, "proposals", f"id={proposal_id}")
            return
        self.state.proposals[proposal_id] = ProposalRecord(
            id=proposal_id,
            kind=p["kind"],
            title=p["title"],
            summary=p.get("summary", ""),
            sponsor_body_id=entry.body_id,
            state=p["state"],
            workflow_name=p["workflow"],
            workflow_version=p["workflow_version"],
            version=1,
            authors=tuple(sorted(p.get("authors", ()))),
            filed_by_id=entry.actor_id,
            created_at=entry.at,
            updated_at=entry.at,
            state_entered_at=entry.at,
        )
        where = f"log seq {entry.seq} ({entry.action})"
        self.state.problems.extend(self.state.workflows.check_filing(proposal_id, p, where))

    def _registered(self, entry: _Entry) -> None:
        """A workflow version is registered once, with the digest of the definition it logs."""
        where = f"log seq {entry.seq} ({entry.action})"
        self.state.problems.extend(self.state.workflows.register(entry.seq, entry.payload, where))

    def _revision(self, entry: _Entry) -> None:
        """Revisions are numbered 1, 2, ... per proposal; each one bumps the proposal's version."""
        proposal = self._proposal(entry, entry.proposal_id)
        if proposal is None:
            return
        p, number = entry.payload, int(entry.payload["number"])
        expected = self._revision_counts.get(proposal.id, 0) + 1
        if number != expected:
            self._note(entry, "revisions", f"proposal_id={proposal.id}", "number", expected, number)
        self._revision_counts[proposal.id] = max(expected, number)
        # the service records the filer as author of a revision the system added
        author = entry.actor_id if entry.actor_id is not None else proposal.filed_by_id
        self.state.revisions[(proposal.id, number)] = RevisionRecord(
            proposal.id, number, p["digest"], p.get("note", ""), author, entry.at
        )
        self._touch(proposal, entry.at)

    def _transitioned(self, entry: _Entry) -> None:
        """A transition moves ``from`` -> ``to`` and states the version it leaves behind."""
        proposal = self._proposal(entry, entry.proposal_id)
        if proposal is None:
            return
        p, key = entry.payload, label(proposal)
        if p.get("from") != proposal.state:
            self._note(entry, "proposals", key, "state", proposal.state, p.get("from"))
        proposal.state = p["to"]
        proposal.state_entered_at = entry.at
        self._touch(proposal, entry.at)
        if p.get("version", proposal.version) != proposal.version:
            self._note(entry, "proposals", key, "version", proposal.version, p["version"])

    # -- ballots ---------------------------------------------------------------------------

    def _opened(self, entry: _Entry) -> None:
        """Opening freezes the rule, digest, deadline and electorate (DESIGN §2, Ballot)."""
        p, ballot_id = entry.payload, int(entry.subject_id)
        proposal = self._proposal(entry, entry.proposal_id)
        if ballot_id in self.state.ballots:
            self._again(entry, "ballots", f"id={ballot_id}")
        if proposal is None or ballot_id in self.state.ballots:
            return
        rule = dict(p.get("rule") or {})
        self.state.ballots[ballot_id] = BallotRecord(
            id=ballot_id,
            proposal_id=proposal.id,
            body_id=entry.body_id,
            stage=p["stage"],
            revision=p.get("revision"),
            digest=p["digest"],
            rule=rule,
            rule_name=rule.get("name"),
            secret=bool(p.get("secret", False)),
            deadline=parse_timestamp(p["deadline"]),
            state="open",
            outcome=None,
            # the service records the filer as opener of a ballot the system opened
            opened_by_id=entry.actor_id if entry.actor_id is not None else proposal.filed_by_id,
            opened_at=entry.at,
            closed_at=None,
            closed_by_id=None,
            close_reason="",
            version=1,
        )
        for member in p.get("electorate", ()):
            person, organization = int(member["person_id"]), member.get("organization_id")
            self._add_elector(ElectorRecord(ballot_id, person, organization, entry.at, None, ""))
        self._touch(proposal, entry.at)

    def _voted(self, entry: _Entry) -> None:
        """One current position per voter; a change keeps the earlier one in the log only."""
        ballot = self._ballot(entry)
        if ballot is None:
            return
        p, voter = entry.payload, int(entry.payload["voter_id"])
        key, where = (ballot.id, voter), f"ballot_id={ballot.id} voter_id={voter}"
        vote = self.state.votes.get(key)
        previous = None if vote is None else {"choice": vote.choice, "rationale": vote.rationale}
        if (entry.action == "vote.changed") != (vote is not None):
            first = "vote.cast" if vote is None else "vote.changed"
            self._note(entry, "votes", where, "action", first, entry.action)
        elif p.get("previous") != previous:
            self._note(entry, "votes", where, "previous", previous, p.get("previous"))
        elector = self.state.electors.get(key)
        if elector is None or elector.removed_at is not None:
            self._unknown(entry, "ballot_electors", f"ballot_id={ballot.id} person_id={voter}")
        choice, rationale = p["choice"], p.get("rationale", "")
        entered_by = p.get("entered_by", entry.actor_id)
        if vote is None:
            vote = VoteRecord(
                ballot.id, voter, choice, rationale, entered_by, entry.at, entry.at, 0
            )
            self.state.votes[key] = vote
            self._votes_of.setdefault(ballot.id, []).append(vote)
        else:
            vote.choice, vote.rationale, vote.entered_by_id = choice, rationale, entered_by
            vote.updated_at, vote.changes = entry.at, vote.changes + 1

    def _amended(self, entry: _Entry) -> None:
        """Removed electors keep their row, with the time; one re-added keeps its ``added_at``."""
        ballot = self._ballot(entry)
        if ballot is None:
            return
        reason = entry.payload.get("reason", "")
        for person in entry.payload.get("added", ()):
            elector = self.state.electors.get((ballot.id, person))
            if elector is None:
                logged = entry.payload.get("organizations", {})
                organization = logged.get(str(person), self.state.organizations.get(person))
                self._add_elector(
                    ElectorRecord(ballot.id, person, organization, entry.at, None, reason)
                )
            else:
                elector.removed_at, elector.change_reason = None, reason
        for person in entry.payload.get("removed", ()):
            elector = self.state.electors.get((ballot.id, person))
            if elector is None:
                self._unknown(entry, "ballot_electors", f"ballot_id={ballot.id} person_id={person}")
            else:
                elector.removed_at, elector.change_reason = entry.at, reason
        ballot.version += 1

    def _closed(self, entry: _Entry) -> None:
        """Closing records the outcome; the electorate and positions as of now are kept with it
        (electors removed by an amendment left it, and their positions stop counting)."""
        ballot = self._ballot(entry)
        if ballot is None:
            return
        p = entry.payload
        if p.get("digest", ballot.digest) != ballot.digest:
            self._note(entry, "ballots", label(ballot), "digest", ballot.digest, p["digest"])
        ballot.state, ballot.outcome = "closed", p.get("outcome")
        ballot.closed_at, ballot.closed_by_id = entry.at, entry.actor_id
        ballot.version += 1
        electors = self._electors_of.get(ballot.id, [])
        members = sorted((e.person_id, e.organization_id) for e in electors if e.removed_at is None)
        voters = {person for person, _ in members}
        votes = self._votes_of.get(ballot.id, [])
        self.state.closed[ballot.id] = ClosedBallotFacts(
            ballot_id=ballot.id,
            rule=ballot.rule,
            electorate=tuple(members),
            positions={v.voter_id: v.choice for v in votes if v.voter_id in voters},
            elapsed=entry.at - ballot.opened_at,
            at_deadline=entry.at >= ballot.deadline,
            outcome=ballot.outcome,
            tally=dict(p.get("tally") or {}),
        )

    def _cancelled(self, entry: _Entry) -> None:
        """Cancelling ends a ballot without an outcome and bumps its proposal's version."""
        ballot = self._ballot(entry)
        if ballot is None:
            return
        ballot.state, ballot.close_reason = "cancelled", entry.payload.get("reason", "")
        ballot.closed_at, ballot.closed_by_id = entry.at, entry.actor_id
        ballot.version += 1
        proposal = self._proposal(entry, ballot.proposal_id)
        if proposal is not None:
            self._touch(proposal, entry.at)

    def _decided(self, entry: _Entry) -> None:
        """A decision of a ballot carries its tally and frozen rule; a transition's, neither."""
        p = entry.payload
        number, ballot_id = str(p.get("number", entry.subject_id)), p.get("ballot_id")
        if number in self.state.decisions:
            self._again(entry, "decisions", f"number={number}")
            return
        facts = self.state.closed.get(ballot_id) if ballot_id is not None else None
        if ballot_id is not None and facts is None:
            self._unknown(entry, "ballots", f"id={ballot_id} (closed)")
        self.state.decisions[number] = DecisionRecord(
            number=number,
            kind=p["kind"],
            outcome=p["outcome"],
            ballot_id=ballot_id,
            digest=p.get("digest"),
            proposal_id=entry.proposal_id,
            body_id=entry.body_id,
            summary=p.get("summary", ""),
            decided_at=entry.at,
            tally=dict(facts.tally) if facts is not None else {},
            rule=dict(facts.rule) if facts is not None else None,
        )


_HANDLERS = {
    "person.created": Replayer._person_created,
    "proposal.filed": Replayer._filed,
    "revision.added": Replayer._revision,
    "proposal.transitioned": Replayer._transitioned,
    "ballot.opened": Replayer._opened,
    "vote.cast": Replayer._voted,
    "vote.changed": Replayer._voted,
    "ballot.electorate_amended": Replayer._amended,
    "ballot.closed": Replayer._closed,
    "ballot.cancelled": Replayer._cancelled,
    "decision.recorded": Replayer._decided,
    "workflow.registered": Replayer._registered,
}
