"""One turn's stream, from model deltas to saved transcript and published events.

The path of a token: the backend yields it, ``TurnStream.run`` pushes it into the coalescer,
``_emit`` appends the frame to Redis and hands it to ``tutor.events``, and the consumer sends
it to the page. Deltas are coalesced (at most about 20 frames a second) and numbered; each
frame carries its character offset so a client can drop duplicates and spot gaps. Completed
steps are judged before their verdict is published. The transcript goes to Redis with every
frame and to the database every SAVE_EVERY_S, so a crash loses at most that much.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from typing import Any

import redis
from django.conf import settings

from inference.backends import Backend, Delta, GenerationParams, Message, Stats
from inference.prompts import build_messages
from inference.streaming import Coalescer, StepSplitter
from tutor import events, turn_state
from tutor.checker import check_final_answer, check_step, locate_departure
from tutor.models import Turn
from tutor.selectors import TurnInputs
from tutor.services import turns
from tutor.services.turns import Progress
from tutor.worker.step_checks import BackgroundChecks

log = logging.getLogger(__name__)

SAVE_EVERY_S = 2.0
CONTEXT_STEPS = 20


class TurnStream:
    """One running turn. ``run`` is called on the worker's thread; verdicts come from the
    checks' thread, and both publish under ``lock`` so event numbers stay in order."""

    def __init__(self, *, turn: Turn, inputs: TurnInputs) -> None:
        self.turn = turn
        self.inputs = inputs
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
        self._publish(
            {"type": "turn.status", "status": Turn.Status.RUNNING, "is_demo": turn.is_demo}
        )

    def messages(self) -> list[Message]:
        inputs = self.inputs
        return build_messages(
            mode=inputs.mode,  # type: ignore[arg-type]
            problem=inputs.problem,
            attempt_steps=inputs.attempt_steps,
            history=inputs.history,
            question=inputs.question,
        )

    def run(self, model: Backend, params: GenerationParams) -> Stats:
        """Stream the model's answer into this turn; the Stats the backend ends with."""
        stats: Stats | None = None
        for item in model.stream(self.messages(), params, should_stop=self.should_stop):
            if isinstance(item, Delta):
                self.push(item.text, time.monotonic())
            elif isinstance(item, Stats):
                stats = item
        if stats is None:
            raise RuntimeError("backend ended without stats")
        return stats

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
        inputs = self.inputs
        steps = [text for _, text in self.answer_steps]
        final = check_final_answer(
            steps,
            inputs.answer_key,
            problem=inputs.problem,
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
                problem=inputs.problem,
                answer_key=inputs.answer_key,
                reference=inputs.reference,
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
