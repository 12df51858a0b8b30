"""``/api/v1/notifications``: a person's reminders, newest first, and marking them read."""

from __future__ import annotations

from datetime import timedelta

from testkit.drive import file, open_ballot, take, vote
from testkit.http import Api

from governance_engine.services import ballots
from governance_engine.services.reminders import send_reminders


def remind(api: Api, ballots_to_open: int = 1) -> list[int]:
    """Open WG ballots, let wendy vote, and send reminders a few hours before they close."""
    world = api.world
    ballot_ids = []
    for n in range(ballots_to_open):
        proposal_id = file(world, text=f"# Spec {n}\n")
        take(world, proposal_id, "submit", "wendy")
        ballot_id = open_ballot(world, proposal_id, "wendy")
        vote(world, ballot_id, "wendy", "yes")
        ballot_ids.append(ballot_id)
    with world.database.reader() as session:
        deadline = ballots.get_ballot(session, ballot_ids[-1]).deadline
    world.clock.set(deadline - timedelta(hours=2))
    send_reminders(world.database, clock=world.clock, window=timedelta(days=1))
    return ballot_ids


def test_reminders_on_the_dashboard(api: Api) -> None:
    [ballot_id] = remind(api)
    response = api.get("/api/v1/notifications", who="wes")
    assert response.status_code == 200
    [note] = response.json()["items"]
    assert note["kind"] == "ballot.reminder"
    assert note["payload"]["ballot_id"] == ballot_id
    assert "you have not voted" in note["payload"]["message"]
    assert note["read_at"] is None
    assert api.get("/api/v1/notifications", who="wendy").json()["items"] == []  # she voted
    assert api.get("/api/v1/notifications", who="tara").json()["items"] == []  # not a voter


def test_newest_first_with_a_cursor_and_an_unread_filter(api: Api) -> None:
    remind(api, ballots_to_open=3)
    first = api.get("/api/v1/notifications?limit=2", who="will").json()
    second = api.get(
        f"/api/v1/notifications?limit=2&cursor={first['next_cursor']}", who="will"
    ).json()
    items = first["items"] + second["items"]
    assert len(items) == 3
    assert [item["id"] for item in items] == sorted((item["id"] for item in items), reverse=True)
    assert second["next_cursor"] is None

    newest = items[0]
    marked = api.post(newest["read"], who="will")
    assert marked.status_code == 200
    read_at = marked.json()["read_at"]
    assert read_at is not None
    api.world.clock.advance(timedelta(minutes=5))
    assert api.post(newest["read"], who="will").json()["read_at"] == read_at  # first read stays
    unread = api.get("/api/v1/notifications?unread=true", who="will").json()["items"]
    assert [item["id"] for item in unread] == [item["id"] for item in items[1:]]


def test_only_the_owner_sees_or_marks_a_notification(api: Api) -> None:
    remind(api)
    [note] = api.get("/api/v1/notifications", who="wes").json()["items"]
    assert api.post(note["read"], who="will").status_code == 404
    assert api.post(note["read"], who="admin").status_code == 404
    assert api.post("/api/v1/notifications/999/read", who="wes").status_code == 404
    assert api.get("/api/v1/notifications", who=None).status_code == 401
    assert api.post(note["read"], who=None).status_code == 401
    assert api.get("/api/v1/notifications?cursor=%%%", who="wes").status_code == 422
    [still] = api.get("/api/v1/notifications", who="wes").json()["items"]
    assert still["read_at"] is None
