"""Due dates and attempts: late answers, the late penalty, the attempt limit, the key after
the due date, assigning again, and due dates in the past (issue 16, item 5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import Cast, Login
from tutor import assignment_rules
from tutor.errors import UserError
from tutor.models import AnswerSubmission, Assignment, Attempt, ProblemSet
from tutor.services import attempts, problem_sets

pytestmark = pytest.mark.django_db

DUE = datetime(2030, 1, 15, 9, 0, tzinfo=UTC)


@dataclass
class Terms:
    due_at: datetime = DUE
    late_penalty_percent: int = 0
    max_tries: int | None = None
    show_answer_after_due: bool = False


# The rules themselves, by hand.


@pytest.mark.parametrize(
    ("at", "late"),
    [
        (DUE - timedelta(seconds=1), False),  # a second early
        (DUE, False),  # at the due minute itself: on time
        (DUE + timedelta(seconds=1), True),  # a second late
    ],
)
def test_an_answer_after_the_due_date_is_late(at: datetime, late: bool) -> None:
    """Late means strictly after the due date."""
    assert assignment_rules.is_late(Terms(), at) is late


@pytest.mark.parametrize(
    ("penalty", "late", "score"),
    [
        (25, False, 1.0),  # on time: no penalty whatever it is
        (0, True, 1.0),  # no penalty set: late work scores in full
        (25, True, 0.75),  # a quarter off
        (10, True, 0.9),
        (100, True, 0.0),  # late work scores nothing
    ],
)
def test_the_late_penalty_is_a_percentage_off_the_score(
    penalty: int, late: bool, score: float
) -> None:
    """A right answer scores 1, less the penalty when it is late."""
    terms = Terms(late_penalty_percent=penalty)
    assert assignment_rules.score_for_right_answer(terms, late=late) == pytest.approx(score)


@pytest.mark.parametrize(
    ("limit", "decided", "left"),
    [(None, 7, None), (3, 0, 3), (3, 2, 1), (3, 3, 0), (3, 5, 0)],
)
def test_tries_left_count_down_to_zero(limit: int | None, decided: int, left: int | None) -> None:
    """With a limit, each decided answer uses a try; without one there is no count."""
    assert assignment_rules.tries_left(Terms(max_tries=limit), decided=decided) == left


def test_the_key_is_shown_only_after_the_due_date_and_only_when_chosen() -> None:
    """Before the due date never; after it, only with the option on."""
    after = DUE + timedelta(minutes=1)
    assert not assignment_rules.answer_shown(Terms(show_answer_after_due=True), DUE)
    assert assignment_rules.answer_shown(Terms(show_answer_after_due=True), after)
    assert not assignment_rules.answer_shown(Terms(show_answer_after_due=False), after)


# The services and pages, on the cast's assignment (due in a week).


def _past_due(cast: Cast, **terms: object) -> None:
    Assignment.objects.filter(pk=cast.assignment.pk).update(
        due_at=timezone.now() - timedelta(hours=1), **terms
    )


def _answer(cast: Cast, answer: str) -> AnswerSubmission:
    return attempts.attempt_submit_answer(student=cast.alice, problem=cast.problem, answer=answer)


def test_an_answer_before_the_due_date_is_on_time(cast: Cast) -> None:
    """A right answer in time is not late and scores 1."""
    submission = _answer(cast, "x = 5")
    assert submission.late is False and submission.attempt.score == 1


def test_a_late_right_answer_is_marked_and_penalised(cast: Cast) -> None:
    """After the due date with a 25 % penalty, a right answer is late and scores 0.75."""
    _past_due(cast, late_penalty_percent=25)
    submission = _answer(cast, "x = 5")
    assert submission.late is True and submission.equivalent is True
    assert Attempt.objects.get(pk=submission.attempt_id).score == pytest.approx(0.75)


def test_a_late_answer_never_lowers_a_score_earned_in_time(cast: Cast) -> None:
    """Answering right again after the due date keeps the full score of the first answer."""
    _answer(cast, "x = 5")
    _past_due(cast, late_penalty_percent=50)
    _answer(cast, "x = 5")
    assert Attempt.objects.get(student=cast.alice, problem=cast.problem).score == 1


def test_the_grid_marks_late_work(cast: Cast, login: Login) -> None:
    """A problem first answered right after the due date shows "late" in the teacher's grid."""
    _past_due(cast)
    _answer(cast, "x = 5")
    page = login(cast.teacher).get(f"/teach/assignments/{cast.assignment.pk}/").content.decode()
    assert '<span class="late">late</span>' in page


def test_the_attempt_limit_refuses_answers_once_used_up(cast: Cast) -> None:
    """With two tries, the third answer is refused with a message and nothing is saved."""
    Assignment.objects.filter(pk=cast.assignment.pk).update(max_tries=2)
    _answer(cast, "x = 4")
    _answer(cast, "x = 3")
    with pytest.raises(UserError, match="used all 2 tries"):
        _answer(cast, "x = 5")
    attempt = Attempt.objects.get(student=cast.alice, problem=cast.problem)
    assert attempt.tries == 2 and attempt.status == "incorrect"


def test_an_undecided_answer_does_not_use_up_a_try(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An answer the checker could not decide leaves the student's one try in place."""
    Assignment.objects.filter(pk=cast.assignment.pk).update(max_tries=1)
    monkeypatch.setattr(attempts, "_answer_result", lambda answer, key: (None, "timeout"))
    _answer(cast, "x = sqrt(25)")
    monkeypatch.undo()
    assert _answer(cast, "x = 5").equivalent is True


def test_the_problem_page_says_the_tries_are_used_up(cast: Cast, login: Login) -> None:
    """The student sees how many tries are left, and no answer form once there are none."""
    Assignment.objects.filter(pk=cast.assignment.pk).update(max_tries=1)
    client = login(cast.alice)
    assert "1 of 1 tries left" in client.get(f"/problems/{cast.problem.pk}/").content.decode()
    response = client.post(f"/problems/{cast.problem.pk}/answer", {"answer": "x = 4"})
    assert response.status_code == 302
    page = client.get(f"/problems/{cast.problem.pk}/").content.decode()
    assert "You have used all your tries" in page and 'name="answer"' not in page
    response = client.post(f"/problems/{cast.problem.pk}/answer", {"answer": "x = 5"}, follow=True)
    assert "used all 1 tries" in response.content.decode()


def test_the_key_is_shown_to_the_student_after_the_due_date(cast: Cast, login: Login) -> None:
    """With the option on, the key appears on the problem page once the due date has passed."""
    Assignment.objects.filter(pk=cast.assignment.pk).update(show_answer_after_due=True)
    client = login(cast.alice)
    before = client.get(f"/problems/{cast.problem.pk}/").content.decode()
    assert "The answer: <code>x = 5</code>" not in before
    _past_due(cast)
    after = client.get(f"/problems/{cast.problem.pk}/").content.decode()
    assert "The answer: <code>x = 5</code>" in after and 'name="answer"' not in after


def test_the_key_stays_hidden_after_the_due_date_without_the_option(
    cast: Cast, login: Login
) -> None:
    """Without the option, a past due date shows the student no key."""
    _past_due(cast)
    page = login(cast.alice).get(f"/problems/{cast.problem.pk}/").content.decode()
    assert "answer-key" not in page and "past the due date" in page


def test_no_answers_are_taken_once_the_key_is_shown(cast: Cast) -> None:
    """The key in view ends the answering: a posted answer is refused."""
    _past_due(cast, show_answer_after_due=True)
    with pytest.raises(UserError, match="answer is shown"):
        _answer(cast, "x = 5")


# Assigning.


def _assign(client: Client, cast: Cast, **extra: str) -> Any:
    data = {"problem_set": cast.problem_set.pk, "due_at": "2031-03-01T09:00", **extra}
    return client.post(f"/teach/classes/{cast.classroom.pk}/assign", data)


def test_assigning_again_asks_before_moving_the_due_date(cast: Cast, login: Login) -> None:
    """A second assign of the same set shows a confirmation and leaves the due date alone."""
    before = Assignment.objects.get(pk=cast.assignment.pk).due_at
    response = _assign(login(cast.teacher), cast)
    page = response.content.decode()
    assert response.status_code == 200
    assert "is already assigned to Period 3" in page and "Yes, change the due date" in page
    assert Assignment.objects.get(pk=cast.assignment.pk).due_at == before


def test_confirming_moves_the_due_date_and_the_terms(cast: Cast, login: Login) -> None:
    """With the confirmation, the due date, penalty, limit and key rule change."""
    response = _assign(
        login(cast.teacher),
        cast,
        confirm="True",
        late_penalty_percent="20",
        max_tries="3",
        show_answer_after_due="on",
    )
    assert response.status_code == 302
    moved = Assignment.objects.get(pk=cast.assignment.pk)
    assert timezone.localtime(moved.due_at).strftime("%Y-%m-%d %H:%M") == "2031-03-01 09:00"
    assert (moved.late_penalty_percent, moved.max_tries, moved.show_answer_after_due) == (
        20,
        3,
        True,
    )


def test_the_service_refuses_to_move_a_due_date_unasked(cast: Cast) -> None:
    """assignment_create without replace raises AlreadyAssigned and changes nothing."""
    terms = problem_sets.AssignmentTerms(due_at=timezone.now() + timedelta(days=30))
    with pytest.raises(problem_sets.AlreadyAssigned):
        problem_sets.assignment_create(
            problem_set=cast.problem_set, classroom=cast.classroom, terms=terms
        )


def test_a_due_date_in_the_past_is_refused_with_a_form_error(cast: Cast, login: Login) -> None:
    """The class page comes back with the error on the due date, and nothing is assigned."""
    fresh = ProblemSet.objects.create(owner=cast.teacher, title="Fresh set")
    fresh.problems.create(statement="1 + 1?", answer_key="2")
    response = login(cast.teacher).post(
        f"/teach/classes/{cast.classroom.pk}/assign",
        {"problem_set": fresh.pk, "due_at": "2020-01-15T09:00"},
    )
    assert "The due date is in the past" in response.content.decode()
    assert not Assignment.objects.filter(problem_set=fresh).exists()


def test_the_service_refuses_a_due_date_in_the_past(cast: Cast) -> None:
    """Whatever the form, the service does not assign work already overdue."""
    terms = problem_sets.AssignmentTerms(due_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(UserError, match="in the past"):
        problem_sets.assignment_create(
            problem_set=cast.problem_set, classroom=cast.classroom, terms=terms, replace=True
        )
