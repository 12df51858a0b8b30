from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from testkit.http import Api

from governance_engine.persistence.models import LogEntry

PROBLEM = "application/problem+json"
SEATS = "/api/v1/bodies/wg-trust-validation/seats"


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def log_actions(api: Api) -> list[tuple[str, int | None, dict[str, Any]]]:
    with api.world.database.reader() as session:
        entries = session.scalars(select(LogEntry).order_by(LogEntry.seq))
        return [(entry.action, entry.actor_id, entry.payload) for entry in entries]


def walk(api: Api, path: str, limit: int, **params: Any) -> list[int]:
    seen: list[int] = []
    cursor = None
    while True:
        query = {"limit": limit, **params, **({"cursor": cursor} if cursor else {})}
        page = ok(api.get(path, params=query))
        assert len(page["items"]) <= limit
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


def test_organizations_create_read_and_list(api: Api) -> None:
    response = api.post("/api/v1/organizations", "admin", json={"name": "Acme", "kind": "company"})
    created = ok(response, 201)
    assert response.headers["Location"] == f"/api/v1/organizations/{created['id']}"
    assert (created["name"], created["kind"], created["active"]) == ("Acme", "company", True)
    assert ok(api.get(f"/api/v1/organizations/{created['id']}", "will")) == created
    companies = ok(api.get("/api/v1/organizations", params={"kind": "company", "active": True}))
    assert [item["name"] for item in companies["items"]] == ["Northwind Labs", "Acme"]
    assert companies["next_cursor"] is None
    assert ok(api.get("/api/v1/organizations", params={"active": False}))["items"] == []
    action, actor_id, payload = log_actions(api)[-1]
    assert (action, actor_id) == ("organization.created", api.world.admin.person_id)
    assert payload == {"name": "Acme", "kind": "company"}


def test_people_create_read_filter_and_me(api: Api) -> None:
    northwind = api.world.organizations["Northwind Labs"]
    body = {"name": "Nia New", "email": "Nia@Example.org", "organization_id": northwind}
    response = api.post("/api/v1/people", "admin", json=body)
    created = ok(response, 201)
    assert response.headers["Location"] == f"/api/v1/people/{created['id']}"
    assert created["email"] == "nia@example.org"
    assert (created["is_admin"], created["is_auditor"], created["active"]) == (False, False, True)
    assert ok(api.get(f"/api/v1/people/{created['id']}", "tara")) == created

    by_org = ok(api.get("/api/v1/people", params={"organization_id": northwind}))
    assert [p["name"] for p in by_org["items"]] == ["Wendy", "Wren", "Tom", "Bob", "Nia New"]
    toc = ok(api.get("/api/v1/people", params={"body": "toc"}))
    assert {p["name"] for p in toc["items"]} == {"Tara", "Tom", "Tess", "Theo", "Tina"}
    assert ok(api.get("/api/v1/people", params={"body": "no-such-body"}))["items"] == []
    found = ok(api.get("/api/v1/people", params={"q": "WEN"}))
    assert [p["name"] for p in found["items"]] == ["Wendy"]
    assert ok(api.get("/api/v1/people", params={"q": "%"}))["items"] == []

    me = ok(api.get("/api/v1/people/me", "wendy"))
    assert me["id"] == api.world.person_ids["wendy"]
    assert [(s["body"], s["role"], s["voting"]) for s in me["seats"]] == [
        ("wg-trust-validation", "chair", True)
    ]
    auditor = ok(api.get("/api/v1/people/me", "auditor"))
    assert (auditor["is_auditor"], auditor["seats"]) == (True, [])


def test_people_pagination_walks_everyone_once(api: Api) -> None:
    everyone = [p["id"] for p in ok(api.get("/api/v1/people", params={"limit": 200}))["items"]]
    assert len(everyone) == 20  # the admin, the auditor and the roster of 18
    assert walk(api, "/api/v1/people", limit=4) == everyone
    assert walk(api, "/api/v1/organizations", limit=2) == sorted(api.world.organizations.values())


def test_bodies_create_read_and_list(api: Api) -> None:
    body = {"slug": "wg-privacy", "name": "Privacy", "kind": "working_group"}
    response = api.post("/api/v1/bodies", "admin", json=body)
    created = ok(response, 201)
    assert response.headers["Location"] == "/api/v1/bodies/wg-privacy"
    assert created["links"] == {
        "self": "/api/v1/bodies/wg-privacy",
        "seats": "/api/v1/bodies/wg-privacy/seats",
    }
    assert ok(api.get("/api/v1/bodies/wg-privacy", "nobody")) == created
    groups = ok(api.get("/api/v1/bodies", params={"kind": "working_group"}))
    assert [b["slug"] for b in groups["items"]] == [
        "wg-trust-validation",
        "wg-hardware-infrastructure",
        "wg-privacy",
    ]
    assert walk(api, "/api/v1/bodies", limit=2) == [*api.world.bodies.values(), created["id"]]


def test_bodies_of_any_kind_several_of_a_kind_with_parents(api: Api) -> None:
    iab = ok(
        api.post("/api/v1/bodies", "admin", json={"slug": "iab", "name": "IAB", "kind": "council"}),
        201,
    )
    assert (iab["kind"], iab["parent"]) == ("council", None)
    iesg = ok(
        api.post(
            "/api/v1/bodies",
            "admin",
            json={"slug": "iesg", "name": "IESG", "kind": "committee", "parent": "iab"},
        ),
        201,
    )
    assert (iesg["kind"], iesg["parent"]) == ("committee", "iab")
    second_toc = api.post(
        "/api/v1/bodies", "admin", json={"slug": "toc-two", "name": "TOC 2", "kind": "toc"}
    )
    assert ok(second_toc, 201)["kind"] == "toc"
    tocs = ok(api.get("/api/v1/bodies", params={"kind": "toc"}))["items"]
    assert [b["slug"] for b in tocs] == ["toc", "toc-two"]
    assert ok(api.get("/api/v1/bodies/iesg"))["parent"] == "iab"
    # set, refuse a cycle, clear
    moved = api.patch("/api/v1/bodies/iab", "admin", json={"parent": "board"})
    assert ok(moved)["parent"] == "board"
    cycle = api.patch("/api/v1/bodies/iab", "admin", json={"parent": "iesg"})
    assert cycle.status_code == 409, cycle.text
    assert cycle.headers["content-type"] == PROBLEM
    assert "iab is already above it" in cycle.json()["detail"]
    assert api.patch("/api/v1/bodies/iab", "admin", json={"parent": "iab"}).status_code == 409
    assert api.patch("/api/v1/bodies/iab", "wendy", json={"parent": None}).status_code == 403
    assert api.patch("/api/v1/bodies/nope", "admin", json={"parent": None}).status_code == 404
    missing = api.patch("/api/v1/bodies/iab", "admin", json={"parent": "nope"})
    assert missing.status_code == 422, missing.text
    assert ok(api.patch("/api/v1/bodies/iab", "admin", json={"parent": None}))["parent"] is None
    reserved = api.post(
        "/api/v1/bodies", "admin", json={"slug": "sponsor", "name": "S", "kind": "x"}
    )
    assert reserved.status_code == 422
    assert "reserved" in reserved.json()["detail"]


def test_seats_grant_list_and_end(api: Api) -> None:
    nobody = api.world.person_ids["nobody"]
    response = api.post(SEATS, "admin", json={"person_id": nobody, "role": "observer"})
    seat = ok(response, 201)
    assert (seat["person_name"], seat["role"], seat["voting"], seat["active"]) == (
        "Nobody",
        "observer",
        False,
        True,
    )
    assert seat["term_end"] is None

    running = ok(api.get(SEATS, "will"))["items"]
    assert [(s["person_name"], s["role"]) for s in running] == [
        ("Wendy", "chair"),
        ("Wes", "secretary"),
        ("Will", "member"),
        ("Wren", "member"),
        ("Wade", "member"),
        ("Olive", "observer"),
        ("Nobody", "observer"),
    ]
    observers = ok(api.get(SEATS, params={"role": "observer"}))["items"]
    assert [s["person_name"] for s in observers] == ["Olive", "Nobody"]

    api.world.tick(timedelta(days=1))
    ended = ok(api.post(f"{SEATS}/{seat['id']}/end", "admin", json={"reason": "moved on"}))
    assert ended["active"] is False
    assert ended["term_end"] is not None
    assert "Nobody" not in {s["person_name"] for s in ok(api.get(SEATS))["items"]}
    history = ok(api.get(SEATS, params={"active_only": False}))["items"]
    assert [s["active"] for s in history if s["id"] == seat["id"]] == [False]
    assert [a for a, _, _ in log_actions(api)[-2:]] == ["seat.granted", "seat.ended"]
    assert log_actions(api)[-1][2]["reason"] == "moved on"
    # seats are history: the person may be seated again once the term has ended
    again = api.post(SEATS, "admin", json={"person_id": nobody, "role": "member"})
    assert ok(again, 201)["voting"] is True


def test_idempotency_key_on_creates(api: Api) -> None:
    headers = {"Idempotency-Key": "org-acme"}
    body = {"name": "Acme", "kind": "company"}
    first = api.post("/api/v1/organizations", "admin", json=body, headers=headers)
    again = api.post("/api/v1/organizations", "admin", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert [a for a, _, _ in log_actions(api)].count("organization.created") == 6
    other = api.post(
        "/api/v1/organizations", "admin", json={**body, "name": "Acme 2"}, headers=headers
    )
    assert other.status_code == 422

    grant = {"person_id": api.world.person_ids["nobody"], "role": "member"}
    headers = {"Idempotency-Key": "seat-nobody"}
    seat = api.post(SEATS, "admin", json=grant, headers=headers)
    replay = api.post(SEATS, "admin", json=grant, headers=headers)
    assert ok(replay, 201) == ok(seat, 201)
    person = {"name": "Pat", "email": "pat@example.org"}
    headers = {"Idempotency-Key": "person-pat"}
    created = api.post("/api/v1/people", "admin", json=person, headers=headers)
    assert ok(api.post("/api/v1/people", "admin", json=person, headers=headers), 201) == ok(
        created, 201
    )


WRITES: list[tuple[str, dict[str, Any]]] = [
    ("/api/v1/organizations", {"name": "Acme", "kind": "company"}),
    ("/api/v1/people", {"name": "Pat", "email": "pat@example.org"}),
    ("/api/v1/bodies", {"slug": "wg-new", "name": "New", "kind": "working_group"}),
    (SEATS, {"person_id": 1, "role": "member"}),
    (f"{SEATS}/1/end", {"reason": "no"}),
]


@pytest.mark.parametrize("who", ["wendy", "nobody", "auditor"])
@pytest.mark.parametrize(("path", "body"), WRITES, ids=lambda v: str(v)[:30])
def test_only_admins_write_the_directory(api: Api, who: str, path: str, body: Any) -> None:
    before = len(log_actions(api))
    response = api.post(path, who, json=body)
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "urn:governance-engine:problem:permission-denied"
    assert len(log_actions(api)) == before


@pytest.mark.parametrize(
    "path",
    ["/api/v1/organizations", "/api/v1/people", "/api/v1/people/me", "/api/v1/bodies", SEATS],
)
def test_reading_the_directory_needs_a_token(api: Api, path: str) -> None:
    assert api.get(path, who=None).status_code == 401
    assert api.get(path, "nobody").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/organizations/999", None),
        ("get", "/api/v1/people/999", None),
        ("get", "/api/v1/bodies/wg-nothing", None),
        ("get", "/api/v1/bodies/wg-nothing/seats", None),
        ("post", "/api/v1/people", {"name": "P", "email": "p@example.org", "organization_id": 999}),
        ("post", SEATS, {"person_id": 999, "role": "member"}),
        ("post", "/api/v1/bodies/wg-nothing/seats", {"person_id": 1, "role": "member"}),
        ("post", f"{SEATS}/999/end", {"reason": "gone"}),
        ("post", "/api/v1/bodies/toc/seats/1/end", {"reason": "seat 1 is on another body"}),
    ],
)
def test_unknown_things_are_not_found(api: Api, method: str, path: str, body: Any) -> None:
    response = api.get(path, "admin") if method == "get" else api.post(path, "admin", json=body)
    assert response.status_code == 404, response.text
    assert response.json()["type"] == "urn:governance-engine:problem:not-found"


def test_conflicts(api: Api) -> None:
    duplicates = [
        ("/api/v1/organizations", {"name": "Northwind Labs", "kind": "company"}),
        ("/api/v1/people", {"name": "Wendy Two", "email": "WENDY@example.org"}),
        (
            "/api/v1/bodies",
            {"slug": "wg-trust-validation", "name": "Again", "kind": "working_group"},
        ),
        (SEATS, {"person_id": api.world.person_ids["will"], "role": "chair"}),
    ]
    for path, body in duplicates:
        response = api.post(path, "admin", json=body)
        assert response.status_code == 409, (path, response.text)
        assert response.headers["content-type"] == PROBLEM
    seat = ok(api.get(SEATS, params={"role": "member"}))["items"][0]["id"]
    api.world.tick()
    ok(api.post(f"{SEATS}/{seat}/end", "admin", json={"reason": "left"}))
    api.world.tick()
    assert api.post(f"{SEATS}/{seat}/end", "admin", json={"reason": "twice"}).status_code == 409
    start = (api.world.clock.now() + timedelta(days=30)).isoformat()
    future = ok(
        api.post(
            SEATS,
            "admin",
            json={
                "person_id": api.world.person_ids["nobody"],
                "role": "member",
                "term_start": start,
            },
        ),
        201,
    )
    not_begun = api.post(f"{SEATS}/{future['id']}/end", "admin", json={"reason": "cancel"})
    assert not_begun.status_code == 409
    assert "has not begun" in not_begun.json()["detail"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (SEATS, {"person_id": 2, "role": "emperor"}, "role"),
        (SEATS, {"person_id": 2, "role": "observer", "voting": True}, "voting"),
        (
            SEATS,
            {
                "person_id": 2,
                "role": "member",
                "term_start": "2026-06-01T00:00:00Z",
                "term_end": "2026-05-01T00:00:00Z",
            },
            "term_end",
        ),
        (
            SEATS,
            {"person_id": 2, "role": "member", "term_start": "2026-06-01T00:00:00"},
            "term_start",
        ),
        (SEATS, {"person_id": 2, "role": "member", "since": "always"}, "since"),
        ("/api/v1/bodies", {"slug": "Not A Slug", "name": "X", "kind": "working_group"}, "slug"),
        ("/api/v1/bodies", {"slug": "wg-x", "name": "X", "kind": "Committee"}, "kind"),
        ("/api/v1/bodies", {"slug": "wg-x", "name": "X", "kind": "9lives"}, "kind"),
        ("/api/v1/bodies", {"slug": "wg-x", "name": "X", "kind": "a" * 33}, "kind"),
        (
            "/api/v1/bodies",
            {"slug": "wg-x", "name": "X", "kind": "council", "parent": "No"},
            "parent",
        ),
        ("/api/v1/organizations", {"name": "", "kind": "company"}, "name"),
        ("/api/v1/organizations", {"name": "X" * 201, "kind": "company"}, "name"),
        ("/api/v1/people", {"name": "Pat", "email": "not-an-email"}, "email"),
        (f"{SEATS}/1/end", {"reason": ""}, "reason"),
    ],
)
def test_invalid_input_is_422(api: Api, path: str, body: dict[str, Any], field: str) -> None:
    response = api.post(path, "admin", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert any(error["loc"][-1] == field for error in response.json()["errors"])


def test_openapi_documents_the_directory(api: Api) -> None:
    spec = ok(api.client.get("/openapi.json"))
    operations = {
        operation["operationId"]: operation
        for methods in spec["paths"].values()
        for operation in methods.values()
    }
    for name in ("create_organization", "create_body"):
        assert {"401", "403", "409", "422"} <= set(operations[name]["responses"]), name
    for name in ("create_person", "grant_seat", "end_seat", "issue_token", "revoke_token"):
        assert {"401", "403", "404", "409", "422"} <= set(operations[name]["responses"]), name
    for name in ("list_organizations", "list_people", "get_me", "list_bodies", "list_seats"):
        assert "401" in operations[name]["responses"], name
    assert "Idempotency-Key" in {p["name"] for p in operations["create_body"]["parameters"]}
    # /me is routed before /{person_id}
    assert list(spec["paths"]).index("/api/v1/people/me") < list(spec["paths"]).index(
        "/api/v1/people/{person_id}"
    )
