"""Reads, including every permission question: who may see which session, attempt or class."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tutor import turn_state
from tutor.models import Assignment, Classroom, Problem, Turn, TutoringSession, User


def session_visible_to(*, user: User, session_id: int) -> TutoringSession | None:
    """The session if this user may watch it: its student, or a teacher of the student's class."""
    session = (
        TutoringSession.objects.select_related("student", "problem__problem_set")
        .filter(pk=session_id)
        .first()
    )
    if session is None or not user.is_authenticated:
        return None
    if session.student_id == user.pk:
        return session
    if user.is_reviewer:
        return session
    if user.is_teacher and teaches_student(teacher=user, student_id=session.student_id):
        return session
    return None


def teaches_student(*, teacher: User, student_id: int) -> bool:
    return Classroom.objects.filter(teacher=teacher, enrolments__student_id=student_id).exists()


def problems_for_student(*, student: User) -> QuerySet[Problem]:
    """Problems from sets assigned to any class the student is enrolled in."""
    return Problem.objects.filter(
        problem_set__assignments__classroom__enrolments__student=student
    ).distinct()


def problem_visible_to(*, user: User, problem_id: int) -> Problem | None:
    if user.is_reviewer:
        return Problem.objects.filter(pk=problem_id).first()
    if user.is_teacher:
        return Problem.objects.filter(pk=problem_id, problem_set__owner=user).first()
    return problems_for_student(student=user).filter(pk=problem_id).first()


def assignments_for_student(*, student: User) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(classroom__enrolments__student=student)
        .select_related("problem_set", "classroom")
        .order_by("due_at")
    )


def queue_position(turn: Turn) -> int:
    """1 means next to start."""
    return Turn.objects.filter(status=Turn.Status.QUEUED, queued_at__lt=turn.queued_at).count() + 1


def turn_snapshot_event(turn: Turn) -> dict[str, Any]:
    """The whole state of a turn, as the browser renders it after a (re)connect."""
    text = turn.text
    if turn.status == Turn.Status.RUNNING:
        live = turn_state.live_text(turn.pk)
        if live is not None and len(live) > len(text):
            text = live
    return {
        "type": "turn.snapshot",
        "turn": turn.pk,
        "seq": turn.last_seq,
        "index": turn.index,
        "mode": turn.mode,
        "question": turn.question,
        "status": turn.status,
        "text": text,
        "error": turn.error,
        "finish_reason": turn.finish_reason,
        "tokens": turn.token_count,
        "is_demo": turn.is_demo,
        "position": queue_position(turn) if turn.status == Turn.Status.QUEUED else None,
        "steps": [
            {
                "index": v.index,
                "text": v.text,
                "verdict": v.verdict,
                "detail": v.detail,
                "rule": v.rule or None,
            }
            for v in turn.verdicts.all()
        ],
    }


def session_snapshot(*, session: TutoringSession) -> list[dict[str, Any]]:
    return [turn_snapshot_event(t) for t in session.turns.prefetch_related("verdicts")]


def queued_positions(*, session: TutoringSession) -> list[tuple[int, int]]:
    return [
        (turn.pk, queue_position(turn)) for turn in session.turns.filter(status=Turn.Status.QUEUED)
    ]
