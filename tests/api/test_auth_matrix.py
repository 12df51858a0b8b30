"""Who may call what, route by route, for EVERY route the app serves.

The routes are read from the app itself (``app.routes``, through FastAPI's
``iter_route_contexts``), never from a hand-written list: a route added later is checked by
the same matrix, and a route that forgets authentication fails it.

* Public routes are an explicit allowlist (``PUBLIC``); the people's pages (served from ``/``,
  outside the OpenAPI document) are tested in ``tests/pages`` and skipped here. Any other route
  outside ``/api/v1`` fails the inventory.
* Every other route answers 401 (problem+json, ``WWW-Authenticate: Bearer``) to no token, a
  token in another scheme, an unknown token, an expired one and a revoked one.
* The auditor reads everything and writes nothing: 403 on every write (one exception: an auditor
  may revoke their own token, see ``test_an_auditor_may_revoke_their_own_token``).
* ``nobody`` (signed in, no seat, not admin, not auditor) gets 403 on every write, and on the
  auditor-only reads; ``NOBODY_MAY`` lists the writes anyone signed in may make, and why.

Path parameters are filled with real objects made through the API in ``objects``: a 403 must
come from the permission check, not from a missing proposal or ballot. Request bodies are valid
(``BODIES``), so that a 422 cannot hide a missing check either; a new write whose body is not in
``BODIES`` fails the write matrices with a message saying so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from testkit.http import Api

from api import pages
from api.app import create_app
from api.deps import get_actor, get_auditor
from governance_engine.config import Settings
from governance_engine.log.note import COSIGNATURE_V1, VerifierKey
from governance_engine.services.tick import tick

API = "/api/v1"
WG = "wg-trust-validation"
PROBLEM = "application/problem+json"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}

# Routes anyone may call without a token. Add to this list deliberately, never by default.
PUBLIC = {
    ("GET", "/health"),  # liveness probes carry no credentials
    ("GET", "/openapi.json"),  # the API's description, and the two documentation pages on it
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
    ("GET", f"{API}/log/public-key"),  # anyone may check a signed checkpoint with it
    ("GET", f"{API}/log/checkpoints/latest"),  # what witnesses fetch: no content of the log
    ("GET", f"{API}/log/proofs/consistency"),  # hashes only: witnesses check it
    # a witness posts its cosignature with no account: only a registered key's is accepted
    ("POST", f"{API}/log/checkpoints/{{tree_size}}/cosignatures"),
}
# How to call the public routes that need parameters; they must answer without a token.
PUBLIC_REQUESTS = {
    ("GET", f"{API}/log/proofs/consistency"): (f"{API}/log/proofs/consistency?first=0", 200),
    ("POST", f"{API}/log/checkpoints/{{tree_size}}/cosignatures"): (
        f"{API}/log/checkpoints/SIZE/cosignatures",  # SIZE: the checkpoint signed below
        422,  # no cosignature lines in the body; never 401
    ),
}

# Writes any signed-in person may make, with what the matrix expects of ``nobody`` on the
# objects of ``objects`` (which belong to other people), and why.
NOBODY_MAY = {
    # A person may always revoke their own token (a lost laptop must not wait for an admin);
    # someone else's needs an admin, so ``nobody`` gets 403 on the token used here, which is
    # Wendy's. Revoking one's own: test_anyone_may_revoke_their_own_token.
    ("POST", f"{API}/tokens/{{token_id}}/revoke"): 403,
    # Marking one's own notification read is one's own business. Someone else's notification
    # is answered 404, as if it did not exist: the API does not say whom others hear from.
    ("POST", f"{API}/notifications/{{notification_id}}/read"): 404,
}
# The auditor writes nothing, with the exception of revoking their own token (withdrawing a
# credential is not a governance write; test_an_auditor_may_revoke_their_own_token). Someone
# else's notification is answered 404, as for anyone.
AUDITOR_REFUSALS = {("POST", f"{API}/notifications/{{notification_id}}/read"): 404}

# A valid body for every write that takes one, by (method, path template): the refusal must
# come from the permission check, not from validation. ``{name}`` is filled from ``objects``.
ROGUE_WITNESS = VerifierKey(
    "witness.rogue.example", Ed25519PrivateKey.generate().public_key(), COSIGNATURE_V1
).encode()
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", f"{API}/organizations"): {"name": "Rogue Holdings", "kind": "company"},
    ("POST", f"{API}/people"): {"name": "Rogue", "email": "rogue@example.org", "is_admin": True},
    ("POST", f"{API}/bodies"): {"slug": "wg-rogue", "name": "Rogue", "kind": "working_group"},
    ("PATCH", f"{API}/bodies/{{slug}}"): {"parent": None},
    ("POST", f"{API}/bodies/{{slug}}/seats"): {"person_id": "{caller_id}", "role": "chair"},
    ("POST", f"{API}/bodies/{{slug}}/seats/{{seat_id}}/end"): {"reason": "a coup"},
    ("POST", f"{API}/tokens"): {"person_id": "{admin_id}", "label": "a key to the kingdom"},
    ("POST", f"{API}/tokens/{{token_id}}/revoke"): {"reason": "mischief"},
    ("POST", f"{API}/proposals"): {
        "kind": "guideline",
        "title": "Rogue guideline",
        "sponsor": WG,
        "text": "# Rogue\n",
    },
    ("POST", f"{API}/proposals/{{proposal_id}}/revisions"): {"text": "# Rewritten\n"},
    ("POST", f"{API}/proposals/{{proposal_id}}/actions/{{action}}"): {"reason": "mischief"},
    ("POST", f"{API}/ballots"): {"proposal_id": "{idle_proposal_id}"},
    ("POST", f"{API}/ballots/{{ballot_id}}/votes"): {"choice": "object", "rationale": "no"},
    ("POST", f"{API}/ballots/{{ballot_id}}/cancel"): {"reason": "mischief"},
    ("POST", f"{API}/ballots/{{ballot_id}}/electorate"): {
        "remove": ["{will_id}"],
        "reason": "mischief",
    },
    ("POST", f"{API}/proposals/{{proposal_id}}/comments"): {"body": "First!"},
    ("PATCH", f"{API}/proposals/{{proposal_id}}/comments/{{comment_id}}"): {"body": "Edited"},
    ("POST", f"{API}/proposals/{{proposal_id}}/comments/{{comment_id}}/retract"): {"reason": "x"},
    ("POST", f"{API}/proposals/{{proposal_id}}/concerns"): {"title": "I object to everything"},
    ("POST", f"{API}/proposals/{{proposal_id}}/concerns/{{concern_id}}/address"): {
        "reason": "handled"
    },
    ("POST", f"{API}/proposals/{{proposal_id}}/concerns/{{concern_id}}/resolve"): {"note": "x"},
    ("POST", f"{API}/proposals/{{proposal_id}}/objections"): {
        "decision": "{decision}",
        "grounds": "mischief",
    },
    ("POST", f"{API}/proposals/{{proposal_id}}/objections/{{objection_id}}/withdraw"): {
        "reason": "x"
    },
    ("POST", f"{API}/proposals/{{proposal_id}}/objections/{{objection_id}}/resolve"): {
        "outcome": "dismissed",
        "reasons": "mischief",
    },
    ("POST", f"{API}/log/witnesses"): {"verifier_key": ROGUE_WITNESS},
    ("POST", f"{API}/webhooks"): {
        "url": "https://exfiltrate.example.net/hook",
        "event_types": ["*"],
    },
    ("POST", f"{API}/people/{{person_id}}/identities"): {
        "issuer": "https://sso.rogue.example",
        "subject": "me-as-someone-else",
    },
    ("PUT", f"{API}/organizations/{{organization_id}}/email-domains"): {
        "email_domains": ["example.org"]
    },
}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    """The path template, e.g. ``/api/v1/ballots/{ballot_id}/votes``."""
    route: Any

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def endpoints(app: FastAPI) -> Iterator[Endpoint]:
    """Every (method, path) the app serves, included routers and mounts flattened."""
    for context in iter_route_contexts(app.routes):
        assert context.path is not None, context
        methods = sorted(context.methods or {"*"})  # a mount answers every method
        for method in methods:
            if method != "HEAD":  # Starlette adds HEAD to every GET
                yield Endpoint(method, context.path, context.original_route)


def depends_on(route: APIRoute, dependency: Any) -> bool:
    """Whether ``dependency`` is anywhere in the route's dependency tree."""
    pending = list(route.dependant.dependencies)
    while pending:
        current = pending.pop()
        if current.call is dependency:
            return True
        pending.extend(current.dependencies)
    return False


APP = create_app(Settings(database_url="sqlite://"))  # only its routes are read: no lifespan
ENDPOINTS = list(endpoints(APP))
PAGE_ROUTES = {id(context.original_route) for context in iter_route_contexts(pages.router.routes)}
PROTECTED = [e for e in ENDPOINTS if e.path.startswith(f"{API}/") and e.key not in PUBLIC]
PROTECTED_WRITES = [e for e in PROTECTED if e.method in WRITES]
# Reads for auditors (and admins) only: those that depend on ``get_auditor``, and those whose
# service checks it (the webhook subscriptions: their URLs and delivery errors are internal).
AUDITOR_ONLY = {
    ("GET", f"{API}/webhooks"),
    ("GET", f"{API}/webhooks/{{webhook_id}}"),
    ("GET", f"{API}/webhooks/{{webhook_id}}/deliveries"),
}
AUDITOR_READS = [
    e
    for e in PROTECTED
    if e.method not in WRITES and (depends_on(e.route, get_auditor) or e.key in AUDITOR_ONLY)
]


def parameters(template: str) -> list[str]:
    """The path parameters, named as in ``objects`` (``number`` is a revision's, or under
    ``/decisions`` a decision's)."""
    names = re.findall(r"\{(\w+)\}", template)
    return ["decision" if n == "number" and "/decisions/" in template else n for n in names]


def fill(template: str, objects: dict[str, Any]) -> str:
    """Each ``{name}`` -> ``objects[name]``, or 1 for a name nobody made (a new route)."""
    values = iter(parameters(template))
    return re.sub(r"\{\w+\}", lambda _: str(objects.get(next(values), 1)), template)


def body_for(endpoint: Endpoint, objects: dict[str, Any]) -> Any:
    template = BODIES.get(endpoint.key)
    if template is None:
        return None

    def filled(item: Any) -> Any:
        if isinstance(item, str) and re.fullmatch(r"\{\w+\}", item):
            return objects[item[1:-1]]
        if isinstance(item, list):
            return [filled(part) for part in item]
        return item

    return {key: filled(item) for key, item in template.items()}


def call(
    api: Api, endpoint: Endpoint, objects: dict[str, Any], headers: dict[str, str]
) -> httpx2.Response:
    path = fill(endpoint.path, objects)
    body = body_for(endpoint, objects)
    if body is None:
        return api.client.request(endpoint.method, path, headers=headers)
    return api.client.request(endpoint.method, path, headers=headers, json=body)


def as_person(api: Api, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api.tokens[who]}"}


def answer(response: httpx2.Response) -> str:
    """One line for a failure message: status, problem type and detail."""
    try:
        body = response.json()
        return f"{response.status_code} {body.get('type', '')}: {body.get('detail', body)}"
    except ValueError:
        return f"{response.status_code} {response.text[:200]}"


def ok(response: httpx2.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, f"{response.request.url}: {response.text}"
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def objects(api: Api) -> dict[str, Any]:
    """One of each kind of object a path can name, made through the API by the people whose
    job it is, and the ids of people the bodies name. Returns path parameter -> value."""
    ids = api.world.person_ids
    made: dict[str, Any] = {
        "organization_id": api.world.organizations["Northwind Labs"],
        "person_id": ids["wendy"],
        "slug": WG,
        "name": "standard",
        "admin_id": api.world.admin.person_id,
        "will_id": ids["will"],
        "caller_id": ids["nobody"],  # whoever calls: refusals() sets it
    }
    webhook = ok(
        api.post(
            f"{API}/webhooks",
            "admin",
            json={"url": "https://hooks.example.org/governance", "event_types": ["*"]},
        ),
        201,
    )
    made["webhook_id"] = webhook["id"]

    filing = {"kind": "standard", "title": "Model cards", "sponsor": WG, "text": "# Cards\n"}
    proposal = ok(api.post(f"{API}/proposals", "wendy", json=filing), 201)
    made["proposal_id"] = proposal["id"]
    made["number"] = 1  # its revision
    ok(api.post(f"{API}/proposals/{proposal['id']}/actions/submit", "wendy"))
    # A ballot closing within the reminder window, so that tick sends reminders (notifications)
    deadline = (api.world.clock.now() + timedelta(hours=2)).isoformat()
    review = ok(
        api.post(
            f"{API}/ballots", "wendy", json={"proposal_id": proposal["id"], "deadline": deadline}
        ),
        201,
    )
    world = api.world
    assert tick(world.database, clock=world.clock, catalog=world.catalog).reminders_sent
    for voter in ("will", "wren", "wade"):
        ok(api.post(f"{API}/ballots/{review['id']}/votes", voter, json={"choice": "yes"}), 201)
    closed = ok(api.post(f"{API}/ballots/{review['id']}/close", "wendy"))
    made["decision"] = closed["decision"]["number"]
    # The proposal is now in WG last call, with its ballot open: the ballot the writes aim at.
    last_call = ok(api.post(f"{API}/ballots", "wes", json={"proposal_id": proposal["id"]}), 201)
    made["ballot_id"] = last_call["id"]
    made["action"] = "last_call_return"  # offered to the WG chair in this state

    # A second proposal in review with no ballot open yet: what opening a ballot would need.
    idle = ok(api.post(f"{API}/proposals", "wendy", json={**filing, "title": "Idle"}), 201)
    ok(api.post(f"{API}/proposals/{idle['id']}/actions/submit", "wendy"))
    made["idle_proposal_id"] = idle["id"]

    base = f"{API}/proposals/{proposal['id']}"
    comment = ok(api.post(f"{base}/comments", "will", json={"body": "Who signs?"}), 201)
    made["comment_id"] = comment["id"]
    concern = ok(api.post(f"{base}/concerns", "wren", json={"title": "No threat model"}), 201)
    made["concern_id"] = concern["id"]
    objection = {"decision": made["decision"], "grounds": "The vote was rushed."}
    made["objection_id"] = ok(api.post(f"{base}/objections", "wade", json=objection), 201)["id"]

    seats = ok(api.get(f"{API}/bodies/{WG}/seats", "admin"))["items"]
    made["seat_id"] = next(seat["id"] for seat in seats if seat["person_id"] == ids["will"])
    tokens = ok(api.get(f"{API}/tokens", "admin", params={"person_id": ids["wendy"]}))["items"]
    made["token_id"] = tokens[0]["id"]
    notices = ok(api.get(f"{API}/notifications", "will"))["items"]
    made["notification_id"] = notices[0]["id"]
    deliveries = ok(api.get(f"{API}/webhooks/{webhook['id']}/deliveries", "admin"))["items"]
    made["delivery_id"] = deliveries[0]["id"]
    return made


# -- the inventory -------------------------------------------------------------------------------


def test_every_route_is_public_a_page_or_protected() -> None:
    """A route outside ``/api/v1`` is a page or on the public allowlist; everything under
    ``/api/v1`` but the public key depends on the caller's token."""
    stray = [
        str(e)
        for e in ENDPOINTS
        if not e.path.startswith(f"{API}/")
        and e.key not in PUBLIC
        and id(e.route) not in PAGE_ROUTES
    ]
    assert not stray, f"routes outside {API} that are neither public nor pages: {stray}"
    assert {e.key for e in ENDPOINTS} >= PUBLIC, "a public route is gone: update PUBLIC"
    unguarded = [str(e) for e in PROTECTED if not depends_on(e.route, get_actor)]
    assert not unguarded, f"routes that never ask who is calling: {unguarded}"
    assert len(PROTECTED) >= 60, "the matrix would check (almost) nothing"
    assert len(PROTECTED_WRITES) >= 25
    unknown = (set(BODIES) - {e.key for e in PROTECTED_WRITES}) | (
        AUDITOR_ONLY - {e.key for e in PROTECTED}
    )
    assert not unknown, f"BODIES or AUDITOR_ONLY name routes that do not exist: {unknown}"


def test_public_routes_need_no_token(api: Api) -> None:
    signed = api.post(f"{API}/log/checkpoints", "admin")  # one to serve
    assert signed.status_code == 201
    for method, path in sorted(PUBLIC):
        url, status = PUBLIC_REQUESTS.get((method, path), (path, 200))
        response = api.client.request(method, url.replace("SIZE", str(signed.json()["tree_size"])))
        assert response.status_code == status, f"{method} {path}: {answer(response)}"


# -- 401 ---------------------------------------------------------------------------------------


def spoiled_tokens(api: Api) -> dict[str, str]:
    """Authorization headers that must not get anyone in, each made as it happens for real."""
    wendy = api.world.person_ids["wendy"]
    soon = (api.world.clock.now() + timedelta(minutes=5)).isoformat()
    expiring = ok(
        api.post(
            f"{API}/tokens",
            "admin",
            json={"person_id": wendy, "label": "expires soon", "expires_at": soon},
        ),
        201,
    )
    revoked = ok(api.post(f"{API}/tokens", "admin", json={"person_id": wendy}), 201)
    for token in (expiring, revoked):  # both work until they do not
        me = api.client.get(
            f"{API}/people/me", headers={"Authorization": f"Bearer {token['secret']}"}
        )
        assert me.status_code == 200, me.text
    # Wendy revokes the second with itself, as someone who lost a laptop would.
    revoking = {"Authorization": f"Bearer {revoked['secret']}"}
    ok(api.client.post(f"{API}/tokens/{revoked['id']}/revoke", headers=revoking, json={}))
    api.world.clock.advance(timedelta(minutes=6))
    return {
        "no token": "",
        "another scheme": "Basic d2VuZHk6c2VjcmV0",
        "an empty bearer token": "Bearer ",
        "an unknown token": "Bearer ge_" + "A" * 43,
        "an expired token": f"Bearer {expiring['secret']}",
        "a revoked token": f"Bearer {revoked['secret']}",
    }


def test_every_protected_route_refuses_missing_and_spoiled_tokens(
    api: Api, objects: dict[str, Any]
) -> None:
    refused_wrongly = []
    checked = 0
    for label, authorization in spoiled_tokens(api).items():
        headers = {"Authorization": authorization} if authorization else {}
        for endpoint in PROTECTED:
            response = call(api, endpoint, objects, headers)
            checked += 1
            if not (
                response.status_code == 401
                and response.headers.get("content-type") == PROBLEM
                and response.headers.get("www-authenticate", "").startswith("Bearer")
                and response.json()["status"] == 401
            ):
                refused_wrongly.append(f"{endpoint} with {label}: {answer(response)}")
    assert checked == 6 * len(PROTECTED)
    assert not refused_wrongly, "\n".join(refused_wrongly)


# -- 403 ---------------------------------------------------------------------------------------


def refusals(
    api: Api, objects: dict[str, Any], who: str, targets: list[Endpoint], expected: dict[Any, int]
) -> list[str]:
    """Call each target as ``who``; return the calls not refused as ``expected`` says (403
    unless listed), each with the answer it got."""
    headers = as_person(api, who)
    objects = {**objects, "caller_id": api.world.person_ids[who]}
    wrong = []
    for endpoint in targets:
        status = expected.get(endpoint.key, 403)
        response = call(api, endpoint, objects, headers)
        if response.status_code == status and response.headers.get("content-type") == PROBLEM:
            continue
        hint = ""
        if response.status_code == 422 and endpoint.key not in BODIES:
            hint = " (a new write? give it a valid body in BODIES)"
        unmade = [name for name in parameters(endpoint.path) if name not in objects]
        if unmade:
            hint += f" (a new route? make a real {', '.join(unmade)} in objects())"
        wrong.append(f"{endpoint}: expected {status}, got {answer(response)}{hint}")
    return wrong


def test_the_auditor_writes_nothing(api: Api, objects: dict[str, Any]) -> None:
    wrong = refusals(api, objects, "auditor", PROTECTED_WRITES, AUDITOR_REFUSALS)
    assert not wrong, "\n".join(wrong)


def test_nobody_without_a_seat_writes_nothing_and_reads_no_log(
    api: Api, objects: dict[str, Any]
) -> None:
    assert AUDITOR_READS, "the decision log's routes should need an auditor"
    wrong = refusals(api, objects, "nobody", PROTECTED_WRITES + AUDITOR_READS, NOBODY_MAY)
    assert not wrong, "\n".join(wrong)


def test_the_objects_and_bodies_get_past_lookup_and_validation(
    api: Api, objects: dict[str, Any]
) -> None:
    """The control for the two matrices above: with the same paths and bodies, the admin (who
    first seats themselves as the working group's chair, through the seat route itself) never
    gets 404 or 422, so the refusals above come from permission checks, not from a missing
    object or a bad body. Someone else's notification is 404 for everyone, the admin too."""
    headers = as_person(api, "admin")
    mine = {**objects, "caller_id": api.world.admin.person_id}
    wrong = []
    for endpoint in PROTECTED_WRITES:
        response = call(api, endpoint, mine, headers)
        expected_404 = endpoint.key == ("POST", f"{API}/notifications/{{notification_id}}/read")
        if response.status_code in (401, 422) or (response.status_code == 404) != expected_404:
            wrong.append(f"{endpoint}: {answer(response)}")
    assert not wrong, "\n".join(wrong)


def test_an_auditor_may_revoke_their_own_token(api: Api) -> None:
    """The one write an auditor may make: withdrawing their own credential."""
    auditor = api.world.person_ids["auditor"]
    spare = ok(api.post(f"{API}/tokens", "admin", json={"person_id": auditor}), 201)
    revoked = ok(
        api.post(f"{API}/tokens/{spare['id']}/revoke", "auditor", json={"reason": "rotated"})
    )
    assert revoked["revoked_at"] is not None
    assert api.get(f"{API}/people/me", "auditor").status_code == 200  # the other one still works


def test_anyone_may_revoke_their_own_token(api: Api) -> None:
    nobody = api.world.person_ids["nobody"]
    tokens = ok(api.get(f"{API}/tokens", "nobody"))["items"]
    assert [token["person_id"] for token in tokens] == [nobody]  # and sees only their own
    revoked = ok(api.post(f"{API}/tokens/{tokens[0]['id']}/revoke", "nobody", json={}))
    assert revoked["revoked_at"] is not None
    assert api.get(f"{API}/people/me", "nobody").status_code == 401
