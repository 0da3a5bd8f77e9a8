"""The admin under the CSP, and a page that loses events repairing itself from the saved steps."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import DESKTOP, PageErrors, shot
from tests.conftest import Cast, LiveStack, session_cookie
from tests.test_content_security_policy import POLICY
from tutor import events
from tutor.models import Flag, StepVerdict, Turn
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


def _step(turn: Turn, index: int, text: str, thinking: bool = False) -> StepVerdict:
    return StepVerdict.objects.create(
        turn=turn, index=index, text=text, verdict="ok", thinking=thinking
    )


def _shown(item: Any) -> list[int]:
    return [int(i) for i in item.locator(".answer-steps .step").evaluate_all(
        "els => els.map(e => e.dataset.index)"
    )]  # fmt: skip


def test_it_resyncs_when_frames_are_lost(browser: Any, live: LiveStack, cast: Cast) -> None:
    """A step that skips ahead shows events were lost; the page reads the saved steps again."""
    session = session_for(student=cast.alice, problem=cast.problem)
    turn = Turn.objects.create(
        session=session, index=0, mode="hint", status=Turn.Status.DONE, last_seq=3
    )
    _step(turn, 0, "Step 1: 3x + 5 = 20")
    _step(turn, 1, "Step 2: 3x = 15")
    context, page, errors = _page(browser, live, session_cookie(cast.alice))
    page.goto(f"/problems/{cast.problem.pk}/")
    item = page.locator(f"#turns .turn[data-turn='{turn.pk}']")
    item.locator(".answer-steps .step[data-index='1']").wait_for()
    # Steps 2 and 3 are saved, but only the event for step 3 reaches the page.
    _step(turn, 2, "Step 3: x = 5")
    _step(turn, 3, "So the answer is 5.")
    Turn.objects.filter(pk=turn.pk).update(last_seq=6)
    step = {"index": 3, "text": "So the answer is 5.", "verdict": "none", "thinking": False}
    events.publish_turn_event(
        session.pk, {"type": "turn.step", "turn": turn.pk, "seq": 6, "step": step}
    )
    events.flush()
    item.locator(".answer-steps .step[data-index='2']").wait_for(timeout=10_000)
    assert _shown(item) == [0, 1, 2, 3]
    assert "x = 5" in item.locator(".answer-steps .step[data-index='2']").inner_text()
    assert errors.messages == []
    context.close()


def test_a_quiet_answer_asks_for_the_saved_state(browser: Any, live: LiveStack, cast: Cast) -> None:
    """The last event of an answer is lost (frames are delivered at most once): the page sees
    the answer go quiet, asks for the saved state, and shows it finished, with no reload."""
    session = session_for(student=cast.alice, problem=cast.problem)
    turn = Turn.objects.create(
        session=session, index=0, mode="hint", status=Turn.Status.RUNNING, last_seq=2
    )
    _step(turn, 0, "Step 1: 3x + 5 = 20")
    # A live worker: its heartbeat is fresh, so no reaper fails the turn during the test.
    Turn.objects.filter(pk=turn.pk).update(heartbeat_at=timezone.now() + timedelta(minutes=5))
    context, page, errors = _page(browser, live, session_cookie(cast.alice))
    page.goto(f"/problems/{cast.problem.pk}/")
    page.locator("#tutor[data-connected='true']").wait_for(state="attached")
    item = page.locator(f"#turns .turn[data-turn='{turn.pk}']")
    item.locator(".turn-status", has_text="Answering").wait_for()
    page.evaluate("document.getElementById('tutor').dataset.quietMs = '1500'")
    # The answer ends, and its events never reach the page.
    _step(turn, 1, "Step 2: x = 5")
    Turn.objects.filter(pk=turn.pk).update(status=Turn.Status.DONE, last_seq=4)
    item.locator(".turn-status", has_text="Done").wait_for(timeout=10_000)
    item.locator(".answer-steps .step[data-index='1']").wait_for(timeout=10_000)
    assert _shown(item) == [0, 1]
    assert errors.messages == []
    context.close()


def test_the_thinking_stays_out_of_the_page_until_it_is_opened(
    browser: Any, live: LiveStack, cast: Cast
) -> None:
    """A long thinking block is one collapsed line; opening it reads its steps page by page."""
    session = session_for(student=cast.alice, problem=cast.problem)
    turn = Turn.objects.create(
        session=session, index=0, mode="solve", status=Turn.Status.DONE, last_seq=9
    )
    StepVerdict.objects.bulk_create(
        StepVerdict(turn=turn, index=i, text=f"Try {i} + 1 = {i + 1}.", verdict="ok", thinking=True)
        for i in range(3000)
    )
    _step(turn, 3000, "So x = 5.")
    context, page, errors = _page(browser, live, session_cookie(cast.alice))
    page.goto(f"/problems/{cast.problem.pk}/")
    item = page.locator(f"#turns .turn[data-turn='{turn.pk}']")
    item.locator(".answer-steps .step[data-index='3000']").wait_for()
    summary = item.locator("details.thinking summary")
    assert "3,000 lines" in summary.inner_text()
    assert page.evaluate("document.querySelectorAll('#turns .step').length") == 1
    summary.click()
    item.locator(".thinking-steps .step").nth(199).wait_for()
    assert item.locator(".thinking-steps .step").count() == 200
    item.get_by_role("button", name="Show more of the thinking").click()
    item.locator(".thinking-steps .step").nth(399).wait_for()
    summary.click()  # closed again: its steps leave the page
    page.wait_for_function("document.querySelectorAll('#turns .thinking-steps').length === 0")
    assert page.evaluate("document.querySelectorAll('#turns .step').length") == 1
    assert errors.messages == []
    context.close()
