"""Every response carries the strict Content-Security-Policy, and no page needs a nonce for it.

The problem page alone adds `style-src-attr 'unsafe-inline'` for its optional math keypad
(MathLive sets style attributes in the markup it builds); nothing else is relaxed there.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import Cast
from tutor.rendering import markdown_to_html

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# Written out rather than read from settings, so that any loosening shows up here.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
PROBLEM_PAGE_POLICY = POLICY + "; style-src-attr 'unsafe-inline'"


def _client(cast: Cast, who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(getattr(cast, who))
    return client


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("anonymous", "/login/"),
        ("anonymous", "/no-such-page/"),  # error pages too
        ("alice", "/"),
        ("teacher", "/teach/"),
        ("teacher", "/teach/sets/{problem_set}/problems/{problem}/"),
        ("admin", "/admin/"),
        ("admin", "/admin/tutor/flag/"),
        ("admin", "/admin/tutor/problemset/{problem_set}/change/"),
    ],
)
def test_it_sends_the_strict_policy_on_every_page(cast: Cast, who: str, path: str) -> None:
    """Pages, error pages and the admin all carry the same policy, with no nonce in it."""
    url = path.format(problem=cast.problem.pk, problem_set=cast.problem_set.pk)
    response = _client(cast, who).get(url)
    assert response.status_code in (200, 404), url
    assert response["Content-Security-Policy"] == POLICY
    assert "Content-Security-Policy-Report-Only" not in response


def test_the_problem_page_lets_only_style_attributes_through(cast: Cast) -> None:
    """The problem page, where the math keypad may load, allows style attributes and no more."""
    response = _client(cast, "alice").get(f"/problems/{cast.problem.pk}/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == PROBLEM_PAGE_POLICY
    assert "Content-Security-Policy-Report-Only" not in response


def test_the_answer_preview_keeps_the_strict_policy(cast: Cast) -> None:
    """The problem page's JSON endpoints are not pages: they keep the strict policy."""
    response = _client(cast, "alice").post(
        f"/problems/{cast.problem.pk}/answer/read-as", "{}", content_type="application/json"
    )
    assert response["Content-Security-Policy"] == POLICY


@pytest.mark.parametrize(
    ("what", "pattern"),
    [
        ("an inline script", r"<script\b(?![^>]*\bsrc=)[^>]*>"),
        ("an inline style element", r"<style\b"),
        ("a style attribute", r"\sstyle="),
        ("an event-handler attribute", r"\son[a-z]+="),
        ("a javascript: URL", r"javascript:"),
    ],
)
def test_no_template_needs_a_nonce(what: str, pattern: str) -> None:
    """No template holds what the policy would block, so pages never need a nonce."""
    found = [
        str(path.relative_to(TEMPLATES))
        for path in sorted(TEMPLATES.rglob("*.html"))
        if re.search(pattern, path.read_text(encoding="utf-8"), re.IGNORECASE)
    ]
    assert found == [], f"{what} in {found}"


@pytest.mark.parametrize(
    "text",
    [
        '<span style="position:fixed;inset:0">cover</span>',
        "[link](https://example.org){style=color:red}",
        '<p style="color:red">x</p>',
    ],
)
def test_rendered_text_carries_no_style_attribute(text: str) -> None:
    """What the problem page allows (style attributes) never comes from rendered text: raw
    HTML is shown as text, and the allowlist keeps no style attribute."""
    html = markdown_to_html(text)
    assert not re.search(r"<[a-z][^>]*\sstyle=", html), html
