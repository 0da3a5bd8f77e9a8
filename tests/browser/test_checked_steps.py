"""Checked before shown, in Chromium: a wrong step never reaches the page, its rewrite does,
and the reviewer sees the rejected draft. A real worker streams a scripted answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, PageErrors, shot
from tests.conftest import (
    Cast,
    LiveStack,
    scripted_env,
    session_cookie,
    start_worker,
    stop,
    worker_parked,
)
from tutor.models import Flag, Turn

pytestmark = [pytest.mark.browser, pytest.mark.live]

SCRIPT = (
    "<think>\n"
    "We need x with 3x + 5 = 20.\n"
    "First 2 + 2 = 5.\n"
    "No: 2 + 2 = 4, but that is beside the point.\n"
    "</think>\n"
    "3x + 5 = 20\n"
    "3x = 16<<retry>>3x = 15\n"
    "x = 5\n"
    "So \\(\\boxed{5}\\).\n"
)

# Runs before any page script: every text that enters the tutor's list, and every step
# element with the classes it had when it was inserted.
WATCH = """
window.__texts = []; window.__inserted = []; window.__writing = [];
new MutationObserver((records) => {
  for (const r of records) {
    for (const n of r.addedNodes) {
      if (n.nodeType === 1 && n.classList.contains('step')) window.__inserted.push(n.className);
      if (n.textContent) window.__texts.push(n.textContent);
    }
    const w = r.target.closest && r.target.closest('.writing');
    if (w) window.__writing.push(w.textContent);
    if (r.type === 'characterData' && r.target.parentElement
        && r.target.parentElement.closest('.writing')) window.__writing.push(r.target.data);
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


@pytest.fixture
def rewriting(live: LiveStack) -> Iterator[LiveStack]:
    """The live stack with a worker streaming SCRIPT at 20 chunks a second."""
    with worker_parked(live):
        env = scripted_env(live.env, SCRIPT, tokens_per_s=20)
        worker = start_worker(env, live.log_dir, name="rewriting")
        try:
            yield live
        finally:
            stop(worker)


def test_a_wrong_step_is_rewritten_before_the_student_sees_it(
    browser: Any, rewriting: LiveStack, cast: Cast
) -> None:
    """No text of the wrong step appears; the corrected step does; the reviewer sees the draft."""
    context = browser.new_context(viewport=DESKTOP, base_url=rewriting.url)
    context.add_cookies(
        [{"name": "sessionid", "value": session_cookie(cast.alice), "url": rewriting.url}]
    )
    context.add_init_script(WATCH)
    page = context.new_page()
    errors = PageErrors()
    errors.watch(page)
    page.goto(f"/problems/{cast.problem.pk}/")
    page.locator("#tutor[data-connected='true']").wait_for(state="attached")
    page.get_by_role("button", name="Show a full solution").click()
    turn_el = page.locator("#turns .turn").first
    turn_el.locator(".turn-status", has_text="Done").wait_for(timeout=60_000)
    shot(page, "tutor-rewritten-step")

    texts = " ".join(page.evaluate("window.__texts"))
    assert "3x = 16" not in texts, "the rejected draft reached the page"
    steps = turn_el.locator(".answer-steps .step")
    shown = [steps.nth(i).inner_text() for i in range(steps.count())]
    assert any("3x = 15" in s for s in shown) and not any("16" in s for s in shown)
    assert "Rewritten" in turn_el.locator(".answer-steps .step", has_text="3x = 15").inner_text()
    # Every step entered the page with its verdict already on it.
    inserted = page.evaluate("window.__inserted")
    assert inserted and all("verdict-" in c for c in inserted)
    assert any("writing it again" in w for w in page.evaluate("window.__writing"))
    # The boxed answer came with the key's verdict.
    assert "checked against the key" in turn_el.locator(".final").inner_text()
    # The thinking's slip is counted on its collapsed line, not flagged.
    assert "1 marked ✗" in turn_el.locator("details.thinking summary").inner_text()
    assert errors.messages == []
    context.close()

    turn = Turn.objects.get(session__student=cast.alice)
    flag = Flag.objects.get(turn=turn, kind=Flag.Kind.MODEL_STEP)
    assert flag.step is not None and flag.step.text == "3x = 15"
    admin = browser.new_context(viewport=DESKTOP, base_url=rewriting.url)
    admin.add_cookies(
        [{"name": "sessionid", "value": session_cookie(cast.admin), "url": rewriting.url}]
    )
    review = admin.new_page()
    review.goto(f"/review/flags/{flag.pk}/")
    drafts = review.locator(".drafts")
    assert "proven wrong before it was shown" in drafts.inner_text()
    assert "3x = 16" in drafts.inner_text()
    shot(review, "review-rejected-draft")
    admin.close()
