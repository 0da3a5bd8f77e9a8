"""What an assignment's terms mean for one answer: late or not, its score, tries left, and
whether the key is shown. Pure functions of the assignment's fields and the time, so the
arithmetic is tested on its own (tests/test_due_dates.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Terms(Protocol):
    """The fields of tutor.models.Assignment these rules read."""

    due_at: datetime
    late_penalty_percent: int
    max_tries: int | None
    show_answer_after_due: bool


def is_late(terms: Terms, at: datetime) -> bool:
    """An answer given after the due date (at the due minute itself is on time)."""
    return at > terms.due_at


def score_for_right_answer(terms: Terms, *, late: bool) -> float:
    """1 on time; late, 1 less the penalty (a 25 % penalty scores 0.75), never below 0."""
    if not late:
        return 1.0
    return max(0.0, 1.0 - min(terms.late_penalty_percent, 100) / 100)


def tries_left(terms: Terms, *, decided: int) -> int | None:
    """Final answers still allowed, counting only those the checker decided; None: no limit.

    An undecided answer does not use up a try: the student was told nothing about it."""
    if terms.max_tries is None:
        return None
    return max(0, terms.max_tries - decided)


def answer_shown(terms: Terms, at: datetime) -> bool:
    """The student sees the key: the teacher chose so, and the due date has passed."""
    return terms.show_answer_after_due and is_late(terms, at)
