"""Scores go back to the LMS line item: queued after the answer, retried, never sent twice."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.lti_platform import INSTRUCTOR, Platform, launch, platform, registration
from tutor.lti import grades
from tutor.lti.models import LtiGrade
from tutor.models import Problem, ProblemSet, User
from tutor.services.attempts import attempt_submit_answer

__all__ = ["platform", "registration"]  # fixtures


@pytest.fixture
def linked(platform: Platform, registration: Any) -> tuple[User, Problem]:
    """A teacher's two-problem set linked to an LMS activity, and a learner who launched it."""
    launch(Client(), platform, registration, sub="teacher-1", roles=(INSTRUCTOR,))
    teacher = User.objects.get(lti_users__sub="teacher-1")
    problem_set = ProblemSet.objects.create(owner=teacher, title="Linear equations")
    first = Problem.objects.create(problem_set=problem_set, statement="2x=4", answer_key="x=2")
    Problem.objects.create(problem_set=problem_set, statement="3x=9", answer_key="x=3", position=1)
    custom = {"stepwise_set": str(problem_set.pk)}
    launch(Client(), platform, registration, sub="learner-1", custom=custom)
    return User.objects.get(lti_users__sub="learner-1"), first


def _answer(student: User, problem: Problem, text: str, capture: Any) -> list[Any]:
    # The send is queued on commit; captured, not run, so no task reaches the test's Redis.
    with capture(execute=False) as callbacks:
        attempt_submit_answer(student=student, problem=problem, answer=text)
    return callbacks


def test_it_queues_the_score_when_the_student_answers(
    linked: tuple[User, Problem], django_capture_on_commit_callbacks: Any
) -> None:
    """A right answer makes a queued grade of 1 out of 2 for the student's LMS id."""
    student, problem = linked
    callbacks = _answer(student, problem, "x = 2", django_capture_on_commit_callbacks)
    assert len(callbacks) == 1
    grade = LtiGrade.objects.get()
    assert (grade.score, grade.maximum, grade.platform_user_id) == (1.0, 2.0, "learner-1")
    assert grade.status == LtiGrade.Status.QUEUED


def test_it_retries_when_the_platform_fails_once_and_sends_one_score(
    platform: Platform, linked: tuple[User, Problem], django_capture_on_commit_callbacks: Any
) -> None:
    """A first 500 shows "failed, retrying"; the retry sends; a repeat sends nothing."""
    student, problem = linked
    _answer(student, problem, "x = 2", django_capture_on_commit_callbacks)
    grade = LtiGrade.objects.get()
    platform.fail_scores = 1
    with pytest.raises(grades.SendFailed):
        grades.grade_send(grade_id=grade.pk)
    grade.refresh_from_db()
    assert grade.get_status_display() == "Failed, retrying"
    assert grade.last_error == "LtiServiceException HTTP 500"
    assert platform.scores == []

    assert grades.grade_send(grade_id=grade.pk)
    assert grades.grade_send(grade_id=grade.pk)  # the task delivered twice
    grade.refresh_from_db()
    assert grade.get_status_display() == "Sent"
    (score,) = platform.scores
    assert score["userId"] == "learner-1"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (1.0, 2.0)
    assert score["gradingProgress"] == "FullyGraded"


def test_it_does_not_queue_an_unchanged_score(
    linked: tuple[User, Problem], django_capture_on_commit_callbacks: Any
) -> None:
    """A wrong answer after none right leaves nothing new to send."""
    student, problem = linked
    _answer(student, problem, "x = 5", django_capture_on_commit_callbacks)
    assert LtiGrade.objects.get().revision == 1  # 0 out of 2, the first score
    assert _answer(student, problem, "x = 7", django_capture_on_commit_callbacks) == []
    assert LtiGrade.objects.get().revision == 1


def test_it_shows_the_teacher_what_the_gradebook_was_sent(
    platform: Platform, linked: tuple[User, Problem], django_capture_on_commit_callbacks: Any
) -> None:
    """The progress grid says "Failed, retrying" while the platform is down, then "Sent"."""
    student, problem = linked
    _answer(student, problem, "x = 2", django_capture_on_commit_callbacks)
    grade = LtiGrade.objects.get()
    teacher = User.objects.get(lti_users__sub="teacher-1")
    client = Client()
    client.force_login(teacher)
    url = f"/teach/assignments/{grade.link.assignment_id}/"
    platform.fail_scores = 1
    with pytest.raises(grades.SendFailed):
        grades.grade_send(grade_id=grade.pk)
    assert b"Failed, retrying" in client.get(url).content
    grades.grade_send(grade_id=grade.pk)
    page = client.get(url).content.decode()
    assert "LMS gradebook" in page and '<td class="lms-status">Sent</td>' in page
