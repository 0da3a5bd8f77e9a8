"""The admin under the CSP, and a page that loses frames repairing itself from the transcript."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, PageErrors, shot
from tests.conftest import Cast, LiveStack, session_cookie
from tests.test_content_security_policy import POLICY
from tutor import events, turn_state
from tutor.models import Flag, Turn
from tutor.services.turns import session_for

pytestmark = [pytest.mark.browser, pytest.mark.live]


def _page(browser: Any, live: LiveStack, cookie: str) -> tuple[Any, Any, PageErrors]:
    context = browser.new_context(viewport=DESKTOP, base_url=live.url)
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": live.url}])
    page = context.new_page()
    errors = PageErrors()
    errors.watch(page)
    return context, page, errors


def test_it_serves_the_admin_under_the_content_security_policy(
    browser: Any, live: LiveStack, cast: Cast
) -> None:
    """Admins can browse and open records; the CSP blocks nothing the admin needs."""
    Flag.objects.create(kind=Flag.Kind.DISPUTE, problem=cast.problem, reason="check this")
    context, page, errors = _page(browser, live, session_cookie(cast.admin))
    for path in ("/admin/", "/admin/tutor/flag/", "/admin/tutor/problemset/"):
        response = page.goto(path)
        assert response is not None and response.status == 200
        # What daphne sends, as the browser sees it (Playwright gives header names in lower case).
        assert response.headers.get("content-security-policy") == POLICY
    page.goto(f"/admin/tutor/problemset/{cast.problem_set.pk}/change/")
    page.locator("input[name='title']").wait_for()
    shot(page, "admin-problem-set-under-csp")
    assert errors.messages == []
    context.close()


def test_it_resyncs_when_frames_are_lost(browser: Any, live: LiveStack, cast: Cast) -> None:
    """A frame that never arrives leaves a gap; the page fetches the saved text and shows it."""
    session = session_for(student=cast.alice, problem=cast.problem)
    saved = "Step 1: 3x + 5 = 20\nStep 2: 3x = 15\n"
    turn = Turn.objects.create(
        session=session, index=0, mode="hint", status=Turn.Status.DONE, text=saved, last_seq=3
    )
    context, page, _ = _page(browser, live, session_cookie(cast.alice))
    page.goto(f"/problems/{cast.problem.pk}/")
    page.locator("#tutor[data-connected='true']").wait_for(state="attached")
    # Pretend the transcript grew while a frame went missing: the page holds `saved`, then
    # receives a frame that starts past its end.
    Turn.objects.filter(pk=turn.pk).update(text=saved + "Step 3: x = 5\n", last_seq=6)
    gap = {"type": "turn.delta", "turn": turn.pk, "seq": 5, "offset": len(saved) + 8, "text": "5\n"}
    events.publish_turn_event(session.pk, gap)
    events.flush()
    text = page.locator("#turns .turn .text")
    deadline = time.monotonic() + 10
    while "Step 3" not in (text.text_content() or "") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert page.locator("#turns .turn .text").text_content() == saved + "Step 3: x = 5\n"
    context.close()


def test_a_quiet_answer_asks_for_the_saved_state(browser: Any, live: LiveStack, cast: Cast) -> None:
    """The last event of an answer is lost (frames are delivered at most once): the page sees
    the answer go quiet, asks for the saved state, and shows it finished, with no reload."""
    session = session_for(student=cast.alice, problem=cast.problem)
    saved = "Step 1: 3x + 5 = 20\n"
    turn = Turn.objects.create(
        session=session, index=0, mode="hint", status=Turn.Status.RUNNING, text=saved, last_seq=2
    )
    turn_state.heartbeat(turn.pk)  # a live worker: the snapshot must not reap the turn
    context, page, errors = _page(browser, live, session_cookie(cast.alice))
    page.goto(f"/problems/{cast.problem.pk}/")
    page.locator("#tutor[data-connected='true']").wait_for(state="attached")
    item = page.locator(f"#turns .turn[data-turn='{turn.pk}']")
    item.locator(".turn-status", has_text="Answering").wait_for()
    page.evaluate("document.getElementById('tutor').dataset.quietMs = '1500'")
    # The answer ends, and its events never reach the page.
    Turn.objects.filter(pk=turn.pk).update(
        status=Turn.Status.DONE, text=saved + "Step 2: x = 5\n", last_seq=4
    )
    item.locator(".turn-status", has_text="Done").wait_for(timeout=10_000)
    assert item.locator(".text").text_content() == saved + "Step 2: x = 5\n"
    assert errors.messages == []
    context.close()
