"""Markdown to safe HTML. Math stays as text for KaTeX to typeset in the browser."""

from __future__ import annotations

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


def markdown_to_html(text: str) -> str:
    return nh3.clean(
        _markdown.render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
