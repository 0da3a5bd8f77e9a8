"""The attempt services: checked steps are saved and replaced, answers build a history."""

from __future__ import annotations

import pytest

from tests.conftest import Cast
from tutor.errors import UserError
from tutor.models import Attempt, Flag, StepVerdict
from tutor.services import attempts

pytestmark = pytest.mark.django_db


def test_a_new_check_replaces_the_previous_one(cast: Cast) -> None:
    """Re-checking after an edit leaves exactly the new lines and their verdicts."""
    attempts.attempt_check_steps(
        student=cast.alice, problem=cast.problem, lines=["3x + 5 = 20", "3x = 16", ""]
    )
    checked = attempts.attempt_check_steps(
        student=cast.alice, problem=cast.problem, lines=["3x + 5 = 20", "3x = 15", "", ""]
    ).steps
    attempt = Attempt.objects.get(student=cast.alice, problem=cast.problem)
    assert attempt.steps == ["3x + 5 = 20", "3x = 15"], "trailing blank lines are dropped"
    assert [v.text for v in StepVerdict.objects.filter(attempt=attempt)] == attempt.steps
    assert checked[1].verdict == "ok"


def test_blank_lines_in_the_middle_are_kept_but_not_saved_as_verdicts(cast: Cast) -> None:
    """A blank line between steps keeps the numbering; it gets no verdict row."""
    attempts.attempt_check_steps(
        student=cast.alice, problem=cast.problem, lines=["3x + 5 = 20", "", "3x = 15"]
    )
    attempt = Attempt.objects.get(student=cast.alice, problem=cast.problem)
    assert list(attempt.verdicts.values_list("index", flat=True)) == [0, 2]


def test_limits_are_enforced_in_the_service(cast: Cast) -> None:
    """Over 100 lines or an over-long line is refused with a readable message."""
    with pytest.raises(UserError, match="100 lines"):
        attempts.attempt_check_steps(student=cast.alice, problem=cast.problem, lines=["1"] * 101)
    with pytest.raises(UserError, match="1000 characters"):
        attempts.attempt_check_steps(student=cast.alice, problem=cast.problem, lines=["1" * 1001])


def test_an_undecided_answer_is_recorded_not_flagged(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the checker cannot decide, the answer is kept, the status is unchanged, no flag."""
    monkeypatch.setattr(attempts, "_answer_result", lambda answer, key: (None, "timeout"))
    submission = attempts.attempt_submit_answer(
        student=cast.alice, problem=cast.problem, answer="x = sqrt(25)"
    )
    assert submission.equivalent is None and submission.detail == "timeout"
    attempt = submission.attempt
    assert attempt.status == "in_progress" and attempt.tries == 1
    assert not Flag.objects.exists()


def test_a_correct_attempt_stays_correct_after_a_wrong_retry(cast: Cast) -> None:
    """Once solved, a later wrong answer is recorded but the problem stays solved."""
    attempts.attempt_submit_answer(student=cast.alice, problem=cast.problem, answer="x = 5")
    later = attempts.attempt_submit_answer(student=cast.alice, problem=cast.problem, answer="7")
    assert later.equivalent is False
    attempt = Attempt.objects.get(pk=later.attempt_id)
    assert attempt.status == "correct" and attempt.score == 1 and attempt.tries == 2
    assert attempt.submissions.count() == 2


def test_an_empty_answer_is_refused(cast: Cast) -> None:
    """A blank answer asks for one and records nothing."""
    with pytest.raises(UserError):
        attempts.attempt_submit_answer(student=cast.alice, problem=cast.problem, answer="  ")
    assert not Attempt.objects.exists()
