"""What a screen reader hears while the tutor answers: each checked step once, as it is
revealed, the final answer's verdict once, and "Done" at the end, all politely. The
placeholder that counts characters as a step is written is never read out."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.browser.conftest import DESKTOP, PageErrors
from tests.browser.seeded import page_as
from tests.conftest import Cast, LiveStack

pytestmark = [pytest.mark.browser, pytest.mark.live]

# Runs before the page's scripts: every addition to the tutor's announcer, and every text the
# status line takes, in order.
LISTEN = """
window.__heard = [];
document.addEventListener("DOMContentLoaded", () => {
  const announcer = document.getElementById("tutor-announcer");
  const status = document.getElementById("tutor-status");
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) {
      if (n.nodeType === 1) window.__heard.push(["step", n.textContent]);
    }
  }).observe(announcer, {childList: true});
  new MutationObserver(() => window.__heard.push(["status", status.textContent]))
    .observe(status, {childList: true, characterData: true, subtree: true});
});
"""

LIVE = "[aria-live], [role=status], [role=alert], [role=log]"


def test_a_streamed_answer_is_announced_step_by_step_and_once(
    browser: Any, scripted: LiveStack, cast: Cast
) -> None:
    """One announcement per step on screen plus the verdict; "Done" is said and stays."""
    page = page_as(browser, scripted, cast.alice, DESKTOP)
    page.context.add_init_script(LISTEN)
    errors = PageErrors()
    errors.watch(page)
    page.goto(reverse("problem", args=[cast.problem.pk]))
    page.locator("#tutor[data-connected='true']").wait_for(state="attached")
    page.get_by_role("button", name="Show a full solution").click()
    turn = page.locator("#turns .turn").first
    turn.locator(".writing").wait_for()
    # The placeholder and the final answer box sit outside every live region.
    assert turn.locator(".writing").evaluate(f"(n) => n.closest('{LIVE}') === null")
    turn.locator(".turn-status", has_text="Done").wait_for(timeout=90_000)
    assert turn.locator(".final").evaluate(f"(n) => n.closest('{LIVE}') === null")
    page.wait_for_timeout(1500)  # a late snapshot must not clear or repeat anything

    heard = page.evaluate("window.__heard")
    steps = [text for kind, text in heard if kind == "step"]
    statuses = [text for kind, text in heard if kind == "status" and text]
    shown = turn.locator(".answer-steps .step").count()
    assert shown > 10
    assert len(steps) == shown + 1, "each step and the final verdict, once each"
    assert len(set(steps)) == len(steps), "something was announced twice"
    assert "checked against the key" in steps[-1]
    assert not any("characters so far" in s or "Thinking…" in s for s in steps + statuses)
    assert statuses[-1].startswith("Done"), statuses
    assert sum(s.startswith("Done") for s in statuses) == 1, statuses
    assert page.locator("#tutor-status").inner_text().startswith("Done")
    # The glyph is not read: the step says its verdict in words.
    assert "Checked: follows" in steps[0] and "✓" not in steps[0]
    assert not errors.messages, errors.messages
    page.context.close()
