"""Flags: student disputes, and their review with a required note and an audit trail."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from tutor.errors import UserError
from tutor.models import Attempt, Flag, FlagEvent, Problem, StepVerdict, Turn, User
from tutor.text_input import storable_text

MAX_NOTE_CHARS = 2000
RESOLUTIONS = {
    "confirm": (Flag.Status.CONFIRMED, FlagEvent.Action.CONFIRMED),
    "dismiss": (Flag.Status.DISMISSED, FlagEvent.Action.DISMISSED),
    "fix_key": (Flag.Status.KEY_FIXED, FlagEvent.Action.KEY_FIXED),
}


def flag_dispute(
    *,
    user: User,
    index: int,
    reason: str = "",
    turn: Turn | None = None,
    attempt: Attempt | None = None,
) -> Flag:
    """ "I think this is wrong" on one step verdict, the model's (turn) or the student's own."""
    if (turn is None) == (attempt is None):
        raise ValueError("a dispute names exactly one of a turn or an attempt")
    reason = storable_text(
        reason.strip()[:400], what=pgettext("what cannot be stored", "A reason")
    ) or ("The student thinks this verdict is wrong.")
    step = StepVerdict.objects.filter(turn=turn, attempt=attempt, index=index).first()
    if step is None:
        # A flag with no step shows the reviewer nothing to judge.
        raise UserError(gettext("That step is not saved yet: wait for its check, then report it."))
    problem: Problem = turn.session.problem if turn is not None else attempt.problem  # type: ignore[union-attr]
    with transaction.atomic():
        existing = Flag.objects.filter(
            kind=Flag.Kind.DISPUTE,
            status=Flag.Status.OPEN,
            raised_by=user,
            turn=turn,
            attempt=attempt,
            reason__startswith=f"Step {index + 1}:",
        ).first()
        if existing is not None:
            return existing
        flag = Flag.objects.create(
            kind=Flag.Kind.DISPUTE,
            reason=f"Step {index + 1}: {reason}",
            problem=problem,
            turn=turn,
            attempt=attempt,
            step=step,
            raised_by=user,
        )
        FlagEvent.objects.create(flag=flag, actor=user, action=FlagEvent.Action.RAISED, note=reason)
    return flag


def flag_resolve(*, flag: Flag, reviewer: User, action: str, note: str, new_key: str = "") -> Flag:
    """Confirm, dismiss, or fix the answer key. The note is required and goes in the trail."""
    if action not in RESOLUTIONS:
        raise UserError(gettext("Choose confirm, dismiss or fix the answer key."))
    note = note.strip()
    if not note:
        raise UserError(gettext("Write a note: it is kept in the audit trail."))
    if len(note) > MAX_NOTE_CHARS:
        raise UserError(
            gettext("The note is limited to %(count)s characters.") % {"count": MAX_NOTE_CHARS}
        )
    new_key = new_key.strip()
    if action == "fix_key" and not new_key:
        raise UserError(gettext("Type the corrected answer key."))
    if len(new_key) > 500:
        raise UserError(
            gettext("The answer key is limited to %(count)s characters.") % {"count": 500}
        )
    status, event_action = RESOLUTIONS[action]
    with transaction.atomic():
        # Conditional on "open": two reviewers acting at once cannot both resolve the flag.
        changed = Flag.objects.filter(pk=flag.pk, status=Flag.Status.OPEN).update(
            status=status, reviewer=reviewer, resolution=note, resolved_at=timezone.now()
        )
        if not changed:
            raise UserError(gettext("This flag was already resolved."))
        old_key = ""
        if action == "fix_key":
            problem = Problem.objects.select_for_update().get(pk=flag.problem_id)
            old_key = problem.answer_key
            problem.answer_key = new_key
            problem.save(update_fields=["answer_key"])
        FlagEvent.objects.create(
            flag=flag,
            actor=reviewer,
            action=event_action,
            note=note,
            old_value=old_key,
            new_value=new_key if action == "fix_key" else "",
        )
    flag.refresh_from_db()
    return flag
