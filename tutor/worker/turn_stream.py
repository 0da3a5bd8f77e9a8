"""One turn's stream: every step the model writes is checked before the student sees it.

The path of a token: the backend yields it, ``TurnStream.run`` hands it to the step splitter,
and a completed step is judged, saved and handed to ``tutor.events``, which the consumer
sends to the page. While a step is still being written the page hears only how far it has
got (``turn.progress``, at most about ten a second): no unchecked text ever reaches it.

Thinking steps are judged on a thread beside decoding, in order. A step of the answer is
judged on the decoding thread itself, because a step proven wrong is taken back: the
generation rewinds to the step's start and writes it again, up to ``retries`` times, and
the rejected drafts are kept on the saved step for the reviewer. An answer step holding the
final ``\\boxed{}`` answer is held back until that answer has been compared with the key.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

import redis
from django.conf import settings

from inference.backends import Backend, Delta, Generation, GenerationParams, Message, Stats
from inference.prompts import build_messages
from inference.streaming import Coalescer, Step, StepSplitter
from tutor import events, turn_state
from tutor.checker import (
    AnswerResult,
    Departure,
    StepResult,
    check_final_answer,
    check_step,
    locate_departure,
)
from tutor.models import StepVerdict, Turn
from tutor.selectors import TurnInputs
from tutor.services import turn_runs
from tutor.services.turn_runs import Progress, TurnTaken
from tutor.worker.step_checks import BackgroundChecks

log = logging.getLogger(__name__)

SAVE_EVERY_S = 2.0
CONTEXT_STEPS = 20
BOXED = "\\boxed"


@dataclass(frozen=True)
class FinalCheck:
    answer: str
    result: AnswerResult
    departure: Departure | None


def _final_verdict(result: AnswerResult | None) -> str:
    if result is None or result.equivalent is None:
        return Turn.Final.UNDECIDED
    return Turn.Final.AGREES if result.equivalent else Turn.Final.DISAGREES


@dataclass
class Judged:
    """A completed step with its verdict, ready to be saved and shown."""

    index: int
    text: str
    thinking: bool
    result: StepResult
    drafts: list[dict[str, str]] = field(default_factory=list)


class TurnStream:
    """One running turn. ``run`` is called on the worker's thread; thinking verdicts come from
    the checks' thread, and both publish under ``lock`` so event numbers stay in order."""

    def __init__(self, *, turn: Turn, inputs: TurnInputs, retries: int = 2) -> None:
        self.turn = turn
        self.attempt = turn.attempts  # this run's fencing token (see turn_runs)
        self.lost = threading.Event()  # set once the turn is no longer this run's
        self.inputs = inputs
        self.session_id = turn.session_id
        self.seq = turn.last_seq
        self.retries = retries
        # A continued answer carries on from its saved text and numbering.
        self.prefix = turn.text
        self.step_count = inputs.step_count
        self.output: list[str] = []  # this run's text, after the prefix
        self.length = 0
        self.tokens = 0
        self.coalescer = Coalescer(settings.TUTOR_FRAME_INTERVAL_S)
        self.splitter = StepSplitter()
        if self.prefix:
            # Its steps are saved already (the cut-off line too, when the answer ended): the
            # splitter only needs the think state and offsets at the end of the prefix.
            self.splitter.feed(self.prefix)
            self.splitter.finish()
        self.line_start = len(self.prefix)  # where the step being written begins
        self.last_save = time.monotonic()
        self.saw_first_token = False
        self.cancel = turn_state.CancelWatch(turn.pk)
        self.step_texts: list[str] = []
        self.answer_steps: list[tuple[int, str]] = []  # (index, text) outside <think>
        self.drafts: list[dict[str, str]] = []  # rejected drafts of the step being written
        self.held: list[Judged] = []  # answer steps waiting for the final answer's check
        self.rewrites = 0
        # When each step's last token arrived (epoch ms): the page can time its verdict.
        self.completed_at: dict[int, int] = {}
        self.seq_broken = False
        self.lock = threading.RLock()
        self.checks = BackgroundChecks(self._judge_thinking)
        self._publish(
            {"type": "turn.status", "status": Turn.Status.RUNNING, "is_demo": turn.is_demo}
        )

    def messages(self, model: Backend) -> list[Message]:
        inputs = self.inputs
        count = getattr(model, "count_tokens", None)
        return build_messages(
            mode=inputs.mode,  # type: ignore[arg-type]
            problem=inputs.problem,
            attempt_steps=inputs.attempt_steps,
            history=inputs.history,
            question=inputs.question,
            hint_rung=inputs.hint_rung or 1,
            max_prompt_tokens=settings.TUTOR_CONTEXT_TOKENS - settings.TUTOR_MAX_NEW_TOKENS,
            count_tokens=count,
        )

    def run(self, model: Backend, params: GenerationParams) -> Stats:
        """Stream the model's answer into this turn; the Stats the backend ends with."""
        generation = model.stream(
            self.messages(model), params, should_stop=self.should_stop, prefix=self.prefix
        )
        can_rewind = model.can_rewind and self.retries > 0
        stats: Stats | None = None
        for item in generation:
            if isinstance(item, Delta):
                self.push(item.text, time.monotonic(), generation if can_rewind else None)
            elif isinstance(item, Stats):
                stats = item
        if stats is None:
            raise RuntimeError("backend ended without stats")
        return stats

    def should_stop(self) -> bool:
        return self.cancel.is_set() or self.lost.is_set()

    def lose(self) -> None:
        """The turn was taken from this run (failed as dead, then retried): stop, say nothing."""
        if not self.lost.is_set():
            log.warning("turn %s run %s lost its turn; stopping", self.turn.pk, self.attempt)
        self.lost.set()

    def push(self, text: str, now: float, generation: Generation | None = None) -> None:
        self.tokens += 1
        self.output.append(text)
        self.length += len(text)
        for step in self.splitter.feed(text):
            if self._completed(step, generation) == "rewound":
                break  # the rest of this delta was after the rejected step's start
        if self.coalescer.push(text, now) is not None:
            self._publish_progress()
        if now - self.last_save >= SAVE_EVERY_S or not self.saw_first_token:
            self._save()

    def _completed(self, step: Step, generation: Generation | None) -> str:
        self.line_start = step.end
        if not step.text.strip():
            return "skipped"
        self.completed_at[self.step_count] = int(time.time() * 1000)
        if step.in_thinking:
            # Judged beside decoding: a reasoning model's slips there are marked, not retried.
            self.checks.submit(self.step_count, step.text, True)
            self.step_count += 1
            return "queued"
        self.checks.wait()  # the thinking before this step is on screen first
        result = self._judge(step.text)
        retry = result.verdict == StepVerdict.Verdict.WRONG and len(self.drafts) < self.retries
        if retry and generation is not None and self._rewind(step, result, generation):
            return "rewound"
        judged = Judged(self.step_count, step.text, False, result, self.drafts)
        self.drafts = []
        self.step_count += 1
        self.step_texts.append(step.text)
        self.answer_steps.append((judged.index, step.text))
        if self.held or (self._checks_final_answer and BOXED in step.text):
            self.held.append(judged)  # shown once the final answer has met the key
        else:
            self._record(judged)
        return "shown"

    def _rewind(self, step: Step, result: StepResult, generation: Generation) -> bool:
        """Take the answer back to the start of a step proven wrong, to write it again."""
        offset = step.start - len(self.prefix)
        if offset < 0 or not generation.rewind(offset):
            return False
        self.drafts.append(
            {"text": step.text[:2000], "detail": result.detail[:500], "rule": result.rule or ""}
        )
        self.rewrites += 1
        kept = "".join(self.output)[:offset]
        self.output, self.length = [kept], len(kept)
        self.splitter.rewind(step.start, step.index)
        self.line_start = step.start
        self._publish(
            {
                "type": "turn.rewrite",
                "index": self.step_count,
                "attempt": len(self.drafts) + 1,
                "of": self.retries + 1,
            }
        )
        return True

    @property
    def _checks_final_answer(self) -> bool:
        return self.turn.mode in (Turn.Mode.SOLVE, Turn.Mode.CHECK)

    def _judge(self, text: str) -> StepResult:
        # The checker sees a window of earlier steps, not all of them: values stated
        # recently carry forward, and the cost per step stays flat in a 30k-token answer.
        return check_step(
            text,
            previous=self.step_texts[-CONTEXT_STEPS:],
            source="model",
            index=self.step_count,
            timeout=settings.CHECKER_TIMEOUT_S,
        )

    def _judge_thinking(self, index: int, text: str, in_thinking: bool) -> None:
        result = self._judge(text)
        self.step_texts.append(text)
        self._record(Judged(index, text, True, result))

    def _record(self, judged: Judged, final: str = "") -> None:
        if self.lost.is_set():
            return
        try:
            verdict = self._save_step(judged)
        except TurnTaken:
            self.lose()
            return
        self._publish_step(judged, verdict, final)

    def _save_step(self, judged: Judged) -> StepVerdict:
        return turn_runs.turn_record_step(
            turn=self.turn,
            attempt=self.attempt,
            index=judged.index,
            text=judged.text,
            result=judged.result,
            in_thinking=judged.thinking,
            drafts=judged.drafts,
        )

    def _publish_step(self, judged: Judged, verdict: StepVerdict, final: str) -> None:
        self._publish(
            {
                "type": "turn.step",
                "step": {
                    "index": verdict.index,
                    "text": judged.text,
                    "verdict": verdict.verdict,
                    "detail": verdict.detail,
                    "rule": verdict.rule or None,
                    "thinking": judged.thinking,
                    "rewritten": len(judged.drafts),
                    "final": final or None,
                    "completed_at": self.completed_at.pop(judged.index, None),
                },
            }
        )

    def finish(self, stats: Stats) -> None:
        self.cancel.close()
        for step in self.splitter.finish():
            self._completed(step, None)  # the stream has ended: no rewinding now
        self.checks.wait()
        final = None
        if self._checks_final_answer and stats.finish_reason == "stop":
            final = self._check_final_answer()
        verdict = _final_verdict(final.result) if final else ""
        # Held steps first: the final answer's flag may point at one of them.
        for judged in self.held:
            self._record(judged, final=verdict)
        self.held = []
        if final is not None:
            self._record_final(final)
        # The saved seq is the done event's own: a snapshot read afterwards is never "older"
        # than the last event a client saw.
        progress = self._progress(self.turn.token_count + stats.tokens, seq=self.seq + 1)
        turn = turn_runs.turn_finish(
            turn_id=self.turn.pk,
            attempt=self.attempt,
            progress=progress,
            finish_reason=stats.finish_reason,
            rewrites=self.rewrites,
        )
        if turn is not None:
            self._publish(
                {
                    "type": "turn.done",
                    "status": turn.status,
                    "steps": self.step_count,
                    "error": turn.error,
                    "finish_reason": stats.finish_reason,
                    "tokens": turn.token_count,
                    "tokens_per_s": round(stats.tokens_per_s, 1),
                    "ttft_s": stats.ttft_s,
                }
            )
        events.flush()

    def _record_final(self, final: FinalCheck) -> None:
        """Save the final answer's verdict (a disagreeing one goes to review), then show it."""
        try:
            turn_runs.turn_record_final_answer(
                turn=self.turn,
                attempt=self.attempt,
                answer=final.answer,
                result=final.result,
                departure=final.departure,
            )
        except TurnTaken:
            self.lose()
            return
        self._publish(
            {
                "type": "turn.final",
                "answer": final.answer,
                "verdict": _final_verdict(final.result),
                "detail": final.result.detail,
            }
        )

    def _check_final_answer(self) -> FinalCheck | None:
        # Read as the checker's evaluation reads it: the last \boxed{}, else the math the
        # last answer step ends on, then its numbers; any reading matching the key is enough.
        inputs = self.inputs
        steps = [text for _, text in self.answer_steps]
        final = check_final_answer(
            steps, inputs.answer_key, problem=inputs.problem, timeout=settings.CHECKER_TIMEOUT_S
        )
        if final is None:
            return None
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
        return FinalCheck(final.answer, final.result, departure)

    def fail(self, error: str) -> None:
        self.cancel.close()
        self.checks.wait()
        progress = self._progress(self.tokens, seq=self.seq + 1)
        turn_runs.turn_fail(
            turn_id=self.turn.pk, error=error, attempt=self.attempt, progress=progress
        )
        events.flush()

    def _progress(self, tokens: int, seq: int | None = None) -> Progress:
        return Progress(
            text=self.prefix + "".join(self.output),
            seq=self.seq if seq is None else seq,
            tokens=tokens,
        )

    def _publish_progress(self) -> None:
        self._publish(
            {
                "type": "turn.progress",
                "index": self.step_count,
                "chars": len(self.prefix) + self.length - self.line_start,
                "thinking": self.splitter.in_thinking,
                "tokens": self.turn.token_count + self.tokens,
            }
        )

    def _save(self) -> None:
        with self.lock:  # the saved seq belongs with what was published before it
            self.last_save = time.monotonic()
            turn_runs.turn_save_progress(
                turn_id=self.turn.pk,
                attempt=self.attempt,
                seq=self.seq,
                tokens=self.turn.token_count + self.tokens,
                first_token=not self.saw_first_token,
            )
            self.saw_first_token = True

    def _publish(self, event: dict[str, Any]) -> None:
        if self.lost.is_set():
            return  # a stale run's events would contradict the run that now owns the turn
        with self.lock:
            self.seq += 1
            event.update(turn=self.turn.pk, seq=self.seq)
            if not self.seq_broken:
                try:
                    turn_state.record_seq(self.turn.pk, self.seq)
                except redis.RedisError:
                    # Redis restarted under us: the database's counters carry on alone.
                    log.warning("live seq for turn %s lost", self.turn.pk)
                    self.seq_broken = True
            events.publish_turn_event(self.session_id, event)
