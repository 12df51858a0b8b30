from __future__ import annotations

from testkit.drive import file, open_ballot, run_tick, take, vote
from testkit.http import Api


def decided(api: Api) -> str:
    world = api.world
    proposal_id = file(world, title="<b>Model</b> cards", text="# Text\n")
    take(world, proposal_id, "submit", "wendy")
    ballot_id = open_ballot(world, proposal_id, "wendy")
    for voter in ("wendy", "will", "wren"):
        vote(world, ballot_id, voter, "yes", rationale="fine by me")
    assert run_tick(world).closed == [ballot_id]
    items = api.get("/api/v1/decisions", "tara").json()["items"]
    return str(items[0]["number"])


def test_decision_negotiates_json_markdown_and_html(api: Api) -> None:
    number = decided(api)
    path = f"/api/v1/decisions/{number}"
    as_json = api.get(path, "tara")
    assert as_json.headers["content-type"].startswith("application/json")
    assert as_json.json()["number"] == number
    markdown = api.get(path, "tara", headers={"Accept": "text/markdown"})
    assert markdown.status_code == 200
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.headers["vary"] == "Accept"
    assert markdown.text.startswith(f"# Decision {number}")
    assert "fine by me" in markdown.text
    html = api.get(path, "tara", headers={"Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html")
    assert "&lt;b&gt;Model&lt;/b&gt; cards" in html.text
    preferred = api.get(path, "tara", headers={"Accept": "text/html;q=0.5, text/markdown"})
    assert preferred.headers["content-type"].startswith("text/markdown")
    json_first = api.get(path, "tara", headers={"Accept": "application/json, text/html;q=0.1"})
    assert json_first.headers["content-type"].startswith("application/json")
    missing = api.get("/api/v1/decisions/TOC-1999-001", "tara", headers={"Accept": "text/html"})
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
