"""Markdown on the pages: revision texts and comments rendered with markdown-it-py and
sanitised with nh3; hostile input stays inert; line comments still point at source lines;
the diff still compares the source."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from testkit.drive import file, revise
from testkit.pages import Site

from api.pages._markdown import render_markdown

HOSTILE = {
    "script": "<script>alert(1)</script>",
    "raw html": '<div onclick="alert(1)">raw</div><b>bold</b>',
    "javascript link": "[click](javascript:alert(1))",
    "javascript link, mixed case": "[click](JaVaScRiPt:alert(1))",
    "javascript autolink": "<javascript:alert(1)>",
    "data link": "[click](data:text/html,<script>alert(1)</script>)",
    "vbscript link": "[click](vbscript:msgbox(1))",
    "image onerror": "<img src=x onerror=alert(1)>",
    "markdown image to script": "![x](javascript:alert(1))",
    "attribute breakout": '[x](https://example.org/"onmouseover="alert(1))',
    "iframe": '<iframe src="https://example.org"></iframe>',
    "style": "<style>body{display:none}</style>",
    "svg": "<svg onload=alert(1)>",
    "html comment": "<!-- <script>alert(1)</script> -->",
    "link title": '[x](https://example.org "a\\" onclick=\\"alert(1)")',
    "reference link": "[x][1]\n\n[1]: javascript:alert(1)",
}
ALLOWED = {
    **{
        tag: set()
        for tag in (
            "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
            "li", "p", "pre", "s", "strong", "table", "tbody", "thead", "tr", "ul",
        )
    },
    "a": {"href", "rel"},
    "ol": {"start"},
    "td": {"style"},
    "th": {"style"},
}  # fmt: skip


class _Elements(HTMLParser):
    """Every start tag with its attributes, as a browser's parser reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    """Only allowed elements and attributes; links only to http(s), mailto or this site;
    styles only to align table cells. Hostile words may remain, as visible text."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    for tag, attributes in parser.found:
        assert tag in ALLOWED, (tag, html)
        assert set(attributes) <= ALLOWED[tag], (tag, attributes, html)
        href = (attributes.get("href") or "").strip().lower()
        if "href" in attributes:
            assert href.startswith(("http://", "https://", "mailto:", "/", "#")), html
        style = attributes.get("style")
        if style is not None:
            assert re.fullmatch(r"text-align:(left|right|center)", style), html


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_renders_inert(text: str) -> None:
    assert_inert(str(render_markdown(text)))


def test_markdown_renders_what_people_write() -> None:
    html = str(
        render_markdown(
            "# Title\n\nSome *emphasis* and **strength**, `code`, ~~gone~~.\n\n"
            "- one\n- two\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\n"
            "[site](https://example.org) [mail](mailto:wg@example.org) ![chart](https://example.org/c.png)\n"
        )
    )
    assert "<h1>Title</h1>" in html
    assert "<em>emphasis</em>" in html
    assert "<strong>strength</strong>" in html
    assert "<code>code</code>" in html
    assert "<s>gone</s>" in html
    assert "<li>one</li>" in html
    assert '<td style="text-align:right">2</td>' in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">site</a>' in html
    assert 'href="mailto:wg@example.org"' in html
    # an image is a link to it: the pages load nothing from elsewhere
    image = '<a href="https://example.org/c.png" rel="nofollow noopener noreferrer">chart</a>'
    assert image in html
    assert "<img" not in html


def test_revision_and_comment_pages_render_markdown_and_keep_the_source(site: Site) -> None:
    world = site.world
    hostile = "\n\n".join(HOSTILE.values())
    text = f"# Model cards\n\nEvery model ships a **signed** card.\n\n{hostile}\n"
    proposal_id = file(world, text="# Model cards\n\nEvery model ships a card.\n")
    revise(world, proposal_id, "wendy", text=text)
    will = site.browser("will")
    response = will.submit(
        f"/proposals/{proposal_id}/comments",
        {"body": f"Please **sign** it.\n\n{hostile}", "revision": "2", "line_start": "3"},
    )
    assert response.status_code == 303, response.text

    revision = will.get(f"/proposals/{proposal_id}/revisions/2").text
    rendered = revision.split('<div class="markdown">')[1].split("</div>")[0]
    assert "<h1>Model cards</h1>" in rendered
    assert "<strong>signed</strong>" in rendered
    assert_inert(rendered)
    # The source, line by line, with anchors line comments point at.
    source = revision.split('<pre class="text source">')[1].split("</pre>")[0]
    first = '<span id="L1" class="line"><span class="line-no">1</span> # Model cards</span>'
    assert first in source
    assert "**signed**" in source
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in source
    elements = _Elements()
    elements.feed(source)
    assert {(tag, tuple(sorted(attributes))) for tag, attributes in elements.found} == {
        ("span", ("class", "id")),
        ("span", ("class",)),
    }

    proposal = will.get(f"/proposals/{proposal_id}").text
    comment = proposal.split('<div class="text markdown">')[1].split("</div>")[0]
    assert "<strong>sign</strong>" in comment
    assert_inert(comment)
    assert f'href="/proposals/{proposal_id}/revisions/2#L3"' in proposal
    assert "<script" not in proposal.lower()

    diff = will.get(f"/proposals/{proposal_id}/diff?from=1&to=2").text
    assert "**signed**" in diff  # the diff compares the Markdown source, not its rendering
    assert "<strong>signed</strong>" not in diff
