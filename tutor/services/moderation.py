"""Moderation flags: student questions and tutor text that a person should read.

A flag is raised for review, not a block: the request still goes ahead, and the flag appears
in the review queue and on the class teacher's flag page (tutor.selectors.flags_for_teacher
reaches it through the turn, or through the problem set the teacher owns).
"""

from __future__ import annotations

import logging

from django.db import transaction

from tutor.models import Flag, FlagEvent, Problem, Turn, User
from tutor.moderation import Category, ModerationResult, moderate

log = logging.getLogger(__name__)

# What the model writes is not a "prompt injection" when it repeats the student's words.
MODEL_CATEGORIES = tuple(c for c in Category if c is not Category.PROMPT_INJECTION)


def moderate_student_text(
    *, student: User, problem: Problem, text: str, turn: Turn | None = None
) -> Flag | None:
    """Check what a student typed; on a match, open a moderation flag and return it."""
    result = moderate(text)
    if not result.flagged:
        return None
    return _flag(result, source="the student's text", problem=problem, turn=turn, student=student)


def moderate_tutor_text(*, turn: Turn, text: str) -> Flag | None:
    """Check what the model wrote for a turn (call once the turn has finished)."""
    result = moderate(text, categories=MODEL_CATEGORIES)
    if not result.flagged:
        return None
    problem = Problem.objects.get(pk=turn.session.problem_id)
    return _flag(result, source="the tutor's text", problem=problem, turn=turn, student=None)


def _flag(
    result: ModerationResult,
    *,
    source: str,
    problem: Problem,
    turn: Turn | None,
    student: User | None,
) -> Flag:
    reason = f"{result.label} in {source}: {result.excerpt()}"[:500]
    with transaction.atomic():
        # The same words flagged twice for the same turn (a retry, a resent question) make
        # one flag, so the queue shows each problem once.
        existing = Flag.objects.filter(
            kind=Flag.Kind.MODERATION,
            status=Flag.Status.OPEN,
            problem=problem,
            turn=turn,
            raised_by=student,
            reason=reason,
        ).first()
        if existing is not None:
            return existing
        flag = Flag.objects.create(
            kind=Flag.Kind.MODERATION,
            reason=reason,
            problem=problem,
            turn=turn,
            # The student whose words raised it: this is what links a flag with no turn to
            # the student (for the teacher's page, the export and the per-student delete).
            raised_by=student,
        )
        FlagEvent.objects.create(
            flag=flag, actor=None, action=FlagEvent.Action.RAISED, note=f"automatic: {result.note}"
        )
    # Ids and the category only: the text itself may be personal data.
    log.info("moderation flag %s raised (%s, problem %s)", flag.pk, result.category, problem.pk)
    return flag
