"""Load over real HTTP from client threads, and the ledger of what each request got back.

Every write a load test sends carries a unique *tag* in a free-text field the service logs
(a vote's rationale, an action's reason, a revision's note, a proposal's title). After the
run the ledger is held against the decision log and the tables:

* an acknowledged write (2xx) is in the log exactly once, with what the response said;
* a refused write (4xx) is not in the log at all;
* a write whose answer never came (the server was killed) is in the log at most once;
* no request got a 5xx.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from governance_engine.persistence.models import Ballot, Decision, LogEntry, Vote

# How often a client sends a request answered 503 try-again before it gives up on it.
RESENDS = 4

# Where each logged action keeps the free text a load test puts its tag in.
TAG_FIELD = {
    "vote.cast": "rationale",
    "vote.changed": "rationale",
    "proposal.transitioned": "reason",
    "revision.added": "note",
    "proposal.filed": "title",
}
WRITE_ACTIONS = {
    "vote": ("vote.cast", "vote.changed"),
    "action": ("proposal.transitioned",),
    "revision": ("revision.added",),
    "filing": ("proposal.filed",),
}


class ConnectionLost(Exception):
    """The request got no answer: the server is gone."""


@dataclass(frozen=True)
class Sent:
    """One request and what came back (``status`` None: no answer at all)."""

    kind: str  # vote | action | revision | filing | ballot | close
    who: str
    path: str
    tag: str
    status: int | None
    body: Any
    sent: dict[str, Any] = field(default_factory=dict)

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def in_doubt(self) -> bool:
        return self.status is None

    @property
    def try_again(self) -> bool:
        """Answered 503 try-again: lost to contention on every attempt, nothing written."""
        return (
            self.status == 503
            and isinstance(self.body, dict)
            and str(self.body.get("type", "")).endswith(":try-again")
        )


class Ledger:
    """Every request of every client thread, in the order each thread sent them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sent: list[Sent] = []

    def record(self, sent: Sent) -> None:
        with self._lock:
            self.sent.append(sent)

    def of(self, kind: str) -> list[Sent]:
        return [s for s in self.sent if s.kind == kind]

    def acknowledged(self) -> list[Sent]:
        return [s for s in self.sent if s.acknowledged]

    def in_doubt(self) -> list[Sent]:
        return [s for s in self.sent if s.in_doubt]

    def server_errors(self) -> list[Sent]:
        """5xx answers other than 503 try-again (which a client resends: see ``try_again``)."""
        return [
            s for s in self.sent if s.status is not None and s.status >= 500 and not s.try_again
        ]

    def try_again(self) -> list[Sent]:
        return [s for s in self.sent if s.try_again]

    def counts(self) -> dict[str, int]:
        statuses: dict[str, int] = defaultdict(int)
        for s in self.sent:
            statuses["no answer" if s.status is None else f"{s.status // 100}xx"] += 1
        return dict(sorted(statuses.items()))


def new_tag(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class Client:
    """One thread's HTTP client: sends as a named person and records every write."""

    def __init__(self, base_url: str, tokens: dict[str, str], ledger: Ledger) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=30)
        self.tokens = tokens
        self.ledger = ledger

    def close(self) -> None:
        self.http.close()

    def _headers(self, who: str, extra: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}", **(extra or {})}

    def get(self, who: str, path: str, **params: Any) -> httpx.Response:
        try:
            return self.http.get(path, headers=self._headers(who, None), params=params)
        except httpx.TransportError as error:
            raise ConnectionLost(str(error)) from error

    def post(
        self,
        who: str,
        path: str,
        json: Any = None,
        *,
        kind: str,
        tag: str = "",
        headers: dict[str, str] | None = None,
    ) -> Sent:
        for _ in range(RESENDS):
            try:
                response = self.http.post(path, json=json, headers=self._headers(who, headers))
            except httpx.TransportError as error:
                self.ledger.record(Sent(kind, who, path, tag, None, None, json or {}))
                raise ConnectionLost(str(error)) from error
            try:
                body = response.json()
            except ValueError:
                body = response.text
            sent = Sent(kind, who, path, tag, response.status_code, body, json or {})
            self.ledger.record(sent)
            if not sent.try_again:
                break
            # Nothing was written: a client resends after Retry-After, as the API documents.
            time.sleep(float(response.headers.get("Retry-After", "1")))
        return sent


class Crew:
    """Client threads. An exception in any of them is kept, and ``check`` fails on it; a lost
    connection ends its thread quietly when the test kills the server on purpose."""

    def __init__(self, *, expect_kill: bool = False) -> None:
        self.expect_kill = expect_kill
        self.errors: list[BaseException] = []
        self.threads: list[threading.Thread] = []

    def start(self, work: Callable[..., None], *args: Any) -> threading.Thread:
        def guarded() -> None:
            try:
                work(*args)
            except ConnectionLost:
                if not self.expect_kill:
                    self.errors.append(ConnectionLost("a request got no answer"))
            except Exception as error:
                self.errors.append(error)

        thread = threading.Thread(target=guarded, daemon=True)
        self.threads.append(thread)
        thread.start()
        return thread

    @staticmethod
    def join(threads: Iterable[threading.Thread], timeout: float = 30) -> None:
        for thread in threads:
            thread.join(timeout)

    def check(self) -> None:
        """Every thread ended, and none of them failed."""
        self.join(self.threads, timeout=30)
        alive = sum(thread.is_alive() for thread in self.threads)
        assert not alive, f"{alive} client threads are still running"
        assert not self.errors, f"a client thread failed: {self.errors[0]!r}"


def _tag_of(entry: LogEntry) -> str | None:
    key = TAG_FIELD.get(entry.action)
    value = entry.payload.get(key) if key else None
    return value if isinstance(value, str) else None


def entries_by_tag(session: Session) -> dict[str, list[LogEntry]]:
    found: dict[str, list[LogEntry]] = defaultdict(list)
    for entry in session.scalars(select(LogEntry).order_by(LogEntry.seq)):
        tag = _tag_of(entry)
        if tag:
            found[tag].append(entry)
    return found


def check_writes_in_log(session: Session, ledger: Ledger, ids: dict[str, int]) -> list[str]:
    """Each tagged write against the log: acknowledged once, refused never, in doubt at most once.

    An acknowledged write's entry must also say what the response said (voter and choice of a
    vote, action and new version of a transition, number and digest of a revision).
    ``ids`` maps the names the clients used to person ids.
    """
    logged = entries_by_tag(session)
    problems = []
    # A request answered 503 try-again is resent under the same tag: its entry, if any, is
    # the resend's, and must be there only if a resend was acknowledged.
    acknowledged = {sent.tag for sent in ledger.sent if sent.acknowledged}
    for sent in ledger.sent:
        if not sent.tag or sent.kind not in WRITE_ACTIONS:
            continue
        entries = [e for e in logged.get(sent.tag, []) if e.action in WRITE_ACTIONS[sent.kind]]
        if sent.acknowledged:
            if len(entries) != 1:
                problems.append(
                    f"acknowledged {sent.kind} {sent.tag} is {len(entries)}x in the log"
                )
                continue
            problems.extend(_matches(sent, entries[0], ids))
        elif sent.in_doubt and len(entries) > 1:
            problems.append(f"unanswered {sent.kind} {sent.tag} is {len(entries)}x in the log")
        elif sent.try_again and sent.tag in acknowledged:
            continue
        elif not sent.in_doubt and entries:
            problems.append(f"refused ({sent.status}) {sent.kind} {sent.tag} is in the log")
    return problems


def _matches(sent: Sent, entry: LogEntry, ids: dict[str, int]) -> list[str]:
    body, payload = sent.body, entry.payload
    expected: dict[str, Any]
    found: dict[str, Any]
    if sent.kind == "vote":
        expected = {
            "ballot": body["ballot_id"],
            "voter": body["voter_id"],
            "choice": body["choice"],
        }
        found = {
            "ballot": int(entry.subject_id),
            "voter": payload["voter_id"],
            "choice": payload["choice"],
        }
        if body["voter_id"] != ids[sent.who] or body["choice"] != sent.sent["choice"]:
            return [f"vote {sent.tag}: the response {body} is not what was sent {sent.sent}"]
    elif sent.kind == "action":
        expected = {"proposal": body["id"], "version": body["version"], "to": body["state"]}
        found = {"proposal": entry.proposal_id, "version": payload["version"], "to": payload["to"]}
    elif sent.kind == "revision":
        expected = {"number": body["number"], "digest": body["digest"]}
        found = {"number": payload["number"], "digest": payload["digest"]}
    else:
        expected = {"proposal": body["id"]}
        found = {"proposal": int(entry.subject_id)}
    if expected != found:
        return [f"{sent.kind} {sent.tag}: acknowledged as {expected}, logged as {found}"]
    return []


def check_last_votes_stored(session: Session, ledger: Ledger, ids: dict[str, int]) -> list[str]:
    """Rule: each voter's stored position is the last one acknowledged to them, or one sent
    after it whose answer never came; never an earlier one (a lost update)."""
    by_pair: dict[tuple[int, int], list[Sent]] = defaultdict(list)
    for sent in ledger.of("vote"):
        ballot_id = int(sent.path.rstrip("/").split("/")[-2])
        by_pair[(ballot_id, ids[sent.who])].append(sent)
    stored = {(v.ballot_id, v.voter_id): v for v in session.scalars(select(Vote))}
    problems = []
    for pair, sents in by_pair.items():
        acknowledged = [i for i, s in enumerate(sents) if s.acknowledged]
        if not acknowledged:
            continue
        last = acknowledged[-1]
        allowed = {sents[last].tag} | {s.tag for s in sents[last + 1 :] if s.in_doubt}
        vote = stored.get(pair)
        if vote is None or vote.rationale not in allowed:
            have = None if vote is None else (vote.choice, vote.rationale)
            problems.append(
                f"ballot {pair[0]}, voter {pair[1]}: stored {have}, last acknowledged "
                f"{(sents[last].sent['choice'], sents[last].tag)}"
            )
    return problems


def check_closed_ballots(session: Session) -> list[str]:
    """Rule: every closed ballot has exactly one ``ballot.closed``, one ``decision.recorded``,
    one decision row, and at most one outcome action fired by the system for it; an open
    ballot has none of these."""
    entries = list(session.scalars(select(LogEntry).order_by(LogEntry.seq)))
    closed: dict[str, int] = defaultdict(int)
    for entry in entries:
        if entry.action == "ballot.closed":
            closed[entry.subject_id] += 1
    recorded: dict[int, int] = defaultdict(int)
    fired: dict[int, int] = defaultdict(int)
    for entry in entries:
        ballot_id = entry.payload.get("ballot_id")
        if entry.action == "decision.recorded" and ballot_id is not None:
            recorded[int(ballot_id)] += 1
        reason = entry.payload.get("reason", "")
        if entry.action == "proposal.transitioned" and entry.actor_id is None:
            words = str(reason).split()
            if len(words) == 3 and words[0] == "ballot" and words[1].isdigit():
                fired[int(words[1])] += 1
    decisions: dict[int, int] = defaultdict(int)
    for decision in session.scalars(select(Decision).where(Decision.ballot_id.is_not(None))):
        assert decision.ballot_id is not None
        decisions[decision.ballot_id] += 1
    problems = []
    for ballot in session.scalars(select(Ballot)):
        counts = (closed[str(ballot.id)], recorded[ballot.id], decisions[ballot.id])
        want = (1, 1, 1) if ballot.state == "closed" else (0, 0, 0)
        if counts != want or fired[ballot.id] > 1:
            problems.append(
                f"ballot {ballot.id} ({ballot.state}): ballot.closed x{counts[0]}, "
                f"decision.recorded x{counts[1]}, decisions x{counts[2]}, "
                f"outcome actions x{fired[ballot.id]}"
            )
    return problems


def summarize(problems: Iterable[str], limit: int = 20) -> str:
    listed = list(problems)
    more = f"\n... and {len(listed) - limit} more" if len(listed) > limit else ""
    return "\n".join(listed[:limit]) + more
