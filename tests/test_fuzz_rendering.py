"""Property 4, fuzzed: no text, however hostile, renders into executable HTML.

tutor.rendering.markdown_to_html renders statements, student text and the tutor's text.
Whatever goes in, what comes out has no <script>, no other active tag, no on*= attribute
and no link or source that is not http(s) or mailto. Math is passed through as escaped text
for KaTeX, which runs in the browser with trust: false (tests/browser/test_hostile_content.py).

Profiles: "ci" (a few hundred examples, the default) and "fuzz" (10,000 per test):
    HYPOTHESIS_PROFILE=fuzz pytest tests/test_fuzz_rendering.py
The profiles are applied per test, not loaded globally, so other suites keep their own.
"""

from __future__ import annotations

import os
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tutor.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, markdown_to_html

settings.register_profile(
    "rendering-ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "rendering-fuzz",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = settings.get_profile(
    "rendering-fuzz" if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else "rendering-ci"
)

SAFE_SCHEMES = ("http:", "https:", "mailto:")

# Pieces of known attacks, and the Markdown/LaTeX punctuation that glues them together.
HOSTILE = [
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&colon;alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "[x]: javascript:alert(1)\n\n[x]",
    "<javascript:alert(1)>",
    "![img](x onerror=alert(1))",
    "![img](javascript:alert(1))",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<script>alert(1)</script>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<iframe src=javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="#" onclick="alert(1)">x</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<div style="background:url(javascript:alert(1))">',
    "<object data=javascript:alert(1)>",
    "<base href=javascript:alert(1)//>",
    "<form action=javascript:alert(1)><button>x",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "$\\href{javascript:alert(1)}{x}$",
    "$\\url{javascript:alert(1)}$",
    "$\\htmlData{foo=bar}{x}$",
    "$\\htmlClass{x}{y}$ $\\htmlStyle{color:red}{x}$ $\\htmlId{x}{y}$",
    "$\\def\\a{\\a\\a}\\a$",
    "$\\def\\b#1{#1#1#1#1}\\b{\\b{\\b{\\b{\\b{x}}}}}$",
    "\\(\\def\\c{\\c}\\c\\)",
    "$$\\includegraphics{javascript:alert(1)}$$",
    "STEPWISEMATH0X",
    "STEPWISEMATH99X",
]
GLUE = ["$", "$$", "\\(", "\\)", "\\[", "\\]", "`", "```\n", "**", "_", "[", "]", "(", ")",
        "<", ">", '"', "'", "&", "\n", "\n\n", " ", "\\", "#", "|", "-", "*", "=", "on",
        "onerror=", "javascript:", "data:", "href=", "src="]  # fmt: skip

fragments = st.one_of(st.sampled_from(HOSTILE), st.sampled_from(GLUE), st.text(max_size=12))
documents = st.lists(fragments, max_size=25).map("".join)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def assert_inert(text: str) -> None:
    html = markdown_to_html(text)
    lowered = html.lower()
    assert "<script" not in lowered and "<svg" not in lowered and "<img" not in lowered, html
    parser = _Collector()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, (tag, html)
        for name, value in attrs:
            assert not name.startswith("on"), (name, html)
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) or name == "rel", (tag, name, html)
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                # The browser strips control characters and spaces before reading a scheme.
                url = "".join(ch for ch in (value or "") if ch > " ").lower()
                has_scheme = ":" in url.split("/", 1)[0]
                assert not has_scheme or url.startswith(SAFE_SCHEMES), (value, html)
    # Output stays proportional to input: nothing expands on the server.
    assert len(html) <= 20 * len(text) + 500


@pytest.mark.parametrize("text", HOSTILE)
def test_it_renders_each_known_attack_inert(text: str) -> None:
    """Every classic payload comes out as text or as a harmless tag."""
    assert_inert(text)


@PROFILE
@given(documents)
@example("[x](javascript:alert(1)) <img src=x onerror=alert(1)> $\\href{javascript:1}{x}$")
def test_it_renders_any_mix_of_attacks_inert(text: str) -> None:
    """Random mixes of payloads, Markdown and LaTeX never produce executable HTML."""
    assert_inert(text)


@PROFILE
@given(st.text())
def test_it_renders_any_text_inert(text: str) -> None:
    """Arbitrary unicode never produces executable HTML."""
    assert_inert(text)


@PROFILE
@given(st.sampled_from(HOSTILE), st.sampled_from(HOSTILE))
def test_it_keeps_math_as_escaped_text(first: str, second: str) -> None:
    """Math spans reach the page only as escaped text for KaTeX, never as markup."""
    html = markdown_to_html(f"$a<b$ {first} $\\frac{{1}}{{2}}$ {second}")
    assert "$a&lt;b$" in html and "$\\frac{1}{2}$" in html
    assert_inert(first + second)
