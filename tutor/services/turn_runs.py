"""A turn's run in a worker: the claim, the heartbeat, progress, the outcome, the verdicts.

Every write is fenced by the run it belongs to: the claim increments ``Turn.attempts``, and
each later write is a conditional UPDATE (or a locked check) on that number and on the turn
still running. A worker whose turn was failed and retried elsewhere learns it at its next
write or heartbeat (``TurnTaken``) and stops, so one turn never runs twice at once and a late
save from a stale worker never lands.

The heartbeat lives in the database, stamped with the database's clock: a Redis restart
cannot make a live turn look dead, and hosts with skewed clocks agree on what is stale.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import redis
from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Now
from django.utils import timezone

from tutor import events, turn_errors, turn_state
from tutor.checker import AnswerResult, Departure, StepResult
from tutor.models import Flag, StepVerdict, Turn
from tutor.selectors import turn_snapshot_event
from tutor.services.moderation import moderate_tutor_text

log = logging.getLogger(__name__)


class TurnTaken(Exception):
    """This run no longer owns its turn: it was failed (its worker looked dead) or retried."""


@dataclass(frozen=True)
class Progress:
    text: str
    seq: int
    tokens: int


class ClockNow(Now):
    """The database's clock when the row is written, not when the statement began.

    PostgreSQL's now() and statement_timestamp() are fixed when the statement starts; an
    UPDATE that waited on a lock (a test's TRUNCATE, a busy row) would stamp a heartbeat that
    was already stale when it landed, and a reaper could fail the turn it had just claimed.
    """

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="CLOCK_TIMESTAMP()", **extra)


def _stale_before() -> ExpressionWrapper:
    return ExpressionWrapper(
        Now() - timedelta(seconds=settings.TURN_HEARTBEAT_TTL_S), output_field=DateTimeField()
    )


def _run(turn_id: int, attempt: int) -> QuerySet[Turn]:
    return Turn.objects.filter(pk=turn_id, status=Turn.Status.RUNNING, attempts=attempt)


def turn_start(*, turn_id: int, model_name: str, is_demo: bool) -> Turn | None:
    """Claim a queued turn for this worker; None when there is nothing (more) to do.

    The returned turn's ``attempts`` is this run's fencing token. The claim records which
    model answers, so the page can say when it is the demo model. A turn found "running" with
    a stale heartbeat belonged to a worker that died: it is failed so the student sees what
    happened and can retry, and it is never run twice.
    """
    if Turn.objects.filter(pk=turn_id, status=Turn.Status.QUEUED).update(
        status=Turn.Status.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=ClockNow(),
        attempts=F("attempts") + 1,
        model_name=model_name[:200],
        is_demo=is_demo,
    ):
        return Turn.objects.select_related("session__problem").get(pk=turn_id)
    turns_reap_dead(turn_ids=[turn_id])
    return None


def turn_heartbeat(*, turn_id: int, attempt: int) -> None:
    """Say this run is alive; raises TurnTaken when the turn is no longer this run's."""
    if not _run(turn_id, attempt).update(heartbeat_at=ClockNow()):
        raise TurnTaken(turn_id)


def turn_save_progress(
    *, turn_id: int, attempt: int, seq: int, tokens: int, first_token: bool = False
) -> None:
    """Counters only: the steps are saved as they are checked, the text once at the end.

    It doubles as a heartbeat, so a busy stream never looks dead between two beats.
    """
    fields: dict[str, Any] = {"last_seq": seq, "token_count": tokens, "heartbeat_at": ClockNow()}
    if first_token:
        fields["first_token_at"] = timezone.now()
    if not _run(turn_id, attempt).update(**fields):
        raise TurnTaken(turn_id)


def turn_finish(
    *, turn_id: int, attempt: int, progress: Progress, finish_reason: str, rewrites: int = 0
) -> Turn | None:
    """Save the final transcript and moderate it. None if this run no longer owns the turn.

    Moderation runs once, on the whole text: a flag never blocks what was already shown.
    """
    status = Turn.Status.CANCELLED if finish_reason == "cancelled" else Turn.Status.DONE
    error = ""
    if finish_reason == "timeout":
        error = turn_errors.TIMED_OUT
    elif finish_reason == "length":
        error = turn_errors.cut_off(progress.tokens)
    updated = _run(turn_id, attempt).update(
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


def turn_fail(
    *, turn_id: int, error: str, attempt: int | None = None, progress: Progress | None = None
) -> bool:
    """Fail a running turn: from its own run (``attempt``), or from outside when it is dead.

    From outside, only a turn whose heartbeat is stale is failed, in the same conditional
    UPDATE: a heartbeat that lands first keeps the turn alive.
    """
    fields: dict[str, Any] = {
        "status": Turn.Status.FAILED,
        "error": error[:500],
        "finish_reason": "error",
        "finished_at": timezone.now(),
    }
    if attempt is not None:
        target = _run(turn_id, attempt)
    else:
        target = Turn.objects.filter(pk=turn_id, status=Turn.Status.RUNNING).filter(
            Q(heartbeat_at__lt=_stale_before()) | Q(heartbeat_at__isnull=True)
        )
    if progress is not None:
        fields.update(text=progress.text, last_seq=progress.seq, token_count=progress.tokens)
    else:
        # Failed from outside the worker (it died): the failure must outrank every event the
        # dead worker published, or clients would drop it as stale.
        fields.update(last_seq=_newest_seq(turn_id) + 1)
    if not target.update(**fields):
        return False
    _forget_live_state(turn_id)
    turn = Turn.objects.get(pk=turn_id)
    events.publish_turn_event(turn.session_id, turn_snapshot_event(turn))
    events.publish_queue_changed()
    return True


def turns_reap_dead(*, session_id: int | None = None, turn_ids: list[int] | None = None) -> int:
    """Fail running turns whose worker stopped its heartbeat (kill -9, a lost host)."""
    running = Turn.objects.filter(status=Turn.Status.RUNNING).filter(
        Q(heartbeat_at__lt=_stale_before()) | Q(heartbeat_at__isnull=True)
    )
    if session_id is not None:
        running = running.filter(session_id=session_id)
    if turn_ids is not None:
        running = running.filter(pk__in=turn_ids)
    return sum(
        turn_fail(turn_id=turn_id, error=turn_errors.WORKER_LOST)
        for turn_id in running.values_list("pk", flat=True)
    )


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


def _owned(turn: Turn, attempt: int) -> None:
    """Lock the turn row for this transaction, and check this run still owns it.

    A retry resets the turn under the same lock, so a stale run's verdict can never land in
    the new run's steps.
    """
    if not _run(turn.pk, attempt).select_for_update().exists():
        raise TurnTaken(turn.pk)


@transaction.atomic
def turn_record_step(
    *,
    turn: Turn,
    attempt: int,
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
    _owned(turn, attempt)
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


@transaction.atomic
def turn_record_final_answer(
    *,
    turn: Turn,
    attempt: int,
    answer: str,
    result: AnswerResult,
    departure: Departure | None = None,
) -> None:
    """Save the tutor's final answer against the key; one that disagrees goes to review.

    ``departure`` is the answer step where the reasoning first brings in a number that the
    problem, key and reference do not have; the flag points the reviewer at it.
    """
    _owned(turn, attempt)
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
