"""The backend protocol and the plain values that cross it (no torch, no Django)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": str}
FinishReason = Literal["stop", "length", "cancelled", "timeout", "error"]


@dataclass(frozen=True)
class GenerationParams:
    """Sampling and limits for one turn. Defaults follow the Phi-4-mini-reasoning model card."""

    max_new_tokens: int = 1024
    temperature: float = 0.8
    top_p: float = 0.95
    do_sample: bool = True
    wall_clock_s: float = 300.0
    seed: int | None = None

    @classmethod
    def validated(cls, **overrides: object) -> GenerationParams:
        """Build params from overrides, raising ValueError on unknown names or bad values."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(overrides) - names
        if unknown:
            raise ValueError(f"unknown generation parameter(s): {sorted(unknown)}")
        params = cls(**overrides)  # type: ignore[arg-type]
        params.check()
        return params

    def check(self) -> None:
        """Raise ValueError when a value is out of range."""
        if isinstance(self.max_new_tokens, bool) or not isinstance(self.max_new_tokens, int):
            raise ValueError("max_new_tokens must be an integer")
        # 32768 is the longest generation the model card runs.
        if not 1 <= self.max_new_tokens <= 32768:
            raise ValueError("max_new_tokens must be in 1..32768")
        if not _is_number(self.temperature) or not 0.0 <= self.temperature <= 2.0:
            raise ValueError("temperature must be in [0, 2]")
        if not _is_number(self.top_p) or not 0.0 < self.top_p <= 1.0:
            raise ValueError("top_p must be in (0, 1]")
        if not _is_number(self.wall_clock_s) or not self.wall_clock_s > 0:
            raise ValueError("wall_clock_s must be > 0")
        if not isinstance(self.do_sample, bool):
            raise ValueError("do_sample must be a bool")
        if self.seed is not None and (
            isinstance(self.seed, bool) or not isinstance(self.seed, int)
        ):
            raise ValueError("seed must be an integer or None")

    @property
    def greedy(self) -> bool:
        """Temperature 0 means greedy decoding, whatever do_sample says."""
        return not self.do_sample or self.temperature == 0.0


def _is_number(value: object) -> bool:
    # NaN fails every range comparison, so it is rejected by the checks above as well.
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class Delta:
    """A piece of decoded text, in order."""

    text: str


@dataclass(frozen=True)
class Stats:
    """The last item of every stream."""

    tokens: int
    ttft_s: float | None
    tokens_per_s: float
    elapsed_s: float
    finish_reason: FinishReason


StopCheck = Callable[[], bool]


class Backend(Protocol):
    """Something that turns a chat into a stream of text deltas followed by one Stats."""

    name: str
    is_demo: bool

    def stream(
        self,
        messages: Sequence[Message],
        params: GenerationParams,
        should_stop: StopCheck | None = None,
    ) -> Iterator[Delta | Stats]:
        """Yield Delta items as text is decoded, then exactly one Stats.

        ``should_stop`` is polled at every decode step; once it returns True the stream ends
        within one step with finish_reason "cancelled". ``params.wall_clock_s`` is enforced the
        same way ("timeout").
        """
        ...


def make_stats(
    *, tokens: int, started: float, first_token_at: float | None, ended: float, reason: FinishReason
) -> Stats:
    """Stats from monotonic timestamps. tokens_per_s counts decode time after the first token."""
    elapsed = max(ended - started, 0.0)
    ttft = None if first_token_at is None else first_token_at - started
    decode_time = ended - first_token_at if first_token_at is not None else 0.0
    rate = (tokens - 1) / decode_time if tokens > 1 and decode_time > 0 else 0.0
    return Stats(
        tokens=tokens, ttft_s=ttft, tokens_per_s=rate, elapsed_s=elapsed, finish_reason=reason
    )
