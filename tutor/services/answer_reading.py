"""The final answer's "read as" preview: how the checker reads what the student typed.

It is read the way an answer is compared (``check_key``: the same cleaning and forms), in the
checker's bounded pool, in the student's own queue. Nothing is stored and the key is never
involved, so the preview cannot tell a student whether the answer is right.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext, gettext_noop, pgettext

from tutor import counters
from tutor.checker import check_key
from tutor.checker.decimal_comma import reading_text
from tutor.errors import RateLimited, UserError
from tutor.models import User
from tutor.services.attempts import MAX_ANSWER_CHARS
from tutor.text_input import storable_text

UNREADABLE = gettext_noop("The checker cannot read this as an answer yet.")
UNDECIDED = gettext_noop("The checker could not read this in time; it is checked when you submit.")


@dataclass(frozen=True)
class AnswerReading:
    """``reading`` is the answer as the checker reads it, or None with ``note`` saying why."""

    reading: str | None
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"reading": self.reading, "note": self.note}


def answer_read_as(*, student: User, answer: str, decimal_comma: bool = False) -> AnswerReading:
    """How ``answer`` would be read when submitted (with ``decimal_comma``, as a page that
    writes 0,5 for a half submits it). UserError for text that cannot be sent,
    RateLimited past the student's per-minute budget (shared by name with no other check)."""
    answer = answer.strip()
    if len(answer) > MAX_ANSWER_CHARS:
        raise UserError(
            gettext("The final answer is limited to %(count)s characters.")
            % {"count": MAX_ANSWER_CHARS}
        )
    storable_text(answer, what=pgettext("what cannot be stored", "The final answer"))
    if not answer:
        return AnswerReading(None)
    total = counters.count(f"stepwise:answer-previews:{student.pk}", 60)
    if total > settings.STEP_CHECKS_PER_MINUTE:
        raise RateLimited(
            gettext("That is a lot of previews at once: your answer is checked when sent.")
        )
    found = check_key(reading_text(answer, decimal_comma), owner=student.pk)
    if found.readable:
        return AnswerReading(found.reading)
    return AnswerReading(None, gettext(UNREADABLE if found.readable is False else UNDECIDED))
