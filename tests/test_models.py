"""Integrity rules the database itself enforces."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from tests.conftest import Cast
from tutor.models import Attempt, Enrolment, Flag, StepVerdict, Turn, TutoringSession


def test_it_refuses_a_second_enrolment_in_the_same_class(cast: Cast) -> None:
    """A student cannot be enrolled twice in one class."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(classroom=cast.classroom, student=cast.alice)


def test_it_gives_each_class_its_own_join_code(cast: Cast) -> None:
    """Join codes are generated, and unique."""
    other = type(cast.classroom).objects.create(teacher=cast.teacher, name="Period 4")
    assert len(other.join_code) == 8 and other.join_code != cast.classroom.join_code


def test_it_keeps_students_history_when_a_teacher_is_deleted(cast: Cast) -> None:
    """Deleting a teacher with classes is refused rather than cascading into student work."""
    with pytest.raises(ProtectedError):
        cast.teacher.delete()


def test_it_requires_exactly_one_owner_for_a_verdict(cast: Cast) -> None:
    """A step verdict belongs to an attempt or to a turn, never both, never neither."""
    attempt = Attempt.objects.create(student=cast.alice, problem=cast.problem)
    session = TutoringSession.objects.create(student=cast.alice, problem=cast.problem)
    turn = Turn.objects.create(session=session, index=0, mode=Turn.Mode.HINT)
    with pytest.raises(IntegrityError), transaction.atomic():
        StepVerdict.objects.create(attempt=attempt, turn=turn, index=0, text="x", verdict="ok")
    with pytest.raises(IntegrityError), transaction.atomic():
        StepVerdict.objects.create(index=0, text="x", verdict="ok")
    StepVerdict.objects.create(attempt=attempt, index=0, text="x=1", verdict="ok")
    with pytest.raises(IntegrityError), transaction.atomic():
        StepVerdict.objects.create(attempt=attempt, index=0, text="x=2", verdict="ok")


def test_it_numbers_turns_uniquely_within_a_session(cast: Cast) -> None:
    """Two turns cannot share an index in one session."""
    session = TutoringSession.objects.create(student=cast.alice, problem=cast.problem)
    Turn.objects.create(session=session, index=0, mode=Turn.Mode.HINT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Turn.objects.create(session=session, index=0, mode=Turn.Mode.SOLVE)


def test_it_keeps_flag_resolution_time_consistent(cast: Cast) -> None:
    """An open flag has no resolution time; a resolved one must have one."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(
            kind=Flag.Kind.DISPUTE, problem=cast.problem, reason="r", status=Flag.Status.CONFIRMED
        )
    flag = Flag.objects.create(kind=Flag.Kind.DISPUTE, problem=cast.problem, reason="r")
    flag.status, flag.resolved_at = Flag.Status.DISMISSED, timezone.now()
    flag.save()


def test_it_bounds_scores_between_zero_and_one(cast: Cast) -> None:
    """A score outside [0, 1] is refused by the database."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(student=cast.alice, problem=cast.problem, score=1.5)
