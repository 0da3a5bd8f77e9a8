"""The life of a tutor turn: requested, queued, running, then done, failed or cancelled.

Every state change is a conditional UPDATE on the current status, so a task delivered twice,
a cancel racing a start, or a late save from a dead worker can never move a turn backwards.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import redis
from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from inference.prompts import HINT_RUNGS
from tutor import events, turn_state
from tutor.celery import GENERATE_TURN, app
from tutor.checker import AnswerResult, Departure, StepResult
from tutor.errors import RateLimited, TurnBusy, UserError
from tutor.models import Flag, Problem, StepVerdict, Turn, TutoringSession, User
from tutor.selectors import is_assigned, turn_snapshot_event
from tutor.services.moderation import moderate_student_text, moderate_tutor_text
from tutor.text_input import storable_text

log = logging.getLogger(__name__)

WORKER_LOST = "The tutor stopped unexpectedly. Your request was not finished; try again."
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
        raise UserError("Choose a hint, check my work, a full solution or ask a question.")
    question = storable_text(question.strip(), what="Questions")
    if mode == Turn.Mode.FOLLOWUP and not question:
        raise UserError("Type a question first.")
    if len(question) > settings.TUTOR_QUESTION_MAX_CHARS:
        raise UserError(f"Questions are limited to {settings.TUTOR_QUESTION_MAX_CHARS} characters.")
    with transaction.atomic():
        # Lock the session row so two quick clicks cannot both pass the busy check.
        TutoringSession.objects.select_for_update().get(pk=session.pk)
        if not is_assigned(student_id=session.student_id, problem_id=session.problem_id):
            raise UserError("This problem is no longer assigned to you.")
        if session.turns.filter(status__in=ACTIVE).exists():
            raise TurnBusy("The tutor is still answering. Wait for it, or press Stop.")
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
            raise TurnBusy("The tutor is still answering. Wait for it, or press Stop.")
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
            raise UserError("Only an answer that was cut off can be continued.")
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
        raise RateLimited("You are asking very quickly. Wait a minute, then ask again.")
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if mine.filter(queued_at__gte=midnight).count() >= settings.TUTOR_REQUESTS_PER_DAY:
        raise RateLimited(
            f"You have used today's {settings.TUTOR_REQUESTS_PER_DAY} tutor requests. "
            "They reset at midnight."
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
            raise TurnBusy("The tutor is still answering. Wait for it, or press Stop.")
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
            queued_at=timezone.now(),
        )
        if not updated:
            raise UserError("Only a failed or stopped answer can be retried.")
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


def turn_start(*, turn_id: int, model_name: str, is_demo: bool) -> Turn | None:
    """Claim a queued turn for this worker; None when there is nothing (more) to do.

    The claim records which model answers, so the page can say when it is the demo model.
    A turn found "running" with no heartbeat belonged to a worker that died: it is marked
    failed so the student sees what happened and can retry, and it is never run twice.
    """
    now = timezone.now()
    if Turn.objects.filter(pk=turn_id, status=Turn.Status.QUEUED).update(
        status=Turn.Status.RUNNING,
        started_at=now,
        attempts=F("attempts") + 1,
        model_name=model_name[:200],
        is_demo=is_demo,
    ):
        turn_state.heartbeat(turn_id)
        return Turn.objects.select_related("session__problem").get(pk=turn_id)
    existing = Turn.objects.filter(pk=turn_id).first()
    if (
        existing is not None
        and existing.status == Turn.Status.RUNNING
        and not turn_state.is_alive(turn_id)
    ):
        turn_fail(turn_id=turn_id, error=WORKER_LOST)
    return None


@dataclass(frozen=True)
class Progress:
    text: str
    seq: int
    tokens: int


def turn_save_progress(*, turn_id: int, seq: int, tokens: int, first_token: bool = False) -> None:
    """Counters only: the steps are saved as they are checked, the text once at the end."""
    fields: dict[str, Any] = {"last_seq": seq, "token_count": tokens}
    if first_token:
        fields["first_token_at"] = timezone.now()
    Turn.objects.filter(pk=turn_id, status=Turn.Status.RUNNING).update(**fields)


def turn_finish(
    *, turn_id: int, progress: Progress, finish_reason: str, rewrites: int = 0
) -> Turn | None:
    """Save the final transcript and moderate it. Returns None if the turn was no longer running.

    Moderation runs once, on the whole text: a flag never blocks what was already shown.
    """
    status = Turn.Status.CANCELLED if finish_reason == "cancelled" else Turn.Status.DONE
    error = ""
    if finish_reason == "timeout":
        error = "The answer took too long and was cut short."
    elif finish_reason == "length":
        error = (
            f"The answer was cut off after {progress.tokens:,} tokens, the most one answer may "
            "use. You can ask the tutor to continue it."
        )
    updated = Turn.objects.filter(pk=turn_id, status=Turn.Status.RUNNING).update(
        status=status,
        text=progress.text,
        last_seq=progress.seq,
        token_count=progress.tokens,
        finish_reason=finish_reason,
        error=error,
        finished_at=timezone.now(),
        rewrites=F("rewrites") + rewrites,
    )
    if not updated:
        return None
    _forget_live_state(turn_id)
    events.publish_queue_changed()
    turn = Turn.objects.select_related("session").get(pk=turn_id)
    moderate_tutor_text(turn=turn, text=progress.text)
    return turn


def turn_fail(*, turn_id: int, error: str, progress: Progress | None = None) -> None:
    fields: dict[str, Any] = {
        "status": Turn.Status.FAILED,
        "error": error[:500],
        "finish_reason": "error",
        "finished_at": timezone.now(),
    }
    if progress is not None:
        fields.update(text=progress.text, last_seq=progress.seq, token_count=progress.tokens)
    else:
        # Failed from outside the worker (it died): the failure must outrank every event the
        # dead worker published, or clients would drop it as stale.
        fields.update(last_seq=_newest_seq(turn_id) + 1)
    if not Turn.objects.filter(pk=turn_id, status__in=ACTIVE).update(**fields):
        return
    _forget_live_state(turn_id)
    turn = Turn.objects.get(pk=turn_id)
    events.publish_turn_event(turn.session_id, turn_snapshot_event(turn))
    events.publish_queue_changed()


def _newest_seq(turn_id: int) -> int:
    saved = Turn.objects.filter(pk=turn_id).values_list("last_seq", flat=True).first() or 0
    try:
        live = turn_state.live_seq(turn_id)
    except redis.RedisError:
        live = None
    return max(saved, live or 0)


def _forget_live_state(turn_id: int) -> None:
    # The database already holds the outcome; Redis being down must not undo that.
    try:
        turn_state.clear(turn_id)
    except redis.RedisError:
        log.warning("could not clear live state of turn %s", turn_id)


def turns_reap_dead(*, session: TutoringSession | None = None) -> int:
    """Fail running turns whose worker stopped sending heartbeats."""
    running = Turn.objects.filter(status=Turn.Status.RUNNING)
    if session is not None:
        running = running.filter(session=session)
    reaped = 0
    for turn_id in running.values_list("pk", flat=True):
        if not turn_state.is_alive(turn_id):
            turn_fail(turn_id=turn_id, error=WORKER_LOST)
            reaped += 1
    return reaped


def turn_record_step(
    *,
    turn: Turn,
    index: int,
    text: str,
    result: StepResult,
    in_thinking: bool,
    drafts: list[dict[str, str]] | None = None,
) -> StepVerdict:
    """Save the checker's verdict on one model step; a proven-wrong answer step is flagged.

    Steps inside <think> are judged and shown but not flagged: a reasoning model often
    writes a slip there and corrects it a line later, and the review queue would drown.
    ``drafts`` are earlier versions of this step that were proven wrong and written again;
    a step rewritten into a right one is flagged too, so a reviewer sees the evidence.
    """
    drafts = drafts or []
    verdict = StepVerdict.objects.create(
        turn=turn,
        index=index,
        text=text,
        verdict=result.verdict,
        detail=result.detail[:500],
        rule=result.rule or "",
        read_as=(result.read_as or "")[:500],
        thinking=in_thinking,
        drafts=drafts,
    )
    reason = ""
    if result.verdict == StepVerdict.Verdict.WRONG and not in_thinking:
        tried = f" (after {len(drafts)} rewrites)" if drafts else ""
        reason = f"Tutor step {index + 1}{tried}: {result.detail}"
    elif drafts:
        reason = (
            f"Tutor step {index + 1} was proven wrong and written again "
            f"({len(drafts)} rejected): {drafts[-1]['detail']}"
        )
    if reason:
        Flag.objects.create(
            kind=Flag.Kind.MODEL_STEP,
            problem_id=turn.session.problem_id,
            turn=turn,
            step=verdict,
            reason=reason[:500],
        )
    return verdict


def turn_record_final_answer(
    *, turn: Turn, answer: str, result: AnswerResult, departure: Departure | None = None
) -> None:
    """Save the tutor's final answer against the key; one that disagrees goes to review.

    ``departure`` is the answer step where the reasoning first brings in a number that the
    problem, key and reference do not have; the flag points the reviewer at it.
    """
    if result.equivalent is None:
        final = Turn.Final.UNDECIDED
    else:
        final = Turn.Final.AGREES if result.equivalent else Turn.Final.DISAGREES
    Turn.objects.filter(pk=turn.pk).update(final_answer=answer[:500], final_verdict=final)
    if result.equivalent is not False:
        return
    # Each part is cut on its own so that the pointer to the step always fits in 500.
    reason = (
        f"The tutor answered {answer[:120]!r}; the key says "
        f"{turn.session.problem.answer_key[:120]!r} ({result.detail[:120]})."
    )
    step = None
    if departure is not None:
        step = turn.verdicts.filter(index=departure.index).first()
        reason += (
            f" It first goes off at step {departure.index + 1}, which brings in {departure.number}."
        )
    Flag.objects.create(
        kind=Flag.Kind.ANSWER_MISMATCH,
        problem_id=turn.session.problem_id,
        turn=turn,
        step=step,
        reason=reason[:500],
    )
