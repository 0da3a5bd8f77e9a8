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
    lines = HOSTILE.replace("<think>", "").replace("</think>", "").splitlines()
    for index, line in enumerate(lines):
        StepVerdict.objects.create(
            turn=turn, index=index, text=line, verdict="none", thinking=index == 0
        )
    StepVerdict.objects.create(
        turn=turn, index=len(lines), text="<b>2+2=5</b>", verdict="wrong", detail="x"
    )
    context = browser.new_context(viewport=DESKTOP, base_url=live.url)
    context.add_cookies(
        [{"name": "sessionid", "value": session_cookie(cast.alice), "url": live.url}]
    )
    page = context.new_page()
    page.goto(f"/problems/{cast.problem.pk}/")
    rendered = page.locator("#turns .turn .answer-steps")
    rendered.locator(".katex").first.wait_for()
    page.locator("#turns details.thinking summary").click()  # the thinking is rendered too
    page.locator("#turns .thinking-steps .step").first.wait_for()
    started = time.monotonic()
    assert page.evaluate("1 + 1") == 2 and time.monotonic() - started < 2, "page hung"
    assert page.evaluate("window.pwned") is None
    assert page.locator("#turns img, #turns script, #turns a[href^='javascript']").count() == 0
    assert "<script>" in rendered.inner_text()  # shown as the text it is
    assert "<img" in page.locator("#turns .thinking-steps").inner_text()
    assert page.locator("#turns details.thinking").count() == 1
    wrong = page.locator("#turns .answer-steps .step.verdict-wrong")
    assert wrong.is_visible() and "<b>2+2=5</b>" in wrong.inner_text()
    box = rendered.bounding_box()
    assert box is not None and box["width"] < 2000, "a huge \\rule escaped maxSize"
    shot(page, "safety-hostile-model-text")
    context.close()
