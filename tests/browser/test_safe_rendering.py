"""Hostile model text renders as text in the tutor panel: no script runs, the page stays live."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, shot
from tests.conftest import Cast, LiveStack, session_cookie
from tutor.models import StepVerdict
from tutor.services.turns import session_for

pytestmark = [pytest.mark.browser, pytest.mark.live]

HOSTILE = "\n".join(
    [
        '<think>I should <img src=x onerror="window.pwned=1"> think</think>',
        "Here is **bold** and $\\frac{1}{2}$.",
        "<script>window.pwned=2</script>",
        "[link](javascript:window.pwned=3)",
        "$\\href{javascript:window.pwned=4}{click}$ and $\\htmlData{x=1}{y}$",
        "$\\def\\a{\\a\\a}\\a$",  # a macro bomb: maxExpand stops it
        "$\\rule{10000em}{10000em}$",  # maxSize keeps it small
    ]
)


def test_hostile_model_text_runs_nothing(browser: Any, live: LiveStack, cast: Cast) -> None:
    """Tags, javascript: links, \\href, \\htmlData and macro bombs all stay inert text."""
    session = session_for(student=cast.alice, problem=cast.problem)
    turn = session.turns.create(index=0, mode="solve", status="done", text=HOSTILE, is_demo=True)
    StepVerdict.objects.create(turn=turn, index=0, text="<b>2+2=5</b>", verdict="wrong", detail="x")
    context = browser.new_context(viewport=DESKTOP, base_url=live.url)
    context.add_cookies(
        [{"name": "sessionid", "value": session_cookie(cast.alice), "url": live.url}]
    )
    page = context.new_page()
    page.goto(f"/problems/{cast.problem.pk}/")
    rendered = page.locator("#turns .turn .rendered")
    rendered.locator(".katex").first.wait_for()
    started = time.monotonic()
    assert page.evaluate("1 + 1") == 2 and time.monotonic() - started < 2, "page hung"
    assert page.evaluate("window.pwned") is None
    assert page.locator("#turns img, #turns script, #turns a[href^='javascript']").count() == 0
    assert "<script>" in rendered.inner_text()  # shown as the text it is
    assert page.locator("#turns details.thinking").count() == 1
    assert page.locator("#turns .step.verdict-wrong .flagged").is_visible()
    box = rendered.bounding_box()
    assert box is not None and box["width"] < 2000, "a huge \\rule escaped maxSize"
    shot(page, "safety-hostile-model-text")
    context.close()
