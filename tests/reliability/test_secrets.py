"""API tokens: stored only as hashes, compared in constant time, never written to a log.

``tests/api/test_tokens.py`` checks the ``api_tokens`` row and the log payloads of one
issued token; here the secret is hunted through every cell of every table, through what the
application logs in process (caplog, every level, every logger), and through everything
``governance-engine serve`` prints, uvicorn's access log included. That the decision log
itself refuses UPDATE and DELETE is ``tests/persistence/test_log_writer.py::
test_database_refuses_to_change_the_log``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import pytest
import yaml
from sqlalchemy import inspect, text
from testkit.drive import file, open_ballot, take, vote
from testkit.http import Api, issue_tokens, serve_in_process
from testkit.server import running_server, serve_env
from testkit.world import World, build_world

from api.limits import DEFAULT_MAX_BODY
from api.pages._web import SIGN_IN_COOKIE
from governance_engine.lifecycle import bundled_workflows_path, load_bundled, parse_workflow
from governance_engine.persistence.database import Database
from governance_engine.services.workflows import WorkflowCatalog

TOKENS = "/api/v1/tokens"
ME = "/api/v1/people/me"
FORGED = "ge_" + "A" * 43  # well-formed, unknown
RATIONALE = "a reason only auditors may read"
COMPARE = "governance_engine.services.identity.hmac.compare_digest"


def _cells(database: Database) -> list[tuple[str, str, str]]:
    """(table, column, value as text) for every cell of every table."""
    found = []
    with database.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            result = connection.execute(text(f'SELECT * FROM "{table}"'))
            columns = list(result.keys())
            for row in result:
                for column, value in zip(columns, row, strict=True):
                    shown = (
                        json.dumps(value, default=str)
                        if isinstance(value, dict | list)
                        else str(value)
                    )
                    found.append((table, column, shown))
    return found


def _use_a_token(api: Api) -> str:
    """Issue a token through the API, use it, and revoke it; return its secret."""
    nobody = api.world.person_ids["nobody"]
    issued = api.post(TOKENS, "admin", json={"person_id": nobody, "label": "ci"})
    assert issued.status_code == 201, issued.text
    secret: str = issued.json()["secret"]
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.client.get(ME, headers=headers).status_code == 200
    assert api.client.post(TOKENS, headers=headers, json={"person_id": nobody}).status_code == 403
    assert api.client.get("/api/v1/proposals/999", headers=headers).status_code == 404
    revoked = api.client.post(f"{TOKENS}/{issued.json()['id']}/revoke", headers=headers, json={})
    assert revoked.status_code == 200, revoked.text
    assert api.client.get(ME, headers=headers).status_code == 401
    return secret


def test_a_secret_is_nowhere_in_the_database_and_its_hash_only_in_api_tokens(
    api: Api, database: Database
) -> None:
    secret = _use_a_token(api)
    digest = hashlib.sha256(secret.encode()).hexdigest()
    cells = _cells(database)
    assert [(t, c) for t, c, value in cells if secret in value] == []
    assert [(t, c) for t, c, value in cells if digest in value] == [("api_tokens", "token_hash")]
    every_token = [value for t, c, value in cells if (t, c) == ("api_tokens", "token_hash")]
    assert all(len(value) == 64 for value in every_token)
    for other in api.tokens.values():  # the seeded tokens, too
        assert not any(other in value for _, _, value in cells)


def test_tokens_are_compared_in_constant_time(api: Api) -> None:
    """``authenticate`` decides with ``hmac.compare_digest`` on the stored and computed hash."""
    secret = api.tokens["wendy"]
    digest = hashlib.sha256(secret.encode()).hexdigest()
    with mock.patch(COMPARE, wraps=hmac.compare_digest) as compare:
        assert api.get(ME, "wendy").status_code == 200
    compare.assert_called_once_with(digest, digest)
    # Its answer is what decides: a comparison that says "different" refuses the real token.
    with mock.patch(COMPARE, return_value=False) as refuse:
        assert api.get(ME, "wendy").status_code == 401
    refuse.assert_called_once()


def test_no_token_reaches_the_application_logs(
    api: Api, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = _use_a_token(api)
    assert api.client.get(ME, headers={"Authorization": f"Bearer {FORGED}"}).status_code == 401
    # An unexpected error is logged with its traceback: the token is not in it either.
    failing = mock.Mock(side_effect=RuntimeError("the directory is on fire"))
    monkeypatch.setattr("governance_engine.services.identity.Actor.of", failing)
    assert api.get(ME, "wendy").status_code == 500
    monkeypatch.undo()
    assert "unhandled error on GET /api/v1/people/me" in caplog.text
    everything = caplog.text + "".join(_record_text(record) for record in caplog.records)
    for token in (secret, FORGED, *api.tokens.values()):
        assert token not in everything


def _secret_ballot_world(database: Database) -> World:
    """The bundled workflows, but the guideline's WG ballot is secret (as version 99)."""
    data = yaml.safe_load((bundled_workflows_path() / "guideline.yaml").read_text("utf-8"))
    data["version"] = 99
    data["states"]["wg_review"]["ballot"]["rule"] = {"preset": "simple-majority", "secret": True}
    definitions = [d for d in load_bundled() if d.name != "guideline"]
    catalog = WorkflowCatalog([*definitions, parse_workflow(data, "guideline.yaml")])
    return build_world(database, catalog=catalog)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_admins_do_not_read_secret_votes_in_the_log_export(
    database: Database, database_url: str, backend: str, tmp_path: Path
) -> None:
    """A secret ballot hides how people voted from everyone but auditors (DESIGN §5). An
    admin who is not an auditor sees the votes redacted in ``/log`` and on the ballot: the
    export must not give them away either (refused, or redacted)."""
    world = _secret_ballot_world(database)
    proposal_id = file(world, kind="guideline", text="# G\n")
    take(world, proposal_id, "submit", "wendy")
    ballot_id = open_ballot(world, proposal_id, "wendy")
    vote(world, ballot_id, "will", "no", rationale=RATIONALE)
    with serve_in_process(world, database_url, tmp_path / "signing.pem") as api:
        listed = api.get("/api/v1/log", "admin", params={"action": "vote.cast"}).json()
        assert [entry["payload"].get("choice") for entry in listed["items"]] == [None]
        for form in ("jsonl", "csv"):
            export = api.get("/api/v1/log/export", "admin", params={"format": form})
            if export.status_code != 403:
                assert export.status_code == 200, export.text
                assert RATIONALE not in export.text, f"{form}: the admin read the secret vote"
        audited = api.get("/api/v1/log/export", "auditor", params={"action": "vote.cast"})
        assert RATIONALE in audited.text


def _record_text(record: logging.LogRecord) -> str:
    return " ".join(str(value) for value in vars(record).values())


@pytest.mark.slow
def test_serve_prints_no_token_and_caps_request_bodies(database_url: str, tmp_path: Path) -> None:
    """Through the real server: its whole output (uvicorn's access log at info included) holds
    no token, and a body over the cap gets 413 whether it declares its length or not."""
    database = Database(database_url)
    try:
        world = build_world(database)
        tokens = issue_tokens(world)
    finally:
        database.dispose()
    env = serve_env(database_url, tmp_path / "keys" / "signing.pem", tick_interval=0.5)
    with (
        running_server(env, tmp_path, args=("--access-log",)) as server,
        httpx.Client(base_url=server.url) as client,
    ):
        admin = {"Authorization": f"Bearer {tokens['admin']}"}
        issued = client.post(TOKENS, headers=admin, json={"person_id": world.person_ids["nobody"]})
        assert issued.status_code == 201, issued.text
        secret = issued.json()["secret"]
        own = {"Authorization": f"Bearer {secret}"}
        for headers in (
            own,
            admin,
            {"Authorization": f"Bearer {FORGED}"},
            {"Authorization": f"bearer {secret}"},
        ):
            client.get(ME, headers=headers)
            client.get("/api/v1/log", headers=headers)
            client.post(TOKENS, headers=headers, json={"person_id": "x"})
        revoked = client.post(f"{TOKENS}/{issued.json()['id']}/revoke", headers=own, json={})
        assert revoked.status_code == 200
        assert client.get(ME, headers=own).status_code == 401
        _sign_in_on_the_pages(client, tokens["wendy"], FORGED)
        _oversized_bodies_get_413(client, {"Authorization": f"Bearer {tokens['wendy']}"})
        output = server.output()
    assert '"GET /api/v1/people/me HTTP/1.1" 401' in output  # the access log is on
    for token in (secret, FORGED, *tokens.values()):
        assert token not in output
    assert "Traceback" not in output


def _sign_in_on_the_pages(client: httpx.Client, token: str, forged: str) -> None:
    """The pages take a token in a posted form: that body is not logged either."""
    for secret, status in ((forged, 401), (token, 303)):
        form = client.get("/sign-in")
        csrf = form.cookies.get(SIGN_IN_COOKIE)
        assert csrf, form.headers
        posted = client.post(
            "/sign-in",
            data={"csrf_token": csrf, "token": secret, "next": "/"},
            headers={"Cookie": f"{SIGN_IN_COOKIE}={csrf}"},
        )
        assert posted.status_code == status, posted.text[:500]


def _oversized_bodies_get_413(client: httpx.Client, headers: dict[str, str]) -> None:
    filing: dict[str, Any] = {"kind": "standard", "title": "Big", "sponsor": "wg-trust-validation"}
    huge = json.dumps({**filing, "text": "x" * (DEFAULT_MAX_BODY + 1)}).encode()
    declared = client.post(
        "/api/v1/proposals", content=huge, headers={**headers, "Content-Type": "application/json"}
    )
    assert declared.status_code == 413
    assert declared.json()["type"].endswith(":request-too-large")

    def chunks() -> Any:
        for start in range(0, len(huge), 65536):
            yield huge[start : start + 65536]

    chunked = client.post(
        "/api/v1/proposals",
        content=chunks(),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert chunked.status_code == 413
    listed = client.get("/api/v1/proposals", headers=headers)
    assert listed.json()["items"] == []
