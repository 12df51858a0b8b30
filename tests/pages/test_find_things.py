"""Finding things on the pages: search boxes on proposals, comments and decisions (the
API's full-text search), newest first by default with a switch, the log's actor filter by
name, notifications on the dashboard with read and unread, and the diff's default pair."""

from __future__ import annotations

import re
from datetime import timedelta

from testkit.drive import WG, file, open_ballot, pass_ballot, revise, take, vote
from testkit.pages import Site

from governance_engine.services import ballots
from governance_engine.services.reminders import send_reminders

ROW_LINK = re.compile(r'<th scope="row"><a href="/proposals/(\d+)">')
LOG_ROW = re.compile(r'<th scope="row">(\d+)</th>')
DECISION_ROW = re.compile(r'<th scope="row"><a href="/decisions/([A-Z0-9-]+)">')


def proposals_shown(html: str) -> list[int]:
    return [int(found) for found in ROW_LINK.findall(html)]


def test_proposals_newest_first_with_a_switch_and_a_search_box(site: Site) -> None:
    world = site.world
    alpha = file(world, title="Alpha model cards", summary="signed cards")
    beta = file(world, title="Beta gadgets", summary="hardware", text="# Gadgets\n")
    gamma = file(world, title="Gamma cards", summary="more cards")
    will = site.browser("will")
    commented = will.submit(f"/proposals/{beta}/comments", {"body": "Mind the zeppelin."})
    assert commented.status_code == 303

    page = will.get("/proposals").text
    assert 'name="q"' in page
    assert 'role="search"' in page
    assert proposals_shown(page) == [gamma, beta, alpha]
    assert proposals_shown(will.get("/proposals?order=oldest").text) == [alpha, beta, gamma]
    assert proposals_shown(will.get("/proposals?q=cards").text) == [gamma, alpha]
    assert proposals_shown(will.get("/proposals?q=cards&order=oldest").text) == [alpha, gamma]
    found = will.get("/proposals?q=zeppelin")  # a word only in a comment
    assert proposals_shown(found.text) == [beta]
    assert 'value="zeppelin"' in found.text
    assert "No proposal matches." in will.get("/proposals?q=nothingsuch").text
    assert will.get("/proposals?order=sideways").status_code == 422


def test_comments_are_found_by_their_words(site: Site) -> None:
    world = site.world
    first = file(world, title="Model cards", text="# Cards\n")
    second = file(world, title="Gadgets", text="# Gadgets\n")
    will = site.browser("will")
    for proposal_id, body in (
        (first, "The zeppelin section needs **signatures**."),
        (second, "Another zeppelin remark."),
        (second, "Nothing to see."),
    ):
        assert will.submit(f"/proposals/{proposal_id}/comments", {"body": body}).status_code == 303

    page = will.get("/comments?q=zeppelin").text
    assert 'name="q"' in page
    assert page.count('class="comment"') == 2
    assert page.index("Another zeppelin remark.") < page.index("<strong>signatures</strong>")
    assert f'href="/proposals/{first}#comment-' in page
    oldest = will.get("/comments?q=zeppelin&order=oldest").text
    assert oldest.index("<strong>signatures</strong>") < oldest.index("Another zeppelin remark.")
    assert "No comment matches" in will.get("/comments?q=airship").text
    assert 'class="comment"' not in will.get("/comments").text
    assert site.browser().get("/comments?q=zeppelin").status_code == 303  # sign in first


def test_decisions_searchable_by_proposal_words_and_number_newest_first(site: Site) -> None:
    world = site.world
    cards = file(world, title="Model cards", text="# Cards\n")
    take(world, cards, "submit", "wendy")
    pass_ballot(world, cards, "wendy", WG)
    gadgets = file(world, title="Gadget inventory", text="# Gadgets\n")
    take(world, gadgets, "submit", "wendy")
    pass_ballot(world, gadgets, "wendy", WG)
    tara = site.browser("tara")
    page = tara.get("/decisions").text
    assert 'name="q"' in page
    numbers = DECISION_ROW.findall(page)
    assert len(numbers) == 2
    newest, oldest = numbers
    assert DECISION_ROW.findall(tara.get("/decisions?order=oldest").text) == [oldest, newest]
    assert DECISION_ROW.findall(tara.get("/decisions?q=gadget").text) == [newest]
    assert DECISION_ROW.findall(tara.get(f"/decisions?q={oldest.lower()}").text) == [oldest]
    assert DECISION_ROW.findall(tara.get("/decisions?q=unheard").text) == []


def test_the_log_filters_by_a_persons_name_newest_first(site: Site) -> None:
    world = site.world
    proposal_id = file(world, text="# Cards\n")
    take(world, proposal_id, "submit", "wendy")
    ballot_id = open_ballot(world, proposal_id, "wendy")
    vote(world, ballot_id, "will", "yes")
    auditor = site.browser("auditor")

    everything = [int(seq) for seq in LOG_ROW.findall(auditor.get("/log").text)]
    assert everything == sorted(everything, reverse=True)
    oldest = [int(seq) for seq in LOG_ROW.findall(auditor.get("/log?order=oldest").text)]
    assert oldest == sorted(everything)

    page = auditor.get("/log?actor=will").text  # any case, no number needed
    will_id = world.person_ids["will"]
    assert f"(#{will_id})" in page
    assert "vote.cast" in page
    assert len(LOG_ROW.findall(page)) == 1
    assert LOG_ROW.findall(auditor.get(f"/log?actor=%23{will_id}").text) == LOG_ROW.findall(page)
    # "we" is in Wendy and Wes: the page asks which one rather than guessing.
    ambiguous = auditor.get("/log?actor=we").text
    assert "could be several people" in ambiguous
    assert f"actor_id={world.person_ids['wendy']}" in ambiguous
    assert f"actor_id={world.person_ids['wes']}" in ambiguous
    assert LOG_ROW.findall(ambiguous) == []
    chosen = auditor.get(f"/log?actor_id={world.person_ids['wendy']}").text
    assert 'value="Wendy"' in chosen
    assert "No person's name or e-mail contains" in auditor.get("/log?actor=zorro").text


def test_notifications_on_the_dashboard_read_and_unread(site: Site) -> None:
    world = site.world
    proposal_id = file(world, text="# Cards\n")
    take(world, proposal_id, "submit", "wendy")
    ballot_id = open_ballot(world, proposal_id, "wendy")
    with world.database.reader() as session:
        deadline = ballots.get_ballot(session, ballot_id).deadline
    world.clock.set(deadline - timedelta(hours=2))
    send_reminders(world.database, clock=world.clock, window=timedelta(days=1))

    wes = site.browser("wes")
    page = wes.get("/").text
    assert "1 unread" in page
    assert f'href="/ballots/{ballot_id}"' in page
    assert "you have not voted" in page
    found = re.search(r'action="/notifications/(\d+)/read"', page)
    assert found
    notification_id = found.group(1)
    # Not someone else's: wendy cannot mark wes's notification read.
    wendy = site.browser("wendy")
    assert wendy.submit(f"/notifications/{notification_id}/read").status_code == 404
    assert "1 unread" in wes.get("/").text

    assert wes.submit(f"/notifications/{notification_id}/read").status_code == 303
    page = wes.get("/").text
    assert "unread</span>" not in page
    assert 'class="notification read"' in page
    assert "No unread notification." in wes.get("/?notices=unread").text
    assert wes.post(f"/notifications/{notification_id}/read", {}).status_code == 403  # no CSRF


def test_the_diff_defaults_to_the_previous_and_current_revisions(site: Site) -> None:
    world = site.world
    proposal_id = file(world, text="# Cards\n\nOne.\n")
    wendy = site.browser("wendy")
    alone = wendy.get(f"/proposals/{proposal_id}/diff")
    assert alone.status_code == 200
    revise(world, proposal_id, "wendy", text="# Cards\n\nTwo.\n")
    revise(world, proposal_id, "wendy", text="# Cards\n\nThree.\n")
    page = wendy.get(f"/proposals/{proposal_id}/diff")
    assert page.status_code == 200
    assert "Revisions 2 and 3" in page.text
    assert "Three." in page.text
    assert "One." not in page.text
    assert "Revisions 1 and 2" in wendy.get(f"/proposals/{proposal_id}/diff?to=2").text
    assert "Revisions 1 and 3" in wendy.get(f"/proposals/{proposal_id}/diff?from=1").text
    empty = file(world, title="No text yet")
    assert wendy.get(f"/proposals/{empty}/diff").status_code == 404
