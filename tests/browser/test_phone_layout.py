"""At 390 x 844: the problem, the work, the answer and the tutor are each one tap away, and every
link and button is at least 24 x 24 px (WCAG 2.2, 2.5.8). Screenshots of each part are saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.browser.conftest import PHONE, SCREENSHOTS, PageErrors, shot
from tests.browser.seeded import page_as, seed
from tests.conftest import Cast, LiveStack

pytestmark = [pytest.mark.browser, pytest.mark.live]

# Every pointer target on the page smaller than 24 x 24 px, described. Only what is rendered
# counts: the skip link waits off-screen until it has focus.
SMALL_TARGETS = """() => {
  const small = [];
  const targets = "a[href], button, summary, select, textarea, input:not([type=hidden])";
  for (const el of document.querySelectorAll(targets)) {
    const r = el.getBoundingClientRect();
    const shown = r.width && r.height && r.right > 0;
    if (!shown || getComputedStyle(el).visibility === "hidden") continue;
    if (r.width < 23.5 || r.height < 23.5) {
      const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
      small.push(el.tagName.toLowerCase() + ' "' + text.slice(0, 40) + '" '
        + Math.round(r.width) + "x" + Math.round(r.height));
    }
  }
  return small;
}"""

NARROWEST = {"width": 320, "height": 640}
PARTS = [
    ("Problem", "#problem"),
    ("Your work", "#work"),
    ("Answer", "#answer"),
    ("Tutor", "#tutor"),
]


def test_each_part_of_the_problem_page_is_one_tap_away(
    browser: Any, live: LiveStack, cast: Cast
) -> None:
    """The jump bar is in the first screen and stays on top; each link brings its part up."""
    seed(cast)
    page = page_as(browser, live, cast.alice, PHONE)
    errors = PageErrors()
    errors.watch(page)
    page.goto(reverse("problem", args=[cast.word_problem.pk]))
    page.locator("#turns .answer-steps .step").nth(2).wait_for()
    bar = page.locator("nav.jump")
    assert bar.bounding_box()["y"] + bar.bounding_box()["height"] < PHONE["height"] / 3
    page.screenshot(path=str(SCREENSHOTS / "a11y-phone-0-top.png"))
    tall = page.evaluate("document.documentElement.scrollHeight")
    assert tall > 2 * PHONE["height"], "the page is short enough that this proves nothing"
    for n, (link, target) in enumerate(reversed(PARTS), start=1):
        bar.get_by_role("link", name=link, exact=True).click()
        page.wait_for_function(
            "(s) => { const r = document.querySelector(s).getBoundingClientRect();"
            " return Math.abs(r.top) < window.innerHeight / 2; }",
            arg=target,
        )
        part = page.locator(target).bounding_box()
        below_bar = bar.bounding_box()
        assert below_bar["y"] == pytest.approx(0, abs=1), "the jump bar scrolled away"
        assert part["y"] >= below_bar["height"] - 1, f"{link} starts under the jump bar"
        assert part["y"] < PHONE["height"] / 2, f"{link} is not brought into view"
        page.screenshot(path=str(SCREENSHOTS / f"a11y-phone-{n}-{target[1:]}.png"))
    shot(page, "a11y-phone-problem-full")
    assert not errors.messages, errors.messages
    page.context.close()


def _pages(cast: Cast, flag_id: int) -> list[tuple[Any, list[str]]]:
    return [
        (None, [reverse("login"), reverse("signup")]),
        (
            cast.alice,
            [
                reverse("home"),
                reverse("problem_set", args=[cast.problem_set.pk]),
                reverse("problem", args=[cast.problem.pk]),
                reverse("problem", args=[cast.word_problem.pk]),
            ],
        ),
        (
            cast.teacher,
            [
                reverse("teach_home"),
                reverse("teach_class", args=[cast.classroom.pk]),
                reverse("teach_set", args=[cast.problem_set.pk]),
                reverse("teach_problem_edit", args=[cast.problem_set.pk, cast.problem.pk]),
                reverse("teach_progress", args=[cast.assignment.pk]),
                reverse("teach_flags"),
            ],
        ),
        (cast.admin, [reverse("review_queue"), reverse("review_flag", args=[flag_id])]),
    ]


def test_every_target_is_at_least_24_px_and_pages_reflow_on_a_phone(
    browser: Any, live: LiveStack, cast: Cast
) -> None:
    """No link, button, summary or field on any role's pages is under 24 x 24 px, and no page
    scrolls sideways at 320 px."""
    seeded = seed(cast)
    small: list[str] = []
    for user, paths in _pages(cast, seeded.flag.pk):
        page = page_as(browser, live, user, PHONE)
        for path in paths:
            page.goto(path)
            if path.startswith("/problems/"):
                page.locator("#tutor[data-connected='true']").wait_for(state="attached")
                page.locator("#step-results .step, #turns .answer-steps .step").first.wait_for()
            small += [f"{path}: {t}" for t in page.evaluate(SMALL_TARGETS)]
            # Reflow (1.4.10): at 320 px nothing but a table's own scroll box scrolls sideways.
            page.set_viewport_size(NARROWEST)
            if page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
                small.append(f"{path}: scrolls sideways at {NARROWEST['width']} px")
            page.set_viewport_size(PHONE)
        page.context.close()
    assert not small, "\n".join(small)
