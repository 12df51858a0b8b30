"""Meetings over HTTP: scheduling, attendance, opening, motions under the meeting rules."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from sqlalchemy import update
from testkit.http import Api

from governance_engine.persistence.models import Motion
from governance_engine.services import replay

PROBLEM = "application/problem+json"
TOC_MEMBERS = ["tara", "tom", "tess", "theo", "tina"]  # five voting members; tara chairs
# Six more voting members, to make the 11-member TOC.
EXTRA = ["wendy", "wes", "will", "wren", "wade", "hana"]


def ok(response: httpx2.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def problem(response: httpx2.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == f"urn:governance-engine:problem:{code}"
    detail: str = body["detail"]
    return detail


def schedule(api: Api, who: str = "tara", **extra: Any) -> dict[str, Any]:
    payload = {"title": "TOC monthly", "scheduled_at": "2026-03-10T16:00:00Z", **extra}
    return ok(api.post("/api/v1/bodies/toc/meetings", who, json=payload), 201)


def attend(api: Api, meeting_id: int, names: list[str], status: str = "present") -> None:
    for name in names:
        person = api.world.person_ids[name]
        ok(
            api.post(
                f"/api/v1/meetings/{meeting_id}/attendance",
                "tina",
                json={"person_id": person, "status": status},
            )
        )


def positions(api: Api, yes: list[str], no: list[str]) -> list[dict[str, Any]]:
    ids = api.world.person_ids
    return [{"person_id": ids[n], "choice": "yes"} for n in yes] + [
        {"person_id": ids[n], "choice": "no"} for n in no
    ]


def test_schedule_attend_open_vote_close(api: Api) -> None:
    meeting = schedule(api, public=True)
    assert (meeting["state"], meeting["body"], meeting["public"]) == ("scheduled", "toc", True)
    assert meeting["chair_id"] == api.world.person_ids["tara"]
    path = meeting["self"]
    # only the body's officers schedule; only the meeting's chair and officers run it
    problem(
        api.post(
            "/api/v1/bodies/toc/meetings",
            "tom",
            json={"title": "x", "scheduled_at": "2026-03-10T16:00:00Z"},
        ),
        403,
        "permission-denied",
    )
    problem(api.post(f"{path}/open", "tom"), 403, "permission-denied")
    problem(api.get("/api/v1/meetings/999999"), 404, "not-found")
    listed = ok(api.get("/api/v1/bodies/toc/meetings"))
    assert [m["id"] for m in listed["items"]] == [meeting["id"]]

    attend(api, meeting["id"], ["tara", "tom", "tess"])
    attend(api, meeting["id"], ["theo"], status="remote")
    attend(api, meeting["id"], ["tina"], status="apologies")
    # proxies need a meeting that allows them
    proxy = {
        "person_id": api.world.person_ids["tina"],
        "status": "proxy",
        "proxy_holder_id": api.world.person_ids["tara"],
    }
    assert "allows no proxies" in problem(
        api.post(f"{path}/attendance", "tara", json=proxy), 409, "conflict"
    )
    outsider = {"person_id": api.world.person_ids["bob"], "status": "present"}
    problem(api.post(f"{path}/attendance", "tara", json=outsider), 422, "invalid-input")

    motion = {"title": "Adopt the model-card guideline", "positions": positions(api, ["tara"], [])}
    assert "open meeting" in problem(
        api.post(f"{path}/motions", "tara", json=motion), 409, "conflict"
    )
    opened = ok(api.post(f"{path}/open", "tara"))
    assert opened["state"] == "open"
    # 4 of 5 present (theo remote): quorum of two thirds is 4; 3 yes of 4 present passes
    motion["positions"] = positions(api, ["tara", "tom", "theo"], ["tess"])
    decided = ok(api.post(f"{path}/motions", "tara", json=motion), 201)
    assert (decided["outcome"], decided["rule"], decided["members"]) == (
        "passed",
        "cncf-toc-meeting",
        5,
    )
    assert len(decided["present"]) == 4
    # a position of a member who is not present is refused
    absent = {"title": "x", "positions": positions(api, ["tina"], [])}
    problem(api.post(f"{path}/motions", "tara", json=absent), 422, "invalid-input")

    closed = ok(api.post(f"{path}/close", "tara"))
    assert closed["state"] == "closed"
    late = {"person_id": api.world.person_ids["tina"], "status": "present"}
    assert "is closed" in problem(
        api.post(f"{path}/attendance", "tara", json=late), 409, "conflict"
    )
    problem(api.post(f"{path}/close", "tara"), 409, "conflict")
    assert [m["outcome"] for m in closed["motions"]] == ["passed"]
    problem(api.post(f"{path}/motions", "tara", json=motion), 409, "conflict")

    log = ok(api.get("/api/v1/log", "auditor", params={"limit": 200}))
    actions = [e["action"] for e in log["items"]]
    for action in (
        "meeting.scheduled",
        "attendance.recorded",
        "meeting.opened",
        "motion.raised",
        "motion.decided",
        "meeting.closed",
    ):
        assert action in actions
    decided_entry = next(e for e in log["items"] if e["action"] == "motion.decided")
    assert decided_entry["payload"]["outcome"] == "passed"


def test_a_vote_below_quorum_is_refused_with_the_rule_cited(api: Api) -> None:
    meeting = schedule(api)
    path = meeting["self"]
    attend(api, meeting["id"], ["tara", "tom", "tess"])  # 3 of 5: 4 needed
    attend(api, meeting["id"], ["theo", "tina"], status="absent")
    ok(api.post(f"{path}/open", "tara"))
    motion = {"title": "Adopt", "positions": positions(api, ["tara", "tom", "tess"], [])}
    detail = problem(api.post(f"{path}/motions", "tara", json=motion), 409, "quorum-not-met")
    assert "3 of the 5 voting members are present, 4 needed" in detail
    assert "two thirds of all TOC members present" in detail
    assert ok(api.get(path))["motions"] == []


def test_a_meeting_rule_is_required(api: Api) -> None:
    meeting = schedule(api)
    attend(api, meeting["id"], TOC_MEMBERS)
    ok(api.post(f"{meeting['self']}/open", "tara"))
    motion = {"title": "Adopt", "rule": "simple-majority"}
    detail = problem(
        api.post(f"{meeting['self']}/motions", "tara", json=motion), 422, "invalid-input"
    )
    assert "does not count members present" in detail


def test_proxy_attendance_counts_as_present_where_allowed(api: Api) -> None:
    meeting = schedule(api, proxies_allowed=True)
    path = meeting["self"]
    attend(api, meeting["id"], ["tara", "tom", "tess"])
    ids = api.world.person_ids
    proxy = {"person_id": ids["theo"], "status": "proxy", "proxy_holder_id": ids["tara"]}
    assert ok(api.post(f"{path}/attendance", "tara", json=proxy))["proxy_holder_id"] == ids["tara"]
    ok(api.post(f"{path}/open", "tara"))
    motion = {"title": "Adopt", "positions": positions(api, ["tara", "tom"], ["tess", "theo"])}
    decided = ok(api.post(f"{path}/motions", "tara", json=motion), 201)
    assert decided["outcome"] == "failed"  # 2 of 4 present is not more than half


@pytest.mark.parametrize(
    ("present", "yes", "outcome"),
    [
        (7, 7, None),  # quorum of 8 (two thirds of 11, rounded up) not met: refused
        (8, 5, "passed"),  # more than half of the 8 present
        (8, 4, "failed"),  # half is not more than half
        (11, 6, "passed"),
        (11, 5, "failed"),
    ],
)
def test_cncf_rule_on_an_eleven_member_toc(
    api: Api, present: int, yes: int, outcome: str | None
) -> None:
    for name in EXTRA:
        grant = {"person_id": api.world.person_ids[name], "role": "member"}
        ok(api.post("/api/v1/bodies/toc/seats", "admin", json=grant), 201)
    members = TOC_MEMBERS + EXTRA
    meeting = schedule(api)
    attend(api, meeting["id"], members[:present])
    ok(api.post(f"{meeting['self']}/open", "tara"))
    here = members[:present]
    motion = {"title": "Adopt", "positions": positions(api, here[:yes], here[yes:])}
    response = api.post(f"{meeting['self']}/motions", "tara", json=motion)
    if outcome is None:
        assert "7 of the 11 voting members are present, 8 needed" in problem(
            response, 409, "quorum-not-met"
        )
    else:
        decided = ok(response, 201)
        assert (decided["outcome"], decided["members"]) == (outcome, 11)


@pytest.mark.parametrize(
    ("present", "yes", "no", "outcome"),
    [
        (2, 2, 0, None),  # half of 5 rounded up is 3
        (3, 2, 1, "passed"),  # more yes than no, yes from at least a third of 5 (2)
        (4, 2, 2, "failed"),  # a tie rejects
    ],
)
def test_openstack_rule(api: Api, present: int, yes: int, no: int, outcome: str | None) -> None:
    meeting = schedule(api)
    attend(api, meeting["id"], TOC_MEMBERS[:present])
    ok(api.post(f"{meeting['self']}/open", "tara"))
    here = TOC_MEMBERS[:present]
    motion = {
        "title": "Adopt",
        "rule": "openstack-tc-meeting",
        "positions": positions(api, here[:yes], here[yes : yes + no]),
    }
    response = api.post(f"{meeting['self']}/motions", "tara", json=motion)
    if outcome is None:
        problem(response, 409, "quorum-not-met")
    else:
        assert ok(response, 201)["outcome"] == outcome


def test_log_replay_recomputes_each_motion_and_finds_a_changed_outcome(api: Api) -> None:
    meeting = schedule(api)
    attend(api, meeting["id"], TOC_MEMBERS[:4])
    ok(api.post(f"{meeting['self']}/open", "tara"))
    motion = {"title": "Adopt", "positions": positions(api, ["tara", "tom", "tess"], ["theo"])}
    decided = ok(api.post(f"{meeting['self']}/motions", "tara", json=motion), 201)
    assert decided["outcome"] == "passed"
    database = api.world.database
    with database.reader() as session:
        report = replay.replay(session)
    assert report.ok, report.lines()
    assert (report.motions, "1 motion recomputed" in report.summary()) == (1, True)
    with database.transaction() as session:
        session.execute(update(Motion).values(outcome="failed"))
    with database.reader() as session:
        report = replay.replay(session)
    assert [(d.table, d.key, d.field, d.expected, d.found) for d in report.differences] == [
        ("motions", f"id={decided['id']}", "outcome", "passed", "failed")
    ]
