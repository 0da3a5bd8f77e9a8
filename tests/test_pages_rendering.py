"""Statements render as safe HTML, with the math left intact for KaTeX."""

from __future__ import annotations

import pytest

from tutor.rendering import markdown_to_html


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # CommonMark would drop these backslashes and break the KaTeX delimiters.
        (r"Find \(\frac{1}{2}\).", r"\(\frac{1}{2}\)"),
        (r"$$x \\ y$$", r"$$x \\ y$$"),
        # Stars inside math are not emphasis.
        ("$a*b*c$", "$a*b*c$"),
        # Math text that looks like HTML is escaped, not interpreted.
        ("$a<b>c$", "$a&lt;b&gt;c$"),
    ],
)
def test_math_survives_markdown(source: str, expected: str) -> None:
    """The math a teacher typed reaches the browser exactly as typed."""
    assert expected in markdown_to_html(source)


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        '[x]($" onmouseover="alert(1)$)',
    ],
)
def test_no_script_gets_through(source: str) -> None:
    """Raw HTML is text, javascript: links are dropped, attributes cannot be broken out of."""
    out = markdown_to_html(source)
    assert "<script" not in out and "<img" not in out and 'href="javascript' not in out
    assert 'onmouseover="' not in out
