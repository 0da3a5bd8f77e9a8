"""The turn life cycle: queue, claim once, cancel, fail a dead worker's turn, retry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import Cast, PublishedEvents
from tutor import turn_errors, turn_state
from tutor.checker import StepResult
from tutor.errors import RateLimited, TurnBusy, UserError
from tutor.models import Flag, Turn
from tutor.services import turn_runs, turns


@pytest.fixture
def session(cast: Cast) -> turns.TutoringSession:
    return turns.session_for(student=cast.alice, problem=cast.problem)


def _start(turn: Turn) -> Turn | None:
    return turn_runs.turn_start(turn_id=turn.pk, model_name="tiny-phi3", is_demo=True)


def _stale(turn: Turn) -> None:
    """What a kill -9 leaves behind: a heartbeat that stops being renewed."""
    Turn.objects.filter(pk=turn.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))


def test_it_queues_a_turn_and_enqueues_it_only_after_commit(
    session: turns.TutoringSession, django_capture_on_commit_callbacks: object
) -> None:
    """Asking the tutor creates a queued turn; the task is sent once the data is committed."""
    with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[operator]
        turn = turns.turn_request(session=session, mode="hint")
    assert turn.status == Turn.Status.QUEUED and turn.index == 0
    assert len(callbacks) == 1


def test_it_refuses_a_second_request_while_one_is_active(session: turns.TutoringSession) -> None:
    """A student cannot start two answers at once in one session."""
    turns.turn_request(session=session, mode="hint")
    with pytest.raises(TurnBusy):
        turns.turn_request(session=session, mode="solve")


@pytest.mark.parametrize(
    ("mode", "question", "message"),
    [
        ("shout", "", "Choose a hint"),  # unknown mode
        ("followup", "   ", "Type a question"),  # empty follow-up
        ("followup", "x" * 2001, "limited to 2000"),  # over-long question
    ],
)
def test_it_explains_a_bad_request(
    session: turns.TutoringSession, mode: str, question: str, message: str
) -> None:
    """Bad requests get a readable error and create nothing."""
    with pytest.raises(UserError, match=message):
        turns.turn_request(session=session, mode=mode, question=question)
    assert not session.turns.exists()


def test_it_claims_a_turn_only_once(session: turns.TutoringSession) -> None:
    """The same task delivered twice generates once."""
    turn = turns.turn_request(session=session, mode="hint")
    assert _start(turn) is not None
    assert _start(turn) is None
    turn.refresh_from_db()
    assert turn.status == Turn.Status.RUNNING and turn.attempts == 1


def test_it_cancels_a_queued_turn_at_once(session: turns.TutoringSession) -> None:
    """Stop on a queued turn stops it before it ever runs."""
    turn = turns.turn_request(session=session, mode="hint")
    turns.turn_cancel(turn=turn)
    turn.refresh_from_db()
    assert turn.status == Turn.Status.CANCELLED
    assert _start(turn) is None


def test_it_flags_a_running_turn_for_cancel(session: turns.TutoringSession) -> None:
    """Stop on a running turn raises the flag the decode loop checks."""
    turn = turns.turn_request(session=session, mode="hint")
    _start(turn)
    turns.turn_cancel(turn=turn)
    assert turn_state.cancel_requested(turn.pk)
    turn_state.clear(turn.pk)


def test_it_fails_a_turn_whose_worker_died(session: turns.TutoringSession) -> None:
    """A running turn without a heartbeat is failed with a message, never left running."""
    turn = turns.turn_request(session=session, mode="hint")
    _start(turn)
    _stale(turn)
    assert turns.turns_reap_dead(session=session) == 1
    turn.refresh_from_db()
    assert turn.status == Turn.Status.FAILED and "try again" in turn.error


def test_it_leaves_a_live_turn_running(session: turns.TutoringSession) -> None:
    """A turn with a fresh heartbeat is not reaped."""
    turn = turns.turn_request(session=session, mode="hint")
    _start(turn)
    assert turns.turns_reap_dead(session=session) == 0
    turn_state.clear(turn.pk)  # a Redis restart: the heartbeat is in the database
    assert turns.turns_reap_dead(session=session) == 0


def test_it_retries_a_failed_turn_from_scratch(session: turns.TutoringSession) -> None:
    """Try again puts a failed turn back in the queue with its text cleared."""
    turn = turns.turn_request(session=session, mode="hint")
    _start(turn)
    turn_runs.turn_fail(
        turn_id=turn.pk, attempt=1, error="boom", progress=turn_runs.Progress("partial", 3, 2)
    )
    turns.turn_retry(turn=turn)
    turn.refresh_from_db()
    assert (turn.status, turn.text, turn.error) == (Turn.Status.QUEUED, "", "")


def test_it_refuses_to_retry_a_finished_answer(session: turns.TutoringSession) -> None:
    """Only failed or stopped answers can be retried."""
    turn = turns.turn_request(session=session, mode="hint")
    _start(turn)
    turn_runs.turn_finish(
        turn_id=turn.pk, attempt=1, progress=turn_runs.Progress("done", 4, 3), finish_reason="stop"
    )
    with pytest.raises(UserError):
        turns.turn_retry(turn=turn)


def test_it_limits_how_fast_a_student_can_ask(
    session: turns.TutoringSession, settings: object
) -> None:
    """A burst of requests past the limit gets a clear message, not a silent drop."""
    settings.TUTOR_REQUESTS_PER_MINUTE = 2  # type: ignore[attr-defined]
    for _ in range(2):
        turns.turn_cancel(turn=turns.turn_request(session=session, mode="hint"))
    with pytest.raises(RateLimited, match="Wait a minute"):
        turns.turn_request(session=session, mode="hint")


def test_it_caps_requests_per_day(session: turns.TutoringSession, settings: object) -> None:
    """The daily cap says when it resets."""
    settings.TUTOR_REQUESTS_PER_DAY = 1  # type: ignore[attr-defined]
    turns.turn_cancel(turn=turns.turn_request(session=session, mode="hint"))
    with pytest.raises(RateLimited, match="reset at midnight"):
        turns.turn_request(session=session, mode="hint")


@pytest.mark.parametrize("cancel_first", [False, True])
def test_it_tells_the_decode_loop_about_a_stop_at_once(cancel_first: bool) -> None:
    """Stop reaches the running model's local flag, whether it came before or after it listened."""
    import time

    turn_id = 987_001 + int(cancel_first)
    turn_state.clear(turn_id)
    if cancel_first:
        turn_state.request_cancel(turn_id)
    watch = turn_state.CancelWatch(turn_id)
    try:
        if not cancel_first:
            time.sleep(0.2)
            assert not watch.is_set()
            turn_state.request_cancel(turn_id)
        deadline = time.monotonic() + 1.0
        while not watch.is_set() and time.monotonic() < deadline:
            time.sleep(0.005)
        assert watch.is_set()
    finally:
        watch.close()
        turn_state.clear(turn_id)


def test_the_claim_records_which_model_answers(session: turns.TutoringSession) -> None:
    """The page can say "demo model" from the moment the turn starts running."""
    turn = turns.turn_request(session=session, mode="hint")
    started = turn_runs.turn_start(turn_id=turn.pk, model_name="m" * 300, is_demo=True)
    assert started is not None and started.is_demo and started.model_name == "m" * 200


def test_finishing_saves_the_transcript_moderates_it_and_frees_the_queue(
    session: turns.TutoringSession, published: PublishedEvents
) -> None:
    """A finished answer is saved once, its text is moderated, and waiting students move up."""
    turn = turns.turn_request(session=session, mode="hint")
    _start(turn)
    progress = turn_runs.Progress(text="Think first. You are so stupid.", seq=7, tokens=9)
    done = turn_runs.turn_finish(
        turn_id=turn.pk, attempt=1, progress=progress, finish_reason="stop"
    )
    assert done is not None and done.status == Turn.Status.DONE and done.text == progress.text
    assert done.last_seq == 7 and done.token_count == 9
    assert Flag.objects.filter(kind=Flag.Kind.MODERATION, turn=turn).count() == 1
    assert published.of_type("queue.changed")
    # A second finish (a late duplicate) changes nothing and raises no second flag.
    again = turn_runs.turn_finish(
        turn_id=turn.pk, attempt=1, progress=progress, finish_reason="stop"
    )
    assert again is None
    assert Flag.objects.filter(kind=Flag.Kind.MODERATION, turn=turn).count() == 1


def test_a_cancelled_queued_turn_tells_the_page_at_once(
    session: turns.TutoringSession, published: PublishedEvents
) -> None:
    """Stop on a queued turn publishes its cancelled snapshot to the session's sockets."""
    turn = turns.turn_request(session=session, mode="hint")
    turns.turn_cancel(turn=turn)
    snapshots = [e for e in published.to_session(session.pk) if e["type"] == "turn.snapshot"]
    assert [e["status"] for e in snapshots] == [Turn.Status.CANCELLED]


def test_a_run_whose_turn_was_retried_elsewhere_can_write_nothing(
    session: turns.TutoringSession,
) -> None:
    """A worker that only looked dead learns its turn was taken, and its late writes never land."""
    turn = turns.turn_request(session=session, mode="hint")
    first = _start(turn)
    assert first is not None and first.attempts == 1
    _stale(turn)
    assert turns.turns_reap_dead(session=session) == 1  # failed as dead...
    turns.turn_retry(turn=turn)  # ...and asked again, so a second run claims it
    second = _start(turn)
    assert second is not None and second.attempts == 2
    result = StepResult(index=0, verdict="ok", detail="")
    with pytest.raises(turn_runs.TurnTaken):
        turn_runs.turn_heartbeat(turn_id=turn.pk, attempt=1)
    with pytest.raises(turn_runs.TurnTaken):
        turn_runs.turn_record_step(
            turn=first, attempt=1, index=0, text="stale", result=result, in_thinking=False
        )
    with pytest.raises(turn_runs.TurnTaken):
        turn_runs.turn_save_progress(turn_id=turn.pk, attempt=1, seq=99, tokens=1)
    progress = turn_runs.Progress("stale text", 99, 1)
    assert (
        turn_runs.turn_finish(turn_id=turn.pk, attempt=1, progress=progress, finish_reason="stop")
        is None
    )
    turn_runs.turn_record_step(
        turn=second, attempt=2, index=0, text="fresh", result=result, in_thinking=False
    )
    turn.refresh_from_db()
    assert turn.status == Turn.Status.RUNNING and turn.text == ""
    assert list(turn.verdicts.values_list("text", flat=True)) == ["fresh"]


def test_a_fresh_heartbeat_beats_the_reaper(session: turns.TutoringSession) -> None:
    """Failing a dead turn is one conditional update: a beat that lands first keeps it alive."""
    turn = turns.turn_request(session=session, mode="hint")
    _start(turn)
    _stale(turn)
    turn_runs.turn_heartbeat(turn_id=turn.pk, attempt=1)
    assert turn_runs.turn_fail(turn_id=turn.pk, error=turn_errors.WORKER_LOST) is False
    turn.refresh_from_db()
    assert turn.status == Turn.Status.RUNNING
