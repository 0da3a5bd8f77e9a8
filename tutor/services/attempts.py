"""A student's own work on a problem: the checked steps and the final answers.

The checker (tutor.checker) is bounded and safe on untrusted text; it is the only thing that
reads the math. Checking runs outside any transaction, because a check can take up to the
checker's timeout and must not hold row locks meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from tutor.errors import UserError
from tutor.models import AnswerSubmission, Attempt, Problem, StepVerdict, User
from tutor.services.mastery import mastery_record_answer

MAX_LINES = 100
MAX_LINE_CHARS = 1000
MAX_ANSWER_CHARS = 500
CHECKER_MISSING = "The step checker is not available right now."


@dataclass(frozen=True)
class CheckedStep:
    index: int
    text: str
    verdict: str
    detail: str
    rule: str | None
    read_as: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "text": self.text,
            "verdict": self.verdict,
            "detail": self.detail,
            "rule": self.rule,
            "read_as": self.read_as,
        }


def _clean_lines(lines: list[str]) -> list[str]:
    if len(lines) > MAX_LINES:
        raise UserError(f"A solution is limited to {MAX_LINES} lines.")
    if any(not isinstance(line, str) for line in lines):
        raise UserError("Each step must be a line of text.")
    if any(len(line) > MAX_LINE_CHARS for line in lines):
        raise UserError(f"Each line is limited to {MAX_LINE_CHARS} characters.")
    # Trailing blank lines are the empty line the student is about to type into.
    cleaned = [line.rstrip() for line in lines]
    while cleaned and not cleaned[-1].strip():
        cleaned.pop()
    return cleaned


def _run_checker(lines: list[str]) -> list[CheckedStep]:
    try:
        from tutor.checker import check_steps
    except ImportError:
        return [
            CheckedStep(i, t, "unchecked", CHECKER_MISSING, None, None) for i, t in enumerate(lines)
        ]
    results = check_steps(lines, source="student", timeout=settings.CHECKER_TIMEOUT_S)
    return [
        CheckedStep(
            index=r.index,
            text=lines[r.index] if r.index < len(lines) else "",
            verdict=r.verdict,
            detail=(r.detail or "")[:500],
            rule=r.rule or None,
            read_as=(r.read_as or None) and r.read_as[:500],
        )
        for r in results
    ]


def attempt_for(*, student: User, problem: Problem) -> Attempt:
    attempt, _ = Attempt.objects.get_or_create(student=student, problem=problem)
    return attempt


def attempt_check_steps(*, student: User, problem: Problem, lines: list[str]) -> list[CheckedStep]:
    """Check the student's lines and save them, replacing the previous check."""
    lines = _clean_lines(lines)
    checked = _run_checker(lines)
    attempt = attempt_for(student=student, problem=problem)
    with transaction.atomic():
        # The row lock orders two overlapping saves from the same page (a debounced
        # request racing the next one): the later one wins as a whole.
        Attempt.objects.select_for_update().get(pk=attempt.pk)
        Attempt.objects.filter(pk=attempt.pk).update(steps=lines)
        attempt.verdicts.all().delete()
        StepVerdict.objects.bulk_create(
            StepVerdict(
                attempt=attempt,
                index=step.index,
                text=step.text,
                verdict=step.verdict,
                detail=step.detail,
                rule=step.rule or "",
                read_as=step.read_as or "",
            )
            for step in checked
            if step.text.strip()
        )
        attempt.save(update_fields=["updated_at"])
    return checked


def _answer_result(answer: str, key: str) -> tuple[bool | None, str]:
    try:
        from tutor.checker import check_answer
    except ImportError:
        return None, CHECKER_MISSING
    result = check_answer(answer, key, timeout=settings.CHECKER_TIMEOUT_S)
    # The student reads what is saved: the feedback, which never shows the key.
    return result.equivalent, (result.feedback or "")[:500]


def _form_result(answer: str, form: str) -> tuple[bool | None, str]:
    """A right answer in the form the question asks for, or None with what it lacks."""
    from tutor.checker import check_answer_form

    lacking = check_answer_form(answer, form, timeout=settings.CHECKER_TIMEOUT_S)
    return (True, "matches the answer") if lacking is None else (None, lacking[:500])


def attempt_submit_answer(*, student: User, problem: Problem, answer: str) -> AnswerSubmission:
    """Check a final answer against the key and record it in the attempt's history.

    An undecided check is recorded, not flagged: the student is told the checker could not
    decide, and the teacher sees the answer in the attempt history. A decided answer to a
    problem not yet solved moves the student's mastery of its skills; answering a solved
    problem again is no new evidence.
    """
    answer = answer.strip()
    if not answer:
        raise UserError("Type your final answer first.")
    if len(answer) > MAX_ANSWER_CHARS:
        raise UserError(f"The final answer is limited to {MAX_ANSWER_CHARS} characters.")
    equivalent, detail = _answer_result(answer, problem.answer_key)
    if equivalent is True and problem.answer_form:
        equivalent, detail = _form_result(answer, problem.answer_form)
    attempt = attempt_for(student=student, problem=problem)
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if equivalent is not None and attempt.status != Attempt.Status.CORRECT:
            mastery_record_answer(student=student, problem=problem, correct=equivalent)
        attempt.tries += 1
        attempt.final_answer = answer
        if equivalent is True:
            attempt.status = Attempt.Status.CORRECT
            attempt.score = 1.0
        elif equivalent is False and attempt.status != Attempt.Status.CORRECT:
            attempt.status = Attempt.Status.INCORRECT
        attempt.save()
        return AnswerSubmission.objects.create(
            attempt=attempt, answer=answer, equivalent=equivalent, detail=detail
        )
