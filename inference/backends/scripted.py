"""A deterministic backend for tests that need exact text, behind the real interface."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence

from .base import Delta, FinishReason, GenerationParams, Message, Stats, StopCheck, make_stats

# GPT-2-style pre-tokenisation: words with their leading space, single digits, punctuation runs
# and whitespace. Every character matches one branch, so the chunks concatenate to the script.
_CHUNK = re.compile(r" ?[A-Za-z]+| ?\d| ?[^\sA-Za-z\d]+|\s+(?!\S)|\s+")

Script = str | Callable[[Sequence[Message]], str]


def chunk_text(text: str) -> list[str]:
    """Split text into small token-like chunks that concatenate back to it."""
    return _CHUNK.findall(text)


def iter_chunks(text: str) -> Iterator[str]:
    """``chunk_text`` lazily: a 30,000-token script costs no list up front."""
    return (match.group() for match in _CHUNK.finditer(text))


class ScriptedBackend:
    """Yields a fixed script (or a function of the messages) in token-like chunks.

    It honours ``should_stop``, ``max_new_tokens`` and ``wall_clock_s`` per chunk, exactly as
    TransformersBackend does per decode step. ``tokens_per_s=None`` means no rate limit.
    """

    is_demo = True

    def __init__(
        self,
        script: Script = "Step 1: 2 + 2 = 4\nThe answer is \\boxed{4}.",
        *,
        tokens_per_s: float | None = None,
        ttft_s: float = 0.0,
        name: str = "scripted",
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if tokens_per_s is not None and tokens_per_s <= 0:
            raise ValueError("tokens_per_s must be > 0 or None")
        self.script = script
        self.tokens_per_s = tokens_per_s
        self.ttft_s = ttft_s
        self.name = name
        self._clock = clock
        self._sleep = sleep

    def stream(
        self,
        messages: Sequence[Message],
        params: GenerationParams,
        should_stop: StopCheck | None = None,
    ) -> Iterator[Delta | Stats]:
        """Yield the script chunk by chunk, then one Stats."""
        params.check()
        text = self.script if isinstance(self.script, str) else self.script(messages)
        started = self._clock()
        deadline = started + params.wall_clock_s
        first_at: float | None = None
        tokens = 0
        reason: FinishReason = "stop"
        for chunk in iter_chunks(text):
            if tokens >= params.max_new_tokens:
                reason = "length"
                break
            if should_stop is not None and should_stop():
                reason = "cancelled"
                break
            now = self._clock()
            due = max(self._due(started, tokens), now)
            if due >= deadline:
                reason = "timeout"
                break
            if due > now:
                self._sleep(due - now)
            tokens += 1
            first_at = self._clock() if first_at is None else first_at
            yield Delta(chunk)
        yield make_stats(
            tokens=tokens,
            started=started,
            first_token_at=first_at,
            ended=self._clock(),
            reason=reason,
        )

    def _due(self, started: float, index: int) -> float:
        """When chunk ``index`` (0-based) is released under the configured rate."""
        if self.tokens_per_s is None:
            return started + (self.ttft_s if index == 0 else 0.0)
        return started + self.ttft_s + index / self.tokens_per_s
