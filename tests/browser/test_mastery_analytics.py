"""A student's mastery on the dashboard and the teacher's analytics charts, in Chromium,
under the site's CSP: the charts draw from the tables, with no error or violation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, PageErrors, shot
from tests.conftest import Cast, LiveStack, session_cookie
from tutor.models import User
from tutor.services import attempts
from tutor.services.skills import problem_skills_set

pytestmark = [pytest.mark.browser, pytest.mark.live]


def _page(browser: Any, live: LiveStack, user: User) -> Any:
    context = browser.new_context(viewport=DESKTOP, base_url=live.url)
    context.add_cookies([{"name": "sessionid", "value": session_cookie(user), "url": live.url}])
    return context.new_page()


def test_mastery_moves_and_the_teacher_sees_the_misconception_charted(
    browser: Any, live: LiveStack, cast: Cast
) -> None:
    """Alice slips a sign, then answers right: her dashboard shows 59%, the page suggests the
    next step, and the teacher's analytics chart and table name her misconception."""
    problem_skills_set(problem=cast.problem, names=["linear equations"])
    attempts.attempt_check_steps(
        student=cast.alice, problem=cast.problem, lines=["3x + 5 = 20", "3x = 25"]
    )
    attempts.attempt_submit_answer(student=cast.alice, problem=cast.problem, answer="x = 25/3")
    attempts.attempt_submit_answer(student=cast.alice, problem=cast.problem, answer="x = 5")

    student = _page(browser, live, cast.alice)
    errors = PageErrors()
    errors.watch(student)
    student.goto("/")
    skill = student.get_by_role("progressbar", name="linear equations: 59% mastered")
    assert skill.get_attribute("value") == "59"
    student.goto(f"/problems/{cast.problem.pk}/")
    assert "Next step: Problem 2" in student.locator("#next-step").inner_text()
    shot(student, "mastery-1-problem")

    teacher = _page(browser, live, cast.teacher)
    errors.watch(teacher)
    teacher.goto(f"/teach/assignments/{cast.assignment.pk}/analytics/")
    canvas = teacher.locator('[data-chart-for="misconceptions-table"] canvas')
    canvas.wait_for()
    assert canvas.evaluate("c => c.width > 0 && c.height > 0")
    assert (
        teacher.locator("#misconceptions-table")
        .get_by_role("rowheader", name="sign_error_moving_term")
        .is_visible()
    )
    assert teacher.locator(".chart-box canvas").count() >= 4  # one per charted table
    shot(teacher, "mastery-2-analytics")
    assert errors.messages == []
