from __future__ import annotations

from collections.abc import Iterator

from testkit.http import Api

from api.limits import DEFAULT_MAX_BODY


def test_oversized_bodies_get_413_and_change_nothing(api: Api) -> None:
    huge = {
        "kind": "standard",
        "title": "Big",
        "sponsor": "wg-trust-validation",
        "text": "x" * (DEFAULT_MAX_BODY + 10),
    }
    response = api.post("/api/v1/proposals", json=huge)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith(":request-too-large")
    assert api.get("/api/v1/proposals").json()["items"] == []


def test_a_chunked_body_is_counted_as_it_arrives(api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"kind": "standard", "title": "Big", "sponsor": "wg-trust-validation", "text": "'
        for _ in range(DEFAULT_MAX_BODY // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    response = api.client.post(
        "/api/v1/proposals",
        content=chunks(),
        headers={**api.headers("wendy"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_a_long_field_within_the_cap_is_a_clear_422(api: Api) -> None:
    response = api.post(
        "/api/v1/proposals",
        json={"kind": "standard", "title": "t" * 301, "sponsor": "wg-trust-validation"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "title"]
