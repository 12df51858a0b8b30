"""One proposal of each kind, from filing to its approved state, over HTTP only.

Each step is taken by the person the workflow gives it to, with their own token: the working
group's chair files and submits, an author revises, members vote, the secretary enters a proxy
vote, the chair closes; then the TOC and (for projects and standards) the Board do the same.
Actions and closes send ``If-Match`` with the ETag just read. The only call that is not HTTP is
``tick``, which is the system's job: it closes the lazy-consensus WG last call of a standard once
its 72 hours have passed (such a ballot never closes early, so nobody could close it by hand).

At the end an auditor verifies the log, the register holds the decisions with their numbers,
and the proposal's history shows every step, in order, with the person who took it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx2
from testkit.http import Api

from governance_engine.services.tick import tick

PROPOSALS = "/api/v1/proposals"
BALLOTS = "/api/v1/ballots"
WG = "wg-trust-validation"
WG_NUMBER = "WG-TRUST-VALIDATION-2026"  # the clock starts on 2 March 2026
SYSTEM = None  # the log's actor for what the engine does itself (ballot outcomes, deadlines)

DRAFT = "# Trusted model cards\n\nEvery model ships a card.\n"
REVISED = "# Trusted model cards\n\nEvery model ships a signed card.\n\n## Conformance\n"


def ok(response: httpx2.Response, status: int = 200) -> Any:
    """The JSON body of an expected answer (the request and the answer otherwise)."""
    assert response.status_code == status, f"{response.request.url}: {response.text}"
    return response.json()


@dataclass(frozen=True)
class Step:
    action: str
    who: str | None
    payload: dict[str, Any]
    """Items the log entry's payload must hold."""

    def shown_by(self, entry: dict[str, Any], names: dict[int, str]) -> bool:
        return (
            entry["action"] == self.action
            and names.get(entry["actor_id"]) == self.who
            and entry["payload"].items() >= self.payload.items()
        )


@dataclass
class Journey:
    """One proposal driven through the API; remembers each step for the history check."""

    api: Api
    kind: str
    proposal_id: int = 0
    steps: list[Step] = field(default_factory=list)
    """Every step taken, in order, as the history should show it."""

    def person(self, name: str) -> int:
        return self.api.world.person_ids[name]

    def expect(self, action: str, who: str | None, /, **payload: Any) -> None:
        self.steps.append(Step(action, who, payload))

    # -- the proposal --------------------------------------------------------------------------

    def file(self, who: str, *, coauthor: str) -> None:
        filing = {
            "kind": self.kind,
            "title": f"Trusted model cards ({self.kind})",
            "summary": "Every model the alliance publishes ships a signed model card.",
            "sponsor": WG,
            "text": DRAFT,
            "author_ids": [self.person(who), self.person(coauthor)],
        }
        response = self.api.post(PROPOSALS, who, json=filing)
        filed = ok(response, 201)
        assert response.headers["Location"] == f"{PROPOSALS}/{filed['id']}"
        assert response.headers["ETag"] == f'"{filed["version"]}"'
        assert (filed["state"], filed["current_revision"]["number"]) == ("draft", 1)
        self.proposal_id = filed["id"]
        self.expect("proposal.filed", who, kind=self.kind, state="draft")
        self.expect("revision.added", who)  # revision 1, filed with the proposal

    @property
    def path(self) -> str:
        return f"{PROPOSALS}/{self.proposal_id}"

    def etag(self, who: str) -> str:
        """The proposal's ETag as ``who`` reads it just before acting."""
        response = self.api.get(self.path, who)
        ok(response)
        return response.headers["ETag"]

    def revise(self, who: str, text: str, note: str) -> None:
        response = self.api.post(
            f"{self.path}/revisions",
            who,
            json={"text": text, "note": note},
            headers={"If-Match": self.etag(who)},
        )
        revision = ok(response, 201)
        self.expect("revision.added", who, digest=revision["digest"])

    def act(self, action: str, who: str, to: str) -> None:
        """Take ``action`` (it must be offered to ``who`` and ready) with a fresh If-Match."""
        offered = ok(self.api.get(f"{self.path}/actions", who))
        assert {"name": action, "ready": True} in [
            {"name": item["name"], "ready": item["ready"]} for item in offered
        ], offered
        etag = self.etag(who)
        response = self.api.post(
            f"{self.path}/actions/{action}",
            who,
            json={"reason": f"{who} takes {action}"},
            headers={"If-Match": etag},
        )
        moved = ok(response)
        assert moved["state"] == to
        assert response.headers["ETag"] == f'"{moved["version"]}"' != etag
        self.expect("proposal.transitioned", who, action=action, to=to)

    def state(self, who: str = "olive") -> str:
        state: str = ok(self.api.get(self.path, who))["state"]
        return state

    # -- ballots -------------------------------------------------------------------------------

    def open_ballot(self, who: str, body: str, rule: str) -> int:
        version = ok(self.api.get(self.path, who))["version"]
        response = self.api.post(
            BALLOTS, who, json={"proposal_id": self.proposal_id, "proposal_version": version}
        )
        ballot = ok(response, 201)
        assert (ballot["body"], ballot["rule_name"], ballot["state"]) == (body, rule, "open")
        self.expect("ballot.opened", who)
        return int(ballot["id"])

    def vote(self, ballot_id: int, who: str, choice: str = "yes", proxy_for: str = "") -> None:
        position: dict[str, Any] = {"choice": choice, "rationale": f"{who}: {choice}"}
        if proxy_for:
            position["on_behalf_of"] = self.person(proxy_for)
        cast = ok(self.api.post(f"{BALLOTS}/{ballot_id}/votes", who, json=position), 201)
        voter = proxy_for or who
        assert (cast["voter_id"], cast["entered_by"], cast["proxy"]) == (
            self.person(voter),
            self.person(who),
            bool(proxy_for),
        )
        self.expect(
            "vote.cast",
            who,
            choice=choice,
            voter_id=self.person(voter),
            entered_by=self.person(who),
        )

    def close(self, ballot_id: int, who: str, fires: str, then: str) -> str:
        """Close as ``who`` with the ballot's ETag; the outcome fires the stage's next action."""
        read = self.api.get(f"{BALLOTS}/{ballot_id}", who)
        ok(read)
        assert read.json()["evaluation"]["may_close"], read.json()["evaluation"]
        response = self.api.post(
            f"{BALLOTS}/{ballot_id}/close", who, headers={"If-Match": read.headers["ETag"]}
        )
        closed = ok(response)
        assert (closed["ballot"]["state"], closed["ballot"]["outcome"]) == ("closed", "passed")
        assert (closed["action"], closed["action_error"]) == (fires, None), closed
        self.expect("ballot.closed", who, outcome="passed")
        self.expect("decision.recorded", who)
        self.expect("proposal.transitioned", SYSTEM, action=fires, to=then)
        assert self.state() == then
        number: str = closed["decision"]["number"]
        return number

    def let_deadline_pass(self, ballot_id: int, fires: str, then: str) -> str:
        """Advance the clock past the deadline and let the engine close the ballot."""
        world = self.api.world
        opened = ok(self.api.get(f"{BALLOTS}/{ballot_id}", "olive"))
        deadline = datetime.fromisoformat(opened["deadline"])
        assert deadline - world.clock.now() == timedelta(hours=72)  # the rule's duration
        assert tick(world.database, clock=world.clock, catalog=world.catalog).closed == []
        world.clock.advance(timedelta(hours=72, minutes=1))
        assert tick(world.database, clock=world.clock, catalog=world.catalog).closed == [ballot_id]
        ballot = ok(self.api.get(f"{BALLOTS}/{ballot_id}", "olive"))
        assert (ballot["state"], ballot["outcome"], ballot["closed_by"]) == (
            "closed",
            "passed",
            None,
        )
        assert datetime.fromisoformat(ballot["closed_at"]) > deadline
        self.expect("ballot.closed", SYSTEM, outcome="passed")
        self.expect("decision.recorded", SYSTEM)
        self.expect("proposal.transitioned", SYSTEM, action=fires, to=then)
        assert self.state() == then
        decision: str = ok(self.api.get(ballot["links"]["decision"], "olive"))["number"]
        return decision

    # -- the record ----------------------------------------------------------------------------

    def check_record(self, numbers: list[str]) -> None:
        """The log verifies, the register lists ``numbers`` for this proposal (all passed, on
        the final revision), and the history shows every step with the person who took it."""
        verified = ok(self.api.get("/api/v1/log/verify", "auditor"))
        assert (verified["ok"], verified["broken_seq"]) == (True, None), verified
        assert verified["checked"] > len(self.steps)

        proposal = ok(self.api.get(self.path, "auditor"))
        register = ok(
            self.api.get(
                "/api/v1/decisions",
                "beth",
                params={"proposal_id": self.proposal_id, "kind": "ballot"},
            )
        )
        assert [item["number"] for item in register["items"]] == numbers
        assert {item["outcome"] for item in register["items"]} == {"passed"}
        final = register["items"][-1]
        assert final["digest"] == proposal["current_revision"]["digest"]
        record = self.api.get(
            f"/api/v1/decisions/{numbers[-1]}", "nobody", headers={"Accept": "text/markdown"}
        )
        assert record.status_code == 200, record.text
        assert record.headers["content-type"].startswith("text/markdown")
        assert numbers[-1] in record.text

        history = self.history()
        assert all(entry["proposal_id"] == self.proposal_id for entry in history)
        assert [entry["seq"] for entry in history] == sorted(entry["seq"] for entry in history)
        names = {person_id: name for name, person_id in self.api.world.person_ids.items()}
        missing = _not_in_order(self.steps, history, names)
        seen = [(entry["action"], names.get(entry["actor_id"])) for entry in history]
        assert not missing, f"the history lacks, in this order, {missing}; it shows {seen}"

    def history(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": 20}
        while True:
            page = ok(self.api.get(f"{self.path}/history", "tom", params=params))
            entries.extend(page["items"])
            if page["next_cursor"] is None:
                return entries
            params["cursor"] = page["next_cursor"]


def _not_in_order(
    steps: list[Step], history: list[dict[str, Any]], names: dict[int, str]
) -> list[Step]:
    """The steps not found, in this order, in ``history`` (other entries may come between)."""
    remaining = iter(history)
    missing = []
    for step in steps:
        if not any(step.shown_by(entry, names) for entry in remaining):
            missing.append(step)
            remaining = iter(history)  # name every missing step, not only the first
    return missing


def test_project_is_adopted_and_incubates(api: Api) -> None:
    journey = Journey(api, "project")
    journey.file("wendy", coauthor="will")
    journey.revise("will", REVISED, "signatures, conformance")
    journey.act("submit", "wendy", to="wg_review")

    wg_ballot = journey.open_ballot("wes", WG, "simple-majority")
    journey.vote(wg_ballot, "will")
    journey.vote(wg_ballot, "wren")
    journey.vote(wg_ballot, "wes", proxy_for="wade")
    wg = journey.close(wg_ballot, "wendy", fires="wg_recommend", then="toc_review")

    toc_ballot = journey.open_ballot("tara", "toc", "two-thirds-of-body")
    journey.vote(toc_ballot, "tom")
    journey.vote(toc_ballot, "tess")
    journey.vote(toc_ballot, "theo")
    journey.vote(toc_ballot, "tina", proxy_for="tara")  # the chair voted through the secretary
    toc = journey.close(toc_ballot, "tara", fires="toc_sign_off", then="board_ratification")

    board_ballot = journey.open_ballot("bea", "board", "simple-majority")
    journey.vote(board_ballot, "bill")
    journey.vote(board_ballot, "beth")
    journey.vote(board_ballot, "bert", "abstain")
    journey.vote(board_ballot, "bea", proxy_for="bob")
    board = journey.close(board_ballot, "bob", fires="ratify", then="incubating")

    assert (wg, toc, board) == (f"{WG_NUMBER}-001", "TOC-2026-001", "BOARD-2026-001")
    journey.check_record([wg, toc, board])


def test_standard_passes_last_call_and_is_published(api: Api) -> None:
    journey = Journey(api, "standard")
    journey.file("wendy", coauthor="wren")
    journey.revise("wren", REVISED, "conformance section")
    journey.act("submit", "wendy", to="wg_review")

    review = journey.open_ballot("wendy", WG, "simple-majority")
    journey.vote(review, "wade")
    journey.vote(review, "will")
    journey.vote(review, "wes", proxy_for="wren")
    wg_review = journey.close(review, "wendy", fires="start_last_call", then="wg_last_call")

    # WG Last Call is lazy consensus: it passes at its deadline unless someone objects, and
    # never closes early, so the engine's tick closes it once the 72 hours have passed.
    last_call = journey.open_ballot("wes", WG, "lazy-consensus")
    journey.vote(last_call, "will")  # support is welcome; silence would do
    wg_last_call = journey.let_deadline_pass(last_call, fires="end_last_call", then="toc_review")

    toc_ballot = journey.open_ballot("tina", "toc", "two-thirds-of-body")
    for member in ("tara", "tom", "tess", "theo"):
        journey.vote(toc_ballot, member)
    toc = journey.close(toc_ballot, "tara", fires="toc_sign_off", then="board_ratification")

    board_ballot = journey.open_ballot("bob", "board", "simple-majority")
    journey.vote(board_ballot, "beth")
    journey.vote(board_ballot, "bert")
    journey.vote(board_ballot, "bea", proxy_for="bill")
    board = journey.close(board_ballot, "bob", fires="ratify", then="published")

    assert (wg_review, wg_last_call, toc, board) == (
        f"{WG_NUMBER}-001",
        f"{WG_NUMBER}-002",
        "TOC-2026-001",
        "BOARD-2026-001",
    )
    journey.check_record([wg_review, wg_last_call, toc, board])


def test_guideline_is_signed_off_and_published(api: Api) -> None:
    journey = Journey(api, "guideline")
    journey.file("wendy", coauthor="wade")
    journey.revise("wade", REVISED, "examples")
    journey.act("submit", "wendy", to="wg_review")

    wg_ballot = journey.open_ballot("wes", WG, "simple-majority")
    journey.vote(wg_ballot, "wren")
    journey.vote(wg_ballot, "wade")
    journey.vote(wg_ballot, "will", "no")
    journey.vote(wg_ballot, "wes", proxy_for="wendy")
    wg = journey.close(wg_ballot, "wendy", fires="wg_recommend", then="toc_review")

    # Guidance needs a simple majority of the TOC; publication follows, the Board is informed.
    toc_ballot = journey.open_ballot("tara", "toc", "simple-majority")
    journey.vote(toc_ballot, "tom")
    journey.vote(toc_ballot, "theo")
    journey.vote(toc_ballot, "tina", proxy_for="tess")
    toc = journey.close(toc_ballot, "tara", fires="publish", then="published")

    assert (wg, toc) == (f"{WG_NUMBER}-001", "TOC-2026-001")
    journey.check_record([wg, toc])
