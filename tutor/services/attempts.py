"""A student's own work on a problem: the checked steps and the final answers.

The checker (tutor.checker) is bounded and safe on untrusted text; it is the only thing that
reads the math. Checking runs outside any transaction, because a check can take up to the
checker's timeout and must not hold row locks meanwhile.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, pgettext

from tutor import assignment_rules, counters, selectors
from tutor.checker.decimal_comma import reading_text
from tutor.errors import RateLimited, UserError
from tutor.lti.grades import grade_queue
from tutor.models import (
    AnswerSubmission,
    Assignment,
    Attempt,
    NamedMisconception,
    Problem,
    StepVerdict,
    User,
)
from tutor.problem_variants import shown_problem
from tutor.services.mastery import mastery_record_answer
from tutor.text_input import storable_text

MAX_LINES = 100
MAX_LINE_CHARS = 1000
MAX_ANSWER_CHARS = 500
CHECKER_MISSING = gettext_noop("The step checker is not available right now.")
MAX_VERSION = 2**62
# A request may spend at most this many time caps on lines that run out of time; the rest come
# back "not checked yet" and are asked again, so one student's slow lines cannot hold a worker.
SLOW_LINES_PER_REQUEST = 2
# Marked here, translated where raised: the constant itself stays English.
TOO_MANY_CHECKS = gettext_noop(
    "Your earlier lines are still being checked; they are checked again in a moment."
)


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


@dataclass(frozen=True)
class SavedCheck:
    """The checked lines, and whether they were saved: not when a newer edit already was."""

    steps: list[CheckedStep]
    saved: bool
    version: int


_in_flight_lock = threading.Lock()
_in_flight: Counter[int] = Counter()


@contextmanager
def _check_slot(student: User) -> Iterator[None]:
    """At most CHECKS_IN_FLIGHT_PER_STUDENT checks of one student at once, in this process.

    Per process because the checker's pool is per process: this bounds what one student can
    hold of it. Two tabs and a debounced page stay within the default of 2.
    """
    with _in_flight_lock:
        if _in_flight[student.pk] >= settings.CHECKS_IN_FLIGHT_PER_STUDENT:
            raise RateLimited(gettext(TOO_MANY_CHECKS))
        _in_flight[student.pk] += 1
    try:
        yield
    finally:
        with _in_flight_lock:
            _in_flight[student.pk] -= 1
            if _in_flight[student.pk] <= 0:
                del _in_flight[student.pk]


def _count_check(student: User) -> None:
    total = counters.count(f"stepwise:step-checks:{student.pk}", 60)
    if total > settings.STEP_CHECKS_PER_MINUTE:
        raise RateLimited(
            gettext("That is a lot of checking at once: wait a minute, then go on typing.")
        )


def _clean_lines(lines: list[str]) -> list[str]:
    if len(lines) > MAX_LINES:
        raise UserError(gettext("A solution is limited to %(count)s lines.") % {"count": MAX_LINES})
    if any(not isinstance(line, str) for line in lines):
        raise UserError(gettext("Each step must be a line of text."))
    if any(len(line) > MAX_LINE_CHARS for line in lines):
        raise UserError(
            gettext("Each line is limited to %(count)s characters.") % {"count": MAX_LINE_CHARS}
        )
    for line in lines:
        storable_text(line, what=pgettext("what cannot be stored", "A line of work"))
    # Trailing blank lines are the empty line the student is about to type into.
    cleaned = [line.rstrip() for line in lines]
    while cleaned and not cleaned[-1].strip():
        cleaned.pop()
    return cleaned


def _known_slow(attempt: Attempt, lines: list[str]) -> list[int]:
    """Saved lines that ran out of time, under the same lines above them as now."""
    from tutor.checker.limits import UNKNOWN_TOO_LARGE

    saved = list(attempt.steps or [])
    same = 0
    while same < min(len(saved), len(lines)) and saved[same].rstrip() == lines[same]:
        same += 1
    return list(
        attempt.verdicts.filter(index__lt=same, verdict="unknown", detail=UNKNOWN_TOO_LARGE)
        .values_list("index", flat=True)
        .order_by("index")
    )


def _run_checker(
    lines: list[str], *, owner: int, known_slow: list[int], decimal_comma: bool
) -> list[CheckedStep]:
    try:
        from tutor.checker import check_steps
    except ImportError:
        return [
            CheckedStep(i, t, "unchecked", CHECKER_MISSING, None, None) for i, t in enumerate(lines)
        ]
    results = check_steps(
        [reading_text(line, decimal_comma) for line in lines],
        source="student",
        timeout=settings.CHECKER_TIMEOUT_S,
        owner=owner,
        known_slow=known_slow,
        slow_budget=SLOW_LINES_PER_REQUEST,
    )
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


def attempt_check_steps(
    *,
    student: User,
    problem: Problem,
    lines: list[str],
    version: int | None = None,
    decimal_comma: bool = False,
) -> SavedCheck:
    """Check the student's lines and save them, unless a newer edit is saved already.

    ``version`` is the page's edit number, which grows with every edit; without one, the
    request is numbered one past the saved edit when it arrives. Checks run at once (quick
    typing, two tabs) and finish in any order; a save only ever moves the number forward, so
    the lines kept are always those of the newest edit, each with its own verdict.
    With ``decimal_comma`` (the page's language writes 0,5 for a half) the checker reads
    decimal commas as points; the lines are saved as typed.
    """
    if version is not None and not (0 < version < MAX_VERSION):
        raise UserError(gettext("The edit number must be a positive whole number."))
    lines = _clean_lines(lines)
    _count_check(student)
    attempt = attempt_for(student=student, problem=problem)
    if version is None:
        version = attempt.steps_version + 1
    with _check_slot(student):
        checked = _run_checker(
            lines,
            owner=student.pk,
            known_slow=_known_slow(attempt, lines),
            decimal_comma=decimal_comma,
        )
    with transaction.atomic():
        # The row lock orders two saves that finish together; the version decides which wins.
        current = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if current.steps_version >= version:
            return SavedCheck(checked, saved=False, version=current.steps_version)
        current.steps = lines
        current.steps_version = version
        current.save(update_fields=["steps", "steps_version", "updated_at"])
        current.verdicts.all().delete()
        StepVerdict.objects.bulk_create(
            StepVerdict(
                attempt=current,
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
        NamedMisconception.objects.bulk_create(
            (
                NamedMisconception(
                    student=student,
                    problem=problem,
                    variant=current.variant,
                    rule=step.rule[:64],
                    line=step.text,
                    line_hash=hashlib.sha256(step.text.strip().encode()).hexdigest(),
                )
                for step in checked
                if step.rule and step.text.strip()
            ),
            ignore_conflicts=True,  # seen before: logged once
        )
    return SavedCheck(checked, saved=True, version=version)


BUSY = "busy"
# How the checker's answer forms begin what a right value in another form lacks.
RIGHT_VALUE_WRONG_FORM = "right value, but"


def _answer_result(answer: str, key: str) -> tuple[bool | None, str]:
    try:
        from tutor.checker import NOT_CHECKED_YET, check_answer
    except ImportError:
        return None, CHECKER_MISSING
    result = check_answer(answer, key, timeout=settings.CHECKER_TIMEOUT_S)
    if result.equivalent is None and result.detail == NOT_CHECKED_YET:
        return None, BUSY
    # The student reads what is saved: the feedback, which never shows the key.
    return result.equivalent, (result.feedback or "")[:500]


def _form_result(answer: str, form: str) -> tuple[bool | None, str]:
    """A right answer in the form the question asks for, or None with what it lacks."""
    from tutor.checker import check_answer_form

    lacking = check_answer_form(answer, form, timeout=settings.CHECKER_TIMEOUT_S)
    return (True, "matches the answer") if lacking is None else (None, lacking[:500])


def _refusal(assignment: Assignment | None, *, decided: int, now: datetime) -> str | None:
    """Why no more answers are taken under this assignment now, or None."""
    if assignment is None:
        return None
    if assignment_rules.answer_shown(assignment, now):
        return gettext(
            "The due date has passed and the answer is shown, so no more answers are taken."
        )
    if assignment_rules.tries_left(assignment, decided=decided) == 0:
        # One sentence for any number: the page already says "1 of 1 tries" in English.
        return gettext(
            "You have used all %(tries)s tries for this problem. "
            "Ask your teacher if you need another."
        ) % {"tries": assignment.max_tries}
    return None


def attempt_submit_answer(
    *, student: User, problem: Problem, answer: str, decimal_comma: bool = False
) -> AnswerSubmission:
    """Check a final answer against the key and record it in the attempt's history.

    An undecided check is recorded, not flagged: the student is told the checker could not
    decide, and the teacher sees the answer in the attempt history. The assignment's terms
    (tutor.assignment_rules) decide whether it is taken, whether it is late and what a right
    answer scores; a late right answer never lowers a score already earned.
    A decided answer to a problem not yet solved moves the student's mastery of its skills;
    answering a solved problem again is no new evidence.
    With ``decimal_comma`` the checker reads 0,5 as a half; the answer is saved as typed.
    """
    answer = answer.strip()
    if not answer:
        raise UserError(gettext("Type your final answer first."))
    if len(answer) > MAX_ANSWER_CHARS:
        raise UserError(
            gettext("The final answer is limited to %(count)s characters.")
            % {"count": MAX_ANSWER_CHARS}
        )
    storable_text(answer, what=pgettext("what cannot be stored", "The final answer"))
    assignment = selectors.assignment_for_work(student=student, problem=problem)
    decided = selectors.decided_tries(student=student, problem=problem)
    # Refused before the checker runs, so a used-up limit costs no check.
    if (refused := _refusal(assignment, decided=decided, now=timezone.now())) is not None:
        raise UserError(refused)
    key = shown_problem(problem=problem, student=student).answer_key
    read = reading_text(answer, decimal_comma)
    equivalent, detail = _answer_result(read, key)
    if equivalent is None and detail == BUSY:
        # Not judged at all: recording it would count a try the student never had.
        raise UserError(
            gettext("The checker is busy right now, so your answer was not sent. Try again.")
        )
    if equivalent is True and problem.answer_form:
        equivalent, detail = _form_result(read, problem.answer_form)
    attempt = attempt_for(student=student, problem=problem)
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
        # Counted again under the lock: two answers sent at once must not both take the
        # last try. The time is read here too, after the check that may have taken seconds.
        now = timezone.now()
        decided = selectors.decided_tries(student=student, problem=problem)
        if (refused := _refusal(assignment, decided=decided, now=now)) is not None:
            raise UserError(refused)
        late = assignment is not None and assignment_rules.is_late(assignment, now)
        if equivalent is not None and attempt.status != Attempt.Status.CORRECT:
            mastery_record_answer(student=student, problem=problem, correct=equivalent)
        attempt.tries += 1
        attempt.final_answer = answer
        if equivalent is True:
            attempt.status = Attempt.Status.CORRECT
            score = (
                assignment_rules.score_for_right_answer(assignment, late=late)
                if assignment is not None
                else 1.0
            )
            attempt.score = max(attempt.score, score)
        elif equivalent is False and attempt.status != Attempt.Status.CORRECT:
            attempt.status = Attempt.Status.INCORRECT
        attempt.save()
        submission = AnswerSubmission.objects.create(
            attempt=attempt,
            answer=answer,
            equivalent=equivalent,
            detail=detail,
            late=late,
            variant=attempt.variant,
        )
        # The LMS gradebook, when an LTI activity links this assignment (sent after commit).
        grade_queue(student=student, assignment=assignment)
        return submission


# "Show me another" is offered after a right answer, or after this many tries at one variant.
ANOTHER_AFTER_TRIES = 3


def another_allowed(*, problem: Problem, attempt: Attempt | None) -> bool:
    if not problem.parameters.strip() or attempt is None:
        return False
    if attempt.status == Attempt.Status.CORRECT:
        return True
    tries_here = attempt.submissions.filter(variant=attempt.variant).count()
    return tries_here >= ANOTHER_AFTER_TRIES


def attempt_another_variant(*, student: User, problem: Problem) -> Attempt:
    """The next variant of a templated problem. The answer history stays, each answer with
    its variant; the work lines of the last variant are cleared, since they solve another
    problem. A score already earned is kept, and the new variant is in progress."""
    attempt = attempt_for(student=student, problem=problem)
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if not another_allowed(problem=problem, attempt=attempt):
            raise UserError(
                gettext(
                    "Another variant comes after a right answer, or after "
                    "%(tries)s tries at this one."
                )
                % {"tries": ANOTHER_AFTER_TRIES}
            )
        attempt.variant += 1
        attempt.steps = []
        attempt.steps_version += 1  # a check of the old lines still in flight is stale now
        attempt.final_answer = ""
        if attempt.status != Attempt.Status.CORRECT:
            attempt.status = Attempt.Status.IN_PROGRESS
        attempt.save()
        attempt.verdicts.all().delete()
    return attempt
