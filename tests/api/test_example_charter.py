"""The example charter in ``examples/ietf-apache``, run over HTTP only.

An operator with nothing but the installed package and a directory of YAML: the workflows are
loaded from that directory by the ``workflows_dir`` setting (``GOVERNANCE_WORKFLOWS_DIR``), the
first admin is the only thing made outside HTTP (as ``people create-admin`` does), and the
admin then builds the directory over the API: an IAB, an IESG of kind ``committee`` whose
parent is the IAB, a working group under the IESG, and an Apache-style PMC of kind ``pmc``.

An Internet-Draft then goes from individual submission to approval (call for adoption, WG Last
Call by lazy consensus, the IESG ballot), and a release from candidate to released (a PMC vote
under the Apache release rule, first failed, then passed on a new candidate). Deadlines are
acted on by ``tick``, as the system; everything else is a person with their own token.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from governance_engine.clock import FrozenClock
from governance_engine.config import Settings
from governance_engine.persistence.database import Database
from governance_engine.services import identity
from governance_engine.services.tick import tick

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ietf-apache" / "workflows"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
V1 = "/api/v1"


def ok(response: httpx2.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.url}: {response.text}"
    return response.json()


@dataclass
class Operator:
    """The app on one database, with the example charter loaded, and a token per person."""

    client: TestClient
    database: Database
    clock: FrozenClock
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def call(self, method: str, path: str, who: str, **kwargs: Any) -> httpx2.Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}", **kwargs.pop("headers", {})}
        return self.client.request(method, V1 + path, headers=headers, **kwargs)

    def post(self, path: str, who: str, payload: Any = None, **kwargs: Any) -> httpx2.Response:
        return self.call("POST", path, who, json=payload, **kwargs)

    def get(self, path: str, who: str) -> httpx2.Response:
        return self.call("GET", path, who)

    # -- the directory, as an admin builds it -------------------------------------------------

    def person(self, name: str, organization_id: int) -> None:
        made = ok(
            self.post(
                "/people",
                "admin",
                {
                    "name": name.title(),
                    "email": f"{name}@example.org",
                    "organization_id": organization_id,
                },
            ),
            201,
        )
        self.ids[name] = made["id"]
        issued = ok(self.post("/tokens", "admin", {"person_id": made["id"]}), 201)
        self.tokens[name] = issued["secret"]

    def body(self, slug: str, kind: str, parent: str | None = None) -> dict[str, Any]:
        payload = {"slug": slug, "name": slug.upper(), "kind": kind, "parent": parent}
        made: dict[str, Any] = ok(self.post("/bodies", "admin", payload), 201)
        return made

    def seat(self, slug: str, name: str, role: str = "member") -> None:
        ok(
            self.post(
                f"/bodies/{slug}/seats",
                "admin",
                {"person_id": self.ids[name], "role": role, "voting": True},
            ),
            201,
        )

    # -- one tick, as the system ---------------------------------------------------------------

    def tick(self) -> list[int]:
        catalog = self.client.app.state.catalog  # type: ignore[attr-defined]
        return list(tick(self.database, clock=self.clock, catalog=catalog).closed)


@pytest.fixture
def operator(database_url: str, tmp_path: Path) -> Iterator[Operator]:
    clock = FrozenClock(START)
    settings = Settings(
        database_url=database_url,
        tick_interval=0,
        checkpoint_interval=0,
        delivery_interval=0,
        signing_key_path=tmp_path / "keys" / "signing.pem",
        workflows_dir=EXAMPLE,
    )
    database = Database(database_url)
    with database.transaction() as session:
        admin = identity.create_admin(
            session, at=clock.now(), name="Ada Admin", email="ada@example.org"
        )
    app = create_app(settings, clock=clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        run = Operator(client, database, clock, tokens={"admin": admin.secret})
        yield run
    database.dispose()


@dataclass
class Filed:
    operator: Operator
    id: int

    @property
    def path(self) -> str:
        return f"/proposals/{self.id}"

    def read(self, who: str = "admin") -> dict[str, Any]:
        read: dict[str, Any] = ok(self.operator.get(self.path, who))
        return read

    def offered(self, who: str) -> set[str]:
        return {item["name"] for item in ok(self.operator.get(f"{self.path}/actions", who))}

    def act(self, action: str, who: str, to: str) -> None:
        assert action in self.offered(who)
        etag = self.operator.get(self.path, who).headers["ETag"]
        moved = ok(
            self.operator.post(
                f"{self.path}/actions/{action}",
                who,
                {"reason": f"{who}: {action}"},
                headers={"If-Match": etag},
            )
        )
        assert moved["state"] == to

    def revise(self, who: str, text: str, note: str) -> None:
        etag = self.operator.get(self.path, who).headers["ETag"]
        revision = {"text": text, "note": note}
        added = self.operator.post(
            f"{self.path}/revisions", who, revision, headers={"If-Match": etag}
        )
        ok(added, 201)

    def open_ballot(self, who: str, body: str, rule: str) -> int:
        version = self.read(who)["version"]
        ballot = ok(
            self.operator.post(
                "/ballots", who, {"proposal_id": self.id, "proposal_version": version}
            ),
            201,
        )
        assert (ballot["body"], ballot["rule_name"], ballot["state"]) == (body, rule, "open")
        return int(ballot["id"])

    def vote(self, ballot_id: int, who: str, choice: str, status: int = 201) -> None:
        ok(
            self.operator.post(
                f"/ballots/{ballot_id}/votes",
                who,
                {"choice": choice, "rationale": f"{who}: {choice}"},
            ),
            status,
        )

    def close(self, ballot_id: int, who: str) -> dict[str, Any]:
        read = self.operator.get(f"/ballots/{ballot_id}", who)
        closed: dict[str, Any] = ok(
            self.operator.post(
                f"/ballots/{ballot_id}/close", who, headers={"If-Match": read.headers["ETag"]}
            )
        )
        return closed

    def let_deadline_pass(self, ballot_id: int) -> dict[str, Any]:
        ballot = ok(self.operator.get(f"/ballots/{ballot_id}", "admin"))
        deadline = datetime.fromisoformat(ballot["deadline"])
        assert self.operator.tick() == []  # nothing is due before the deadline
        self.operator.clock.set(deadline + timedelta(minutes=1))
        assert self.operator.tick() == [ballot_id]
        closed: dict[str, Any] = ok(self.operator.get(f"/ballots/{ballot_id}", "admin"))
        assert (closed["state"], closed["closed_by"]) == ("closed", None)
        return closed


def build_directory(op: Operator) -> None:
    ietf = ok(op.post("/organizations", "admin", {"name": "IETF LLC", "kind": "non_profit"}), 201)
    asf = ok(op.post("/organizations", "admin", {"name": "ASF", "kind": "non_profit"}), 201)
    for name in (
        "irene",
        "ivan",
        "carol",
        "alice",
        "wes",
        "wanda",
        "walt",
        "adam",
        "abby",
        "arlo",
        "ana",
        "aldo",
    ):
        op.person(name, ietf["id"])
    for name in ("rita", "pat", "peg", "pia", "paul"):
        op.person(name, asf["id"])

    iab = op.body("iab", "board")
    iesg = op.body("iesg", "committee", parent="iab")
    wg = op.body("wg-httpapi", "working_group", parent="iesg")
    pmc = op.body("pmc-httpd", "pmc")
    assert (iab["parent"], iesg["parent"], wg["parent"], pmc["parent"]) == (
        None,
        "iab",
        "iesg",
        None,
    )
    assert iesg["kind"] == "committee"
    assert pmc["kind"] == "pmc"
    # A second committee is a body like any other.
    assert op.body("ietf-llc-board", "committee")["kind"] == "committee"

    op.seat("iab", "irene", "chair")
    op.seat("iab", "ivan")
    op.seat("iesg", "adam", "chair")
    for ad in ("abby", "arlo", "ana", "aldo"):
        op.seat("iesg", ad)
    op.seat("wg-httpapi", "carol", "chair")
    for member in ("alice", "wes", "wanda", "walt"):
        op.seat("wg-httpapi", member)
    op.seat("pmc-httpd", "pat", "chair")
    for member in ("rita", "peg", "pia", "paul"):
        op.seat("pmc-httpd", member)


def test_the_example_workflows_are_served_beside_the_bundled_ones(operator: Operator) -> None:
    names = {item["name"] for item in ok(operator.get("/workflows", "admin"))}
    assert {"internet-draft", "release-vote", "project", "standard", "guideline"} <= names
    draft = ok(operator.get("/workflows/internet-draft", "admin"))
    assert draft["kind"] == "internet-draft"
    assert "stateDiagram-v2" in draft["mermaid"]


def test_an_internet_draft_goes_from_individual_submission_to_approval(
    operator: Operator,
) -> None:
    build_directory(operator)
    filed = ok(
        operator.post(
            "/proposals",
            "carol",
            {
                "workflow": "internet-draft",
                "title": "Building Protocols with HTTP",
                "summary": "Best current practice for HTTP-based APIs.",
                "sponsor": "wg-httpapi",
                "text": "# Building Protocols with HTTP\n\n-00\n",
                "author_ids": [operator.ids["alice"], operator.ids["carol"]],
            },
        ),
        201,
    )
    assert (filed["kind"], filed["state"]) == ("internet-draft", "individual")
    assert filed["workflow"]["name"] == "internet-draft"
    draft = Filed(operator, filed["id"])

    # Call for adoption: the WG votes by simple majority; the chair closes once settled.
    draft.act("call_adoption", "carol", to="call_for_adoption")
    assert "adopt" not in draft.offered("carol")  # only the ballot's outcome adopts
    adoption = draft.open_ballot("carol", "wg-httpapi", "simple-majority")
    for member in ("alice", "wes", "wanda", "walt", "carol"):
        draft.vote(adoption, member, "yes")
    closed = draft.close(adoption, "carol")
    assert (closed["ballot"]["outcome"], closed["action"]) == ("passed", "adopt")
    assert draft.read()["state"] == "wg_document"

    # The authors revise; the chair starts WG Last Call; silence is consent at the deadline.
    draft.revise("alice", "# Building Protocols with HTTP\n\n-01\n", note="-01")
    draft.act("start_last_call", "carol", to="wg_last_call")
    assert "request_publication" not in draft.offered("carol")
    refused = operator.post(
        f"{draft.path}/actions/request_publication",
        "carol",
        {"reason": "skip the last call"},
        headers={"If-Match": operator.get(draft.path, "carol").headers["ETag"]},
    )
    assert refused.status_code in (403, 409), refused.text
    assert draft.read()["state"] == "wg_last_call"
    last_call = draft.open_ballot("carol", "wg-httpapi", "lazy-consensus")
    ended = draft.let_deadline_pass(last_call)
    assert ended["outcome"] == "passed"
    assert draft.read()["state"] == "iesg_evaluation"

    # The IESG ballot: held in the body with slug `iesg`, opened by its chair; a DISCUSS
    # blocks until its holder clears it.
    evaluation = draft.open_ballot("adam", "iesg", "iesg")
    assert (
        operator.post(f"/ballots/{evaluation}/votes", "carol", {"choice": "yes"}).status_code == 403
    )  # not an AD
    draft.vote(evaluation, "adam", "yes")
    draft.vote(evaluation, "abby", "discuss")
    for ad in ("arlo", "ana"):
        draft.vote(evaluation, ad, "no_objection")
    explained = ok(operator.get(f"/ballots/{evaluation}", "admin"))["evaluation"]
    assert explained["outcome"] == "failed"  # a standing DISCUSS blocks
    draft.vote(evaluation, "abby", "no_objection", status=200)  # the DISCUSS is cleared
    done = draft.let_deadline_pass(evaluation)
    assert done["outcome"] == "passed"
    final = draft.read()
    assert final["state"] == "approved"

    # The register holds the three decisions; the log verifies.
    numbers = [item["number"] for item in ok(operator.get("/decisions", "admin"))["items"]]
    assert len(numbers) == 3
    assert ok(operator.get("/log/verify", "admin"))["ok"] is True

    # Only the IESG chair may obsolete an RFC; the WG chair may not.
    assert "obsolete" not in draft.offered("carol")
    draft.act("obsolete", "adam", to="obsoleted")


def test_a_release_fails_once_then_passes_on_a_new_candidate(operator: Operator) -> None:
    build_directory(operator)
    by_a_working_group = operator.post(
        "/proposals",
        "carol",
        {"kind": "release", "title": "httpd 2.6.0", "sponsor": "wg-httpapi"},
    )
    assert by_a_working_group.status_code == 422
    assert "sponsored by a body of kind pmc" in by_a_working_group.json()["detail"]
    filed = ok(
        operator.post(
            "/proposals",
            "rita",
            {
                "kind": "release",
                "title": "httpd 2.6.0",
                "sponsor": "pmc-httpd",
                "text": "httpd-2.6.0-rc1.tar.gz sha512 0a1b...\n",
                "author_ids": [operator.ids["rita"]],
            },
        ),
        201,
    )
    assert (filed["workflow"]["name"], filed["state"]) == ("release-vote", "candidate")
    release = Filed(operator, filed["id"])

    release.act("call_vote", "rita", to="voting")
    vote = release.open_ballot("pat", "pmc-httpd", "apache-release")
    for member, choice in (("pat", "yes"), ("peg", "yes"), ("pia", "no"), ("paul", "no")):
        release.vote(vote, member, choice)
    assert release.let_deadline_pass(vote)["outcome"] == "failed"  # two +1 are not three
    assert release.read()["state"] == "candidate"

    release.revise("rita", "httpd-2.6.0-rc2.tar.gz sha512 9f8e...\n", note="rc2")
    release.act("call_vote", "rita", to="voting")
    again = release.open_ballot("pat", "pmc-httpd", "apache-release")
    for member, choice in (("pat", "yes"), ("peg", "yes"), ("pia", "yes"), ("paul", "no")):
        release.vote(again, member, choice)
    assert release.let_deadline_pass(again)["outcome"] == "passed"
    assert release.read()["state"] == "released"
    release.act("archive", "pat", to="archived")
    assert ok(operator.get("/log/verify", "admin"))["ok"] is True
