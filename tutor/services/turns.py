"""The life of a tutor turn: requested, queued, running, then done, failed or cancelled.

This module holds what students and the web do to turns (ask, stop, retry, continue);
``turn_runs`` holds what a worker's run does. Every state change is a conditional UPDATE on
the current status, so a task delivered twice, a cancel racing a start, or a late save from
a dead worker can never move a turn backwards.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from inference.prompts import HINT_RUNGS
from tutor import events, turn_state
from tutor.celery import GENERATE_TURN, app
from tutor.errors import RateLimited, TurnBusy, UserError
from tutor.models import Problem, Turn, TutoringSession, User
from tutor.selectors import is_assigned, turn_snapshot_event
from tutor.services import turn_runs
from tutor.services.moderation import moderate_student_text
from tutor.text_input import storable_text

log = logging.getLogger(__name__)

ACTIVE = (Turn.Status.QUEUED, Turn.Status.RUNNING)


def session_for(*, student: User, problem: Problem) -> TutoringSession:
    session, _ = TutoringSession.objects.get_or_create(student=student, problem=problem)
    return session


def turn_request(*, session: TutoringSession, mode: str, question: str = "") -> Turn:
    """Queue a request to the tutor; generation starts once the transaction commits.

    Only while the problem is assigned to the session's student: a student removed from the
    class, or whose assignment was withdrawn, can no longer ask about it.
    """
    if mode not in Turn.Mode.values:
        raise UserError(gettext("Choose a hint, check my work, a full solution or ask a question."))
    question = storable_text(question.strip(), what=pgettext("what cannot be stored", "Questions"))
    if mode == Turn.Mode.FOLLOWUP and not question:
        raise UserError(gettext("Type a question first."))
    if len(question) > settings.TUTOR_QUESTION_MAX_CHARS:
        raise UserError(
            gettext("Questions are limited to %(count)s characters.")
            % {"count": settings.TUTOR_QUESTION_MAX_CHARS}
        )
    with transaction.atomic():
        # Lock the session row so two quick clicks cannot both pass the busy check.
        TutoringSession.objects.select_for_update().get(pk=session.pk)
        if not is_assigned(student_id=session.student_id, problem_id=session.problem_id):
            raise UserError(gettext("This problem is no longer assigned to you."))
        if session.turns.filter(status__in=ACTIVE).exists():
            raise TurnBusy(gettext("The tutor is still answering. Wait for it, or press Stop."))
        _check_rate(student_id=session.student_id)
        last = session.turns.aggregate(last=Max("index"))["last"]
        turn = Turn.objects.create(
            session=session,
            index=0 if last is None else last + 1,
            mode=mode,
            hint_rung=_next_hint_rung(session) if mode == Turn.Mode.HINT else None,
            question=question,
        )
        if question:
            # Never blocks the request: a match goes to the review queue and the teacher.
            moderate_student_text(
                student=session.student, problem=session.problem, text=question, turn=turn
            )
        transaction.on_commit(lambda: _enqueue(turn))
    return turn


def _next_hint_rung(session: TutoringSession) -> int:
    """Each hint gives away a little more; after the last rung, hints stay at the bottom."""
    given = session.turns.filter(mode=Turn.Mode.HINT, status=Turn.Status.DONE).count()
    return min(given + 1, HINT_RUNGS)


def turn_continue(*, turn: Turn) -> Turn:
    """Carry on an answer that was cut off at the token cap, from where it stopped."""
    with transaction.atomic():
        TutoringSession.objects.select_for_update().get(pk=turn.session_id)
        if turn.session.turns.filter(status__in=ACTIVE).exists():
            raise TurnBusy(gettext("The tutor is still answering. Wait for it, or press Stop."))
        _check_rate(student_id=turn.session.student_id)
        updated = Turn.objects.filter(
            pk=turn.pk, status=Turn.Status.DONE, finish_reason="length"
        ).update(
            status=Turn.Status.QUEUED,
            error="",
            finish_reason="",
            cancel_requested=False,
            finished_at=None,
            queued_at=timezone.now(),
        )
        if not updated:
            raise UserError(gettext("Only an answer that was cut off can be continued."))
        turn.refresh_from_db()
        transaction.on_commit(lambda: _enqueue(turn))
    return turn


def _check_rate(*, student_id: int) -> None:
    """Per-student limits on model requests: a burst limit and a daily cap.

    Counted from the turns table itself, so the numbers are exact and survive a Redis
    restart; the (status, queued_at) index keeps the counts cheap.
    """
    now = timezone.now()
    mine = Turn.objects.filter(session__student_id=student_id)
    if mine.filter(queued_at__gte=now - timedelta(minutes=1)).count() >= (
        settings.TUTOR_REQUESTS_PER_MINUTE
    ):
        raise RateLimited(gettext("You are asking very quickly. Wait a minute, then ask again."))
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if mine.filter(queued_at__gte=midnight).count() >= settings.TUTOR_REQUESTS_PER_DAY:
        raise RateLimited(
            gettext("You have used today's %(count)s tutor requests. They reset at midnight.")
            % {"count": settings.TUTOR_REQUESTS_PER_DAY}
        )


def _enqueue(turn: Turn) -> None:
    # By name: the web process never imports the worker's code (or the model's libraries).
    app.send_task(GENERATE_TURN, args=(turn.pk,))
    events.publish_turn_event(turn.session_id, turn_snapshot_event(turn))


def turn_retry(*, turn: Turn) -> Turn:
    """Run a failed or cancelled turn again, from scratch, under the same id."""
    with transaction.atomic():
        TutoringSession.objects.select_for_update().get(pk=turn.session_id)
        if turn.session.turns.filter(status__in=ACTIVE).exclude(pk=turn.pk).exists():
            raise TurnBusy(gettext("The tutor is still answering. Wait for it, or press Stop."))
        updated = Turn.objects.filter(
            pk=turn.pk, status__in=(Turn.Status.FAILED, Turn.Status.CANCELLED)
        ).update(
            status=Turn.Status.QUEUED,
            text="",
            error="",
            finish_reason="",
            token_count=0,
            cancel_requested=False,
            started_at=None,
            first_token_at=None,
            finished_at=None,
            heartbeat_at=None,
            queued_at=timezone.now(),
        )
        if not updated:
            raise UserError(gettext("Only a failed or stopped answer can be retried."))
        turn.verdicts.all().delete()
        Turn.objects.filter(pk=turn.pk).update(final_answer="", final_verdict="", rewrites=0)
        turn.refresh_from_db()
        turn_state.clear(turn.pk)
        transaction.on_commit(lambda: _enqueue(turn))
    return turn


def turn_cancel(*, turn: Turn) -> None:
    """Stop a turn. A queued turn stops at once; a running one within one decode step."""
    cancelled = Turn.objects.filter(pk=turn.pk, status=Turn.Status.QUEUED).update(
        status=Turn.Status.CANCELLED,
        finish_reason="cancelled",
        finished_at=timezone.now(),
        cancel_requested=True,
    )
    if cancelled:
        turn.refresh_from_db()
        events.publish_turn_event(turn.session_id, turn_snapshot_event(turn))
        events.publish_queue_changed()
        return
    if Turn.objects.filter(pk=turn.pk, status=Turn.Status.RUNNING).update(cancel_requested=True):
        turn_state.request_cancel(turn.pk)


def turns_reap_dead(*, session: TutoringSession | None = None) -> int:
    """Fail the session's (or every) running turn whose worker stopped its heartbeat."""
    return turn_runs.turns_reap_dead(session_id=None if session is None else session.pk)
