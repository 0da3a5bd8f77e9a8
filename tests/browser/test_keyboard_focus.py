"""Keyboard-only journeys for a student, a teacher and a reviewer: after every action, focus is
on its outcome or on the control that took the place of the one pressed, never on <body>."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, PageErrors, shot
from tests.browser.keyboard import focused, in_view, tab_to, under_sticky_bar
from tests.browser.seeded import page_as, seed
from tests.conftest import Cast, LiveStack
from tutor.models import Flag

pytestmark = [pytest.mark.browser, pytest.mark.live]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_student_stops_the_tutor_and_answers_by_keyboard(
    browser: Any, scripted: LiveStack, cast: Cast, viewport: dict[str, int]
) -> None:
    """Stop leaves focus on Try again; a submitted answer's result has focus and is in view."""
    page = page_as(browser, scripted, cast.alice, viewport)
    errors = PageErrors()
    errors.watch(page)
    page.goto(reverse("problem", args=[cast.problem.pk]))
    page.locator("#tutor[data-connected='true']").wait_for(state="attached")

    tab_to(page, "#work-lines")
    page.keyboard.type("3x + 5 = 20")
    page.keyboard.press("Enter")
    page.keyboard.type("3x = 16")
    page.keyboard.press("Enter")
    page.locator("#step-results .verdict-wrong .dispute").wait_for()
    tab_to(page, "#step-results .dispute")
    assert not under_sticky_bar(page)
    page.keyboard.press("Enter")
    page.locator("#step-results .reported").wait_for()
    assert "reported" in focused(page)["cls"], "focus left the reported line"

    tab_to(page, "button[data-mode='solve']")
    page.keyboard.press("Enter")
    turn = page.locator("#turns .turn").first
    turn.locator(".answer-steps .step").first.wait_for(timeout=60_000)
    tab_to(page, "#turns .turn .stop", limit=400)
    assert not under_sticky_bar(page)
    page.keyboard.press("Enter")
    page.locator("#turns .turn[data-status='cancelled']").wait_for(timeout=30_000)
    page.wait_for_function("() => document.activeElement.matches('#turns .turn .retry')")
    assert focused(page)["text"] == "Try again"
    assert "Stopped" in page.locator("#tutor-status").inner_text()

    tab_to(page, "#final-answer", back=True, limit=400)
    assert not under_sticky_bar(page), "the answer field has focus under the jump bar"
    page.keyboard.type("x = 5")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'answer-result'")
    assert "Correct: x = 5" in focused(page)["text"]
    assert in_view(page, "#answer-result"), "the answer's result is scrolled out of view"
    name = "desktop" if viewport == DESKTOP else "phone"
    # What the student sees at that moment, not the whole page.
    page.screenshot(path=str(SCREENSHOTS / f"a11y-keyboard-answer-result-{name}.png"))
    assert not errors.messages, errors.messages
    page.context.close()


def test_a_teacher_saves_a_problem_by_keyboard(browser: Any, live: LiveStack, cast: Cast) -> None:
    """A refused key puts focus on the error; a saved problem puts it on "Problem saved."."""
    page = page_as(browser, live, cast.teacher, DESKTOP)
    page.goto(reverse("teach_problem_new", args=[cast.problem_set.pk]))
    tab_to(page, "#id_statement")
    page.keyboard.type("What is $1 + 1$?")
    tab_to(page, "#id_answer_key")
    page.keyboard.type("x = (")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.matches('.error[role=alert]')")
    tab_to(page, "#id_answer_key")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'messages'")
    assert "Problem saved." in focused(page)["text"]
    shot(page, "a11y-keyboard-teacher-saved")
    page.context.close()


def test_a_reviewer_resolves_a_flag_by_keyboard(browser: Any, live: LiveStack, cast: Cast) -> None:
    """Arrow keys pick the decision; after resolving, focus is on the result message."""
    seeded = seed(cast)
    page = page_as(browser, live, cast.admin, DESKTOP)
    page.goto(reverse("review_flag", args=[seeded.flag.pk]))
    tab_to(page, "input[name='action']")
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("Dismiss as a false alarm").is_checked()
    tab_to(page, "#id_note")
    page.keyboard.type("The step is right; the key rounds.")
    tab_to(page, ".resolve-form button[type='submit']")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'messages'")
    assert "dismissed" in focused(page)["text"]
    assert Flag.objects.get(pk=seeded.flag.pk).status == Flag.Status.DISMISSED
    page.context.close()
