"""The whole LTI journey in Chromium: the LMS launches, the student answers, the LMS gets
the score, through a real daphne, a real Celery worker and the loopback platform."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, PageErrors, shot
from tests.conftest import LiveStack
from tests.lti_platform import Platform, login_initiation_url, platform, registration
from tutor.lti.models import LtiGrade
from tutor.models import Problem, ProblemSet, User

pytestmark = [pytest.mark.browser, pytest.mark.live]
__all__ = ["platform", "registration"]  # fixtures


def _wait_for(check: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.25)


def test_a_launched_student_answers_and_the_lms_receives_the_score(
    browser: Any, live: LiveStack, platform: Platform, registration: Any
) -> None:
    """Launch from the LMS, answer right in the browser; the platform fails once, then gets
    exactly one score of 1 out of 1."""
    teacher = User.objects.create_user("lms_teacher", role=User.Role.TEACHER)
    registration.users.create(sub="teacher-1", auth_user=teacher)  # teaches on this platform
    problem_set = ProblemSet.objects.create(owner=teacher, title="Linear equations")
    Problem.objects.create(problem_set=problem_set, statement="Solve $2x = 4$.", answer_key="x = 2")
    platform.launch_args = {"custom": {"stepwise_set": str(problem_set.pk)}}
    platform.fail_scores = 1

    context = browser.new_context(viewport=DESKTOP, base_url=live.url)
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors = PageErrors()
    errors.watch(page)
    page.goto(login_initiation_url(live.url, platform, registration))
    page.get_by_role("heading", name="Linear equations").wait_for()
    shot(page, "lti-1-launched")
    page.get_by_role("link", name="Problem 1").click()
    page.get_by_label("Your final answer").fill("x = 2")
    page.get_by_role("button", name="Check answer").click()
    page.get_by_text("Correct").first.wait_for()
    shot(page, "lti-2-answered")

    _wait_for(lambda: platform.scores, timeout=90)
    time.sleep(1)  # a duplicate, if one were coming, would come now
    (score,) = platform.scores
    assert (score["userId"], score["scoreGiven"], score["scoreMaximum"]) == ("learner-1", 1, 1)
    grade = LtiGrade.objects.get()
    assert grade.status == LtiGrade.Status.SENT and grade.tries == 2
    assert errors.messages == []
