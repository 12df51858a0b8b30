"""Governance steps over HTTP against a running server, each recorded in the client's ledger."""

from __future__ import annotations

import time
from typing import Any

from testkit.load import Client, Sent, new_tag

PROPOSALS = "/api/v1/proposals"
BALLOTS = "/api/v1/ballots"


def file_proposal(client: Client, kind: str, sponsor: str, who: str = "wendy") -> Sent:
    """File a proposal with revision 1; its title is the tag."""
    tag = new_tag("file")
    body = {"kind": kind, "title": tag, "sponsor": sponsor, "text": f"# {tag}\n\nText.\n"}
    return client.post(who, PROPOSALS, body, kind="filing", tag=tag)


def take_action(
    client: Client, proposal_id: int, action: str, version: int | None, who: str = "wendy"
) -> Sent:
    """Fire ``action`` with ``If-Match`` when a version is given; the reason is the tag."""
    tag = new_tag(action)
    headers = {"If-Match": f'"{version}"'} if version is not None else None
    return client.post(
        who,
        f"{PROPOSALS}/{proposal_id}/actions/{action}",
        {"reason": tag},
        kind="action",
        tag=tag,
        headers=headers,
    )


def add_revision(client: Client, proposal_id: int, who: str = "wendy") -> Sent:
    tag = new_tag("rev")
    body = {"text": f"# Revised {tag}\n", "note": tag}
    return client.post(who, f"{PROPOSALS}/{proposal_id}/revisions", body, kind="revision", tag=tag)


def open_ballot(client: Client, proposal_id: int, version: int, who: str = "wendy") -> Sent:
    body = {"proposal_id": proposal_id, "proposal_version": version}
    return client.post(who, BALLOTS, body, kind="ballot")


def cast_vote(client: Client, ballot_id: int, who: str, choice: str) -> Sent:
    """Cast or change ``who``'s position; the rationale is the tag."""
    tag = new_tag("vote")
    body = {"choice": choice, "rationale": tag}
    return client.post(who, f"{BALLOTS}/{ballot_id}/votes", body, kind="vote", tag=tag)


def close_ballot(client: Client, ballot_id: int, who: str = "wendy") -> Sent:
    return client.post(who, f"{BALLOTS}/{ballot_id}/close", kind="close")


def wait_for_state(
    client: Client, proposal_id: int, state: str, timeout: float = 20, who: str = "wendy"
) -> dict[str, Any]:
    """Poll the proposal until it is in ``state`` (the server's tick moves it)."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(who, f"{PROPOSALS}/{proposal_id}")
        read: dict[str, Any] = response.json()
        if read.get("state") == state:
            return read
        if time.monotonic() > deadline:
            raise AssertionError(f"proposal {proposal_id} stayed {read.get('state')}, not {state}")
        time.sleep(0.1)


def expect(sent: Sent, status: int = 200) -> dict[str, Any]:
    assert sent.status == status, f"{sent.path}: {sent.status} {sent.body}"
    body: dict[str, Any] = sent.body
    return body
