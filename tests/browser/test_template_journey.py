"""Issue journey: a teacher writes a template, a student works their own variant, answers,
gets "Show me another" and sees mastery move; the teacher's analytics name the mistake."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, PageErrors, shot
from tests.conftest import Cast, LiveStack, session_cookie
from tutor.models import Problem, User
from tutor.problem_variants import shown_problem

pytestmark = [pytest.mark.browser, pytest.mark.live]

SPEC = "a in 2..9\nb in 1..9\nk in 2..6\nc = a*k + b"


def _page(browser: Any, live: LiveStack, user: User) -> Any:
    context = browser.new_context(viewport=DESKTOP, base_url=live.url)
    context.add_cookies([{"name": "sessionid", "value": session_cookie(user), "url": live.url}])
    return context.new_page()


def test_a_template_from_the_editor_to_show_me_another_and_analytics(
    browser: Any, live: LiveStack, cast: Cast
) -> None:
    errors = PageErrors()
    teacher = _page(browser, live, cast.teacher)
    errors.watch(teacher)
    teacher.goto(f"/teach/sets/{cast.problem_set.pk}/problems/new")
    teacher.get_by_label("Statement").fill("Solve ${a}x + {b} = {c}$.")
    teacher.get_by_label("Answer key").fill("x = {k}")
    teacher.get_by_label("Skills").fill("linear equations")
    teacher.get_by_label("Parameters").fill(SPEC)
    teacher.get_by_role("button", name="Preview variants").click()
    previews = teacher.locator(".variant-previews tbody tr")
    assert previews.count() == 3
    assert re.fullmatch(r"x = [2-6]", previews.nth(0).locator("code").inner_text())
    shot(teacher, "template-1-previews")
    teacher.get_by_role("button", name="Save problem").click()
    teacher.wait_for_url(f"**/teach/sets/{cast.problem_set.pk}/")
    problem = Problem.objects.get(parameters=SPEC)

    student = _page(browser, live, cast.alice)
    errors.watch(student)
    student.goto(f"/problems/{problem.pk}/")
    shown = shown_problem(problem=problem, student=cast.alice)
    a, b, c = (int(n) for n in re.findall(r"\d+", shown.statement))
    assert "{a}" not in student.locator(".statement").inner_text()
    # A sign slip moving b across, then the right work.
    area = student.locator("#work-lines")
    area.fill(f"{a}x + {b} = {c}\n{a}x = {c + b}")
    area.press("Enter")
    student.locator("#step-results li.verdict-wrong").first.wait_for()
    student.goto("/")
    bar = student.get_by_role("progressbar", name=re.compile("^linear equations"))
    before = int(bar.get_attribute("value") or 0)
    student.goto(f"/problems/{problem.pk}/")
    student.get_by_label("Your final answer").fill(shown.answer_key)
    student.get_by_role("button", name="Check answer").click()
    assert "Correct" in student.locator("body").inner_text()
    student.get_by_role("button", name="Show me another").click()
    assert "Here is another one" in student.locator("body").inner_text()
    second = shown_problem(problem=problem, student=cast.alice)
    assert second.variant == 1
    shot(student, "template-2-another")
    student.goto("/")
    bar = student.get_by_role("progressbar", name=re.compile("^linear equations"))
    after = int(bar.get_attribute("value") or 0)
    assert after > before

    teacher.goto(f"/teach/assignments/{cast.assignment.pk}/analytics/")
    table = teacher.locator("#misconceptions-table")
    assert table.get_by_role("rowheader", name="sign_error_moving_term").is_visible()
    canvas = teacher.locator('[data-chart-for="misconceptions-table"] canvas')
    canvas.wait_for()
    assert canvas.evaluate("c => c.width > 0 && c.height > 0")
    shot(teacher, "template-3-analytics")
    assert errors.messages == []
