"""People's Markdown (revision texts, comments) as safe HTML for the pages.

Two locks, so that one slip is not enough: markdown-it-py parses CommonMark (plus tables and
strikethrough) with raw HTML off, so a ``<script>`` typed in the text comes out as text; nh3
then keeps only the tags and attributes listed here, and links whose scheme is http, https or
mailto (relative links and ``#fragments`` too). Images become links to the image: the pages
load nothing from elsewhere (their Content-Security-Policy says so), and a link shows what it
points to.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup, escape

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
TAGS = frozenset(
    {
        "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
        "hr", "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead",
        "tr", "ul",
    }
)  # fmt: skip
ATTRIBUTES = {
    "a": {"href"},
    "ol": {"start"},
    "td": {"style"},
    "th": {"style"},
}
# markdown-it aligns table cells with style="text-align:..."; nothing else may be styled.
STYLE_PROPERTIES = frozenset({"text-align"})


def _image_as_link(
    self: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env) or "image"
    source = str(token.attrGet("src") or "")
    return f'<a href="{escape(source)}">{escape(alt)}</a>'


@cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    parser.add_render_rule("image", _image_as_link)
    return parser


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(TAGS),
        # "*": attributes allowed on any tag; none (nh3 would otherwise keep lang and title)
        attributes={"*": set(), **{tag: set(names) for tag, names in ATTRIBUTES.items()}},
        url_schemes=set(LINK_SCHEMES),
        link_rel="nofollow noopener noreferrer",
        filter_style_properties=set(STYLE_PROPERTIES),
        strip_comments=True,
    )


_TAG = re.compile(r"(<[^>]*>)")


def _escape_quotes(html: str) -> str:
    """Quotes in text as entities, as Jinja writes them everywhere else on the page.

    The serialiser leaves them bare in text, where they are harmless but look like an
    attribute breaking out. No tag kept here holds a ``>`` in an attribute: hrefs are
    percent-encoded, and no free-text attribute (``title``, ``alt``) is allowed.
    """
    parts = _TAG.split(html)
    return "".join(
        part if index % 2 else part.replace('"', "&#34;").replace("'", "&#39;")
        for index, part in enumerate(parts)
    )


def render_markdown(text: Any) -> Markup:
    """Markdown source as sanitised HTML, safe to insert into a page."""
    if not text:
        return Markup("")
    html = _escape_quotes(_clean(_parser().render(str(text))))
    return Markup(html)  # noqa: S704 - sanitised by nh3
