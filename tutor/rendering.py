"""Markdown to safe HTML. Math stays as text for KaTeX to typeset in the browser."""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt

# html=False: raw HTML in a statement is shown as text, never interpreted; nh3 then
# removes anything the Markdown itself could produce that is not on the allowlist
# (javascript: links included).
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False})

ALLOWED_TAGS = {
    "p",
    "em",
    "strong",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "blockquote",
    "br",
    "hr",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


# Math is lifted out before Markdown sees it: CommonMark would otherwise eat the backslash in
# \( \[ \{ \\ and turn the stars in $a*b*c$ into emphasis. Each span becomes a plain
# alphanumeric placeholder, and goes back in afterwards as escaped text for KaTeX.
_MATH = re.compile(r"\$\$[\s\S]+?\$\$|\\\[[\s\S]+?\\\]|\\\([\s\S]+?\\\)|\$[^$\n]+?\$")
_PLACEHOLDER = re.compile(r"STEPWISEMATH(\d+)X")


def markdown_to_html(text: str) -> str:
    spans: list[str] = []

    def lift(match: re.Match[str]) -> str:
        spans.append(match.group(0))
        return f"STEPWISEMATH{len(spans) - 1}X"

    cleaned = _clean(_markdown.render(_MATH.sub(lift, text)))
    return _PLACEHOLDER.sub(
        lambda m: (
            html.escape(spans[int(m.group(1))]) if int(m.group(1)) < len(spans) else m.group(0)
        ),
        cleaned,
    )


def _clean(rendered: str) -> str:
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
