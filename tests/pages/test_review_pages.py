"""The review on the pages, in process: comments anchored to lines, concerns that block until
their raiser lifts them, formal objections, their forms for the right people only, escaping of
hostile text, and CSRF on every review form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx2
from sqlalchemy import event, func, select
from testkit.drive import WG, file, open_ballot, pass_ballot, state_of, take
from testkit.pages import (
    ATTRIBUTE,
    ESCAPED_ATTRIBUTE,
    ESCAPED_SCRIPT,
    SCRIPT,
    Site,
)
from testkit.world import World

from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import Comment, Concern, Decision, Objection

TEXT = "# Model cards\n\nEvery model ships a card.\nCards are signed.\n"
REVIEW_FORMS = ("/comments", "/concerns", "/objections")


def snapshot(database: Database) -> tuple[int, ...]:
    with database.reader() as session:
        return (
            log_writer.head(session),
            *(
                session.scalar(select(func.count()).select_from(model)) or 0
                for model in (Comment, Concern, Objection, Decision)
            ),
            session.scalar(select(func.sum(Comment.version))) or 0,
        )


def in_last_call(world: World) -> int:
    proposal_id = file(world, text=TEXT)
    take(world, proposal_id, "submit", "wendy")
    pass_ballot(world, proposal_id, "wendy", WG)
    assert state_of(world, proposal_id) == "wg_last_call"
    return proposal_id


def ok(response: httpx2.Response) -> None:
    assert response.status_code == 303, response.text


def review_forms(page: str, proposal_id: int) -> list[str]:
    prefix = f'action="/proposals/{proposal_id}'
    return [f for f in REVIEW_FORMS if prefix + f in page]


def one(world: World, model: Any) -> Any:
    with world.database.reader() as session:
        return session.scalars(select(model).order_by(model.id.desc())).first()


# -- comments -------------------------------------------------------------------------------


def test_a_comment_on_lines_quotes_them_and_takes_replies_and_retraction(site: Site) -> None:
    proposal_id = file(site.world, text=TEXT)
    page_path = f"/proposals/{proposal_id}"
    will, wendy = site.browser("will"), site.browser("wendy")
    assert f'action="/proposals/{proposal_id}/comments"' in will.get(page_path).text
    response = will.submit(
        f"{page_path}/comments",
        {"body": "Say who signs.", "revision": "1", "line_start": "3", "line_end": "4"},
    )
    ok(response)
    comment = one(site.world, Comment)
    assert response.headers["location"] == f"{page_path}#comment-{comment.id}"
    page = wendy.get(page_path).text
    assert "Say who signs." in page
    assert f'on revision 1, <a href="{page_path}/revisions/1#L3">lines 3-4</a>' in page
    assert "Every model ships a card." in page
    assert "Cards are signed." in page
    quoted = page.split('class="quoted"')[1].split("</blockquote>")[0]
    assert "Every model ships a card." in quoted
    assert "Model cards" not in quoted

    ok(
        wendy.submit(
            f"{page_path}/comments", {"body": "The WG does.", "parent_id": str(comment.id)}
        )
    )
    reply = one(site.world, Comment)
    assert reply.parent_id == comment.id
    assert f'id="comment-{reply.id}"' in will.get(page_path).text

    # only the author may edit or retract, from the page as in the API
    assert (
        wendy.submit(f"{page_path}/comments/retract", {"comment_id": str(comment.id)}).status_code
        == 403
    )
    ok(
        will.submit(
            f"{page_path}/comments/edit",
            {"comment_id": str(comment.id), "version": "1", "body": "Say who signs, please."},
        )
    )
    stale = will.submit(
        f"{page_path}/comments/retract", {"comment_id": str(comment.id), "version": "1"}
    )
    assert stale.status_code == 412, stale.text
    ok(will.submit(f"{page_path}/comments/retract", {"comment_id": str(comment.id)}))
    page = wendy.get(page_path).text
    assert "[retracted" in page
    assert "Say who signs" not in page
    assert "The WG does." in page


def test_comment_forms_only_for_participants_and_never_for_auditors(site: Site) -> None:
    proposal_id = file(site.world, text=TEXT)
    page_path = f"/proposals/{proposal_id}"
    ok(site.browser("will").submit(f"{page_path}/comments", {"body": "First."}))
    for who in ("nobody", "auditor"):
        browser = site.browser(who)
        page = browser.get(page_path).text
        assert "First." in page
        assert review_forms(page, proposal_id) == [], who
        before = snapshot(site.world.database)
        refused = browser.submit(f"{page_path}/comments", {"body": "Let me in."})
        assert refused.status_code == 403, refused.text
        assert snapshot(site.world.database) == before
    bad = site.browser("will").submit(
        f"{page_path}/comments", {"body": "x", "line_start": "9", "line_end": "12"}
    )
    assert bad.status_code == 422
    assert "lines 9-12 are not all in it" in bad.text


# -- concerns -------------------------------------------------------------------------------


def test_a_concern_blocks_until_its_raiser_resolves_it(site: Site) -> None:
    proposal_id = in_last_call(site.world)
    page_path = f"/proposals/{proposal_id}"
    will, wendy, wade = site.browser("will"), site.browser("wendy"), site.browser("wade")
    ok(will.submit(f"{page_path}/concerns", {"title": "Threat model missing", "text": "Sec 3"}))
    concern = one(site.world, Concern)
    # last call passes, but the open concern holds the engine's move to the TOC
    pass_ballot(site.world, proposal_id, "wendy", WG)
    assert state_of(site.world, proposal_id) == "wg_last_call"
    # a week of last call outlives the sign-ins: sign in again
    will, wendy, wade = site.browser("will"), site.browser("wendy"), site.browser("wade")

    chair = wendy.get(page_path).text
    assert "Not possible yet" in chair
    assert "concern 1 &#39;Threat model missing&#39; raised by Will" in chair
    assert "Resolve my concern" not in chair
    assert "Mark addressed" in chair
    assert "Resolve my concern" in will.get(page_path).text
    other = wade.get(page_path).text
    assert "Resolve my concern" not in other
    assert "Mark addressed" not in other

    # the chair's "addressed" asks the raiser; it does not lift the block
    ok(
        wendy.submit(
            f"{page_path}/concerns/address",
            {"concern_id": str(concern.id), "reason": "Section 4 now."},
        )
    )
    chair = wendy.get(page_path).text
    assert "was marked addressed by Wendy; Will has yet to resolve it" in chair
    blocked = wendy.submit(f"{page_path}/actions/end_last_call", {"reason": ""})
    assert blocked.status_code == 409
    assert "raised by Will" in blocked.text
    refused = wendy.submit(f"{page_path}/concerns/resolve", {"concern_id": str(concern.id)})
    assert refused.status_code == 403
    assert "only Will" in refused.text

    ok(will.submit(f"{page_path}/concerns/resolve", {"concern_id": str(concern.id)}))
    chair = wendy.get(page_path).text
    assert "raised by Will" not in chair.split('id="concerns"')[0]
    ok(wendy.submit(f"{page_path}/actions/end_last_call", {"reason": ""}))
    assert state_of(site.world, proposal_id) == "toc_review"


def test_the_proposal_page_reads_as_much_with_many_concerns_as_with_one(site: Site) -> None:
    """Who may address each concern comes from the viewer's seats, read once, not per concern."""
    proposal_id = in_last_call(site.world)
    page_path = f"/proposals/{proposal_id}"
    will, wendy = site.browser("will"), site.browser("wendy")
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    def queries_for_the_chair() -> int:
        statements.clear()
        event.listen(site.app.state.database.engine, "before_cursor_execute", count)
        try:
            assert "Mark addressed" in wendy.get(page_path).text
        finally:
            event.remove(site.app.state.database.engine, "before_cursor_execute", count)
        return len(statements)

    ok(will.submit(f"{page_path}/concerns", {"title": "First", "text": ""}))
    with_one = queries_for_the_chair()
    for title in ("Second", "Third", "Fourth"):
        ok(will.submit(f"{page_path}/concerns", {"title": title, "text": ""}))
    assert queries_for_the_chair() == with_one


def test_the_ballot_page_shows_standing_concerns(site: Site) -> None:
    world = site.world
    proposal_id = file(world, text=TEXT)
    take(world, proposal_id, "submit", "wendy")
    ballot_id = open_ballot(world, proposal_id, "wendy")
    will = site.browser("will")
    ok(will.submit(f"/proposals/{proposal_id}/concerns", {"title": f"Unsafe {SCRIPT}"}))
    page = site.browser("wade").get(f"/ballots/{ballot_id}").text
    assert "Standing concerns" in page
    assert f"Unsafe {ESCAPED_SCRIPT}" in page
    assert SCRIPT not in page
    assert "raised by Will" in page
    # a non-voting observer may not raise one: no form, and the service refuses
    olive = site.browser("olive")
    assert (
        f'action="/proposals/{proposal_id}/concerns"'
        not in olive.get(f"/proposals/{proposal_id}").text
    )
    assert olive.submit(f"/proposals/{proposal_id}/concerns", {"title": "x"}).status_code == 403


# -- objections -----------------------------------------------------------------------------


def test_an_objection_is_lodged_within_the_window_and_shown(site: Site) -> None:
    proposal_id = in_last_call(site.world)
    page_path = f"/proposals/{proposal_id}"
    decision = one(site.world, Decision)
    tom, tara = site.browser("tom"), site.browser("tara")
    page = tom.get(page_path).text
    assert f'action="{page_path}/objections"' in page
    assert f'<option value="{decision.number}">' in page
    assert "Lodge a formal objection" not in site.browser("auditor").get(page_path).text
    ok(tom.submit(f"{page_path}/objections", {"decision": decision.number, "grounds": "Rushed."}))
    objection = one(site.world, Objection)
    page = tara.get(page_path).text
    assert "Rushed." in page
    assert "lodged by Tom" in page
    assert "Decide the objection" in page
    assert "Withdraw my objection" not in page
    assert "Withdraw my objection" in tom.get(page_path).text
    assert "Decide the objection" not in tom.get(page_path).text
    ok(
        tara.submit(
            f"{page_path}/objections/resolve",
            {"objection_id": str(objection.id), "outcome": "dismissed", "reasons": "Not so."},
        )
    )
    assert "dismissed" in tom.get(page_path).text
    again = tom.submit(f"{page_path}/objections/withdraw", {"objection_id": str(objection.id)})
    assert again.status_code == 409


def test_no_objection_form_after_the_window(site: Site) -> None:
    proposal_id = in_last_call(site.world)
    site.world.clock.advance(timedelta(days=22))
    page = site.browser("tom").get(f"/proposals/{proposal_id}").text
    assert "Lodge a formal objection" not in page


# -- escaping and CSRF ----------------------------------------------------------------------


def test_hostile_review_text_is_escaped(site: Site) -> None:
    proposal_id = in_last_call(site.world)
    page_path = f"/proposals/{proposal_id}"
    decision = one(site.world, Decision)
    will, tom = site.browser("will"), site.browser("tom")
    ok(will.submit(f"{page_path}/comments", {"body": f"{SCRIPT}{ATTRIBUTE}"}))
    ok(will.submit(f"{page_path}/concerns", {"title": f"{SCRIPT}{ATTRIBUTE}", "text": SCRIPT}))
    ok(tom.submit(f"{page_path}/objections", {"decision": decision.number, "grounds": SCRIPT}))
    for browser in (will, tom, site.browser("auditor")):
        page = browser.get(page_path).text
        assert SCRIPT not in page
        assert ATTRIBUTE not in page
        assert ESCAPED_SCRIPT in page
        assert ESCAPED_ATTRIBUTE in page


def test_every_review_form_refuses_a_missing_csrf_token(site: Site) -> None:
    proposal_id = in_last_call(site.world)
    page_path = f"/proposals/{proposal_id}"
    decision = one(site.world, Decision)
    will = site.browser("will")
    ok(will.submit(f"{page_path}/comments", {"body": "Hello."}))
    ok(will.submit(f"{page_path}/concerns", {"title": "Hm."}))
    ok(
        site.browser("tom").submit(
            f"{page_path}/objections", {"decision": decision.number, "grounds": "g"}
        )
    )
    form = {
        "body": "Forged.",
        "comment_id": "1",
        "concern_id": "1",
        "objection_id": "1",
        "title": "Forged",
        "reason": "Forged",
        "decision": decision.number,
        "grounds": "Forged",
        "outcome": "upheld",
        "reasons": "Forged",
    }
    routes = [
        "comments",
        "comments/edit",
        "comments/retract",
        "concerns",
        "concerns/address",
        "concerns/resolve",
        "objections",
        "objections/withdraw",
        "objections/resolve",
    ]
    # Signed in first: signing in is logged, and the snapshot counts log entries.
    browsers = {who: site.browser(who) for who in ("will", "wendy", "tom", "tara")}
    before = snapshot(site.world.database)
    for who, browser in browsers.items():
        for route in routes:
            for token in (None, "", browser.csrf[:-1] + "x"):
                data = dict(form) if token is None else {**form, "csrf_token": token}
                response = browser.post(f"{page_path}/{route}", data)
                assert response.status_code == 403, (who, route, response.text)
                assert "nothing was changed" in response.text
                assert snapshot(site.world.database) == before, (who, route)
