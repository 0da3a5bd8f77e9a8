"""One turn's stream, from model deltas to saved transcript and published events.

Deltas are coalesced (at most about 20 frames a second) and numbered; each frame carries
its character offset so a client can drop duplicates and spot gaps. Completed steps are
judged before their verdict is published. The transcript goes to Redis with every frame and
to the database every SAVE_EVERY_S, so a crash loses at most that much.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import redis
from django.conf import settings
from django.db import connection

from inference.backends import Message, Stats
from inference.prompts import build_messages
from inference.streaming import Coalescer, StepSplitter
from tutor import events, turn_state
from tutor.checker import check_final_answer, check_step, locate_departure
from tutor.models import Turn
from tutor.services import turns
from tutor.services.moderation import moderate_tutor_text
from tutor.services.turns import Progress

log = logging.getLogger(__name__)

SAVE_EVERY_S = 2.0
CONTEXT_STEPS = 20


class TurnStream:
    def __init__(self, *, turn: Turn, is_demo: bool, model_name: str) -> None:
        self.turn = turn
        self.session_id = turn.session_id
        self.seq = turn.last_seq
        self.tokens = 0
        self.parts: list[str] = []
        self.length = 0
        self.coalescer = Coalescer(settings.TUTOR_FRAME_INTERVAL_S)
        self.splitter = StepSplitter()
        self.last_save = time.monotonic()
        self.saw_first_token = False
        self.step_count = 0
        self.live_broken = False
        self.cancel = turn_state.CancelWatch(turn.pk)
        self.step_texts: list[str] = []
        self.answer_steps: list[tuple[int, str]] = []  # (index, text) outside <think>
        # Events get their seq under this lock: step verdicts are published from the checks'
        # thread while frames are published from the decoding thread.
        self.lock = threading.RLock()
        self.checks = BackgroundChecks(self._step)
        Turn.objects.filter(pk=turn.pk).update(is_demo=is_demo, model_name=model_name[:200])
        self._publish({"type": "turn.status", "status": Turn.Status.RUNNING, "is_demo": is_demo})

    def messages(self) -> list[Message]:
        turn = self.turn
        problem = turn.session.problem
        attempt = problem.attempts.filter(student_id=turn.session.student_id).first()
        history = [
            (earlier.question or earlier.get_mode_display(), earlier.text)
            for earlier in turn.session.turns.filter(index__lt=turn.index, status=Turn.Status.DONE)
        ]
        return build_messages(
            mode=turn.mode,  # type: ignore[arg-type]
            problem=problem.statement,
            attempt_steps=list(attempt.steps) if attempt else [],
            history=history,
            question=turn.question,
        )

    def should_stop(self) -> bool:
        return self.cancel.is_set()

    def push(self, text: str, now: float) -> None:
        self.tokens += 1
        frame = self.coalescer.push(text, now)
        if frame:
            self._emit(frame)
        if now - self.last_save >= SAVE_EVERY_S:
            self._save()

    def finish(self, stats: Stats) -> None:
        self.cancel.close()
        tail = self.coalescer.flush()
        if tail:
            self._emit(tail)
        self.checks.wait()
        for step in self.splitter.finish():
            self._step(step.index, step.text, step.in_thinking)
        # The saved seq is the done event's own: a snapshot read afterwards is never "older"
        # than the last event a client saw.
        progress = self._progress(stats.tokens, seq=self.seq + 1)
        if self.turn.mode in (Turn.Mode.SOLVE, Turn.Mode.CHECK) and stats.finish_reason == "stop":
            self._check_final_answer()
        turn = turns.turn_finish(
            turn_id=self.turn.pk, progress=progress, finish_reason=stats.finish_reason
        )
        if turn is not None:
            moderate_tutor_text(turn=turn, text=progress.text)
            self._publish(
                {
                    "type": "turn.done",
                    "status": turn.status,
                    "length": self.length,
                    "error": turn.error,
                    "finish_reason": stats.finish_reason,
                    "tokens": stats.tokens,
                    "tokens_per_s": round(stats.tokens_per_s, 1),
                    "ttft_s": stats.ttft_s,
                }
            )
        events.flush()

    def _check_final_answer(self) -> None:
        # Read as the checker's evaluation reads it: the last \boxed{}, else the math the
        # last answer step ends on, then its numbers; any reading matching the key is enough.
        problem = self.turn.session.problem
        steps = [text for _, text in self.answer_steps]
        final = check_final_answer(
            steps,
            problem.answer_key,
            problem=problem.statement,
            timeout=settings.CHECKER_TIMEOUT_S,
        )
        if final is None:
            return
        departure = None
        if final.result.equivalent is False:
            # Where the reasoning went off, for the reviewer: the first answer step that
            # brings in a number the problem, key and reference solution do not have.
            found = locate_departure(
                steps,
                problem=problem.statement,
                answer_key=problem.answer_key,
                reference=problem.reference_solution,
                timeout=settings.CHECKER_TIMEOUT_S,
            )
            if found is not None:
                departure = replace(found, index=self.answer_steps[found.index][0])
        turns.turn_record_final_answer(
            turn=self.turn, answer=final.answer, result=final.result, departure=departure
        )

    def fail(self, error: str) -> None:
        self.cancel.close()
        self.checks.wait()
        tail = self.coalescer.flush()
        if tail:
            self._emit(tail)
        progress = self._progress(self.tokens, seq=self.seq + 1)
        turns.turn_fail(turn_id=self.turn.pk, error=error, progress=progress)
        events.flush()

    def _progress(self, tokens: int, seq: int | None = None) -> Progress:
        return Progress(
            text="".join(self.parts), seq=self.seq if seq is None else seq, tokens=tokens
        )

    def _save(self) -> None:
        with self.lock:  # the saved text and seq belong together
            self.last_save = time.monotonic()
            turns.turn_save_progress(
                turn_id=self.turn.pk,
                progress=self._progress(self.tokens),
                first_token=not self.saw_first_token,
            )
            self.saw_first_token = True

    def _emit(self, frame: str) -> None:
        with self.lock:
            offset = self.length
            self.parts.append(frame)
            self.length += len(frame)
            seq = self.seq + 1
            # Redis before the event: a client that resyncs after seeing this frame must get
            # at least this much text back.
            if not self.live_broken:
                try:
                    turn_state.append_text(self.turn.pk, frame, seq)
                except redis.RedisError:
                    # Redis restarted under us: its copy would now hold only a suffix, so stop
                    # using it and let the database carry the transcript, frame by frame.
                    log.warning("live text for turn %s lost; saving every frame", self.turn.pk)
                    self.live_broken = True
            if self.live_broken:
                self._save()
            self._publish({"type": "turn.delta", "offset": offset, "text": frame})
            if not self.saw_first_token:
                self._save()
        for step in self.splitter.feed(frame):
            # Judged on the checks' thread: decoding does not wait for the checker.
            self.checks.submit(step.index, step.text, step.in_thinking)

    def _step(self, index: int, text: str, in_thinking: bool) -> None:
        if not text.strip():
            return
        # The checker sees a window of earlier steps, not all of them: values stated
        # recently carry forward, and the cost per step stays flat in a 30k-token answer.
        result = check_step(
            text,
            previous=self.step_texts[-CONTEXT_STEPS:],
            source="model",
            index=self.step_count,
            timeout=settings.CHECKER_TIMEOUT_S,
        )
        self.step_texts.append(text)
        if not in_thinking:
            self.answer_steps.append((self.step_count, text))
        verdict = turns.turn_record_step(
            turn=self.turn, index=self.step_count, text=text, result=result, in_thinking=in_thinking
        )
        self.step_count += 1
        self._publish(
            {
                "type": "turn.step",
                "step": {
                    "index": verdict.index,
                    "text": text,
                    "verdict": verdict.verdict,
                    "detail": verdict.detail,
                    "rule": None,
                    "thinking": in_thinking,
                },
            }
        )

    def _publish(self, event: dict[str, Any]) -> None:
        with self.lock:
            self.seq += 1
            event.update(turn=self.turn.pk, seq=self.seq)
            events.publish_turn_event(self.session_id, event)


class BackgroundChecks:
    """Judges completed steps on one thread, in the order they completed.

    Decoding runs on the worker's own thread; a step check (a few ms, up to the checker's cap)
    done there would stall the model between two tokens. Each step is still judged before its
    verdict is published, and ``wait`` returns once every submitted step has been.
    """

    def __init__(self, judge: Callable[[int, str, bool], None]) -> None:
        self._judge = judge
        self._queue: queue.Queue[tuple[int, str, bool] | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def submit(self, index: int, text: str, in_thinking: bool) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="step-checks", daemon=True)
            self._thread.start()
        self._queue.put((index, text, in_thinking))

    def wait(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        try:
            while (item := self._queue.get()) is not None:
                try:
                    self._judge(*item)
                except Exception:  # one step's failure must not stop the others being judged
                    log.exception("checking step %s failed", item[0])
        finally:
            connection.close()  # this thread's own database connection
