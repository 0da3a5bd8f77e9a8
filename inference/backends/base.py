"""The backend protocol and the plain values that cross it (no torch, no Django)."""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
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

    # Every token decoded, those a rewind dropped included: it measures what the turn cost.
    tokens: int
    ttft_s: float | None
    tokens_per_s: float
    elapsed_s: float
    finish_reason: FinishReason
    rewinds: int = 0


StopCheck = Callable[[], bool]

# Sampling for the text generated after a rewind when the turn asked for greedy decoding: the
# model card's values, so a rewritten step can differ from the one that was rejected.
RETRY_TEMPERATURE = 0.8
RETRY_TOP_P = 0.95


def params_after_rewind(params: GenerationParams, rewinds: int) -> GenerationParams:
    """The sampling used after the ``rewinds``-th rewind of a generation (``rewinds`` >= 1),
    for the rest of that generation, not only the step written again.

    Greedy decoding would write the rejected step again, so greedy params sample at temperature
    0.8 / top_p 0.95 instead. A seed becomes a new seed per rewind, derived from the turn's
    own, so a run with the same seed and the same rewinds writes the same text.
    """
    if rewinds < 1:
        return params
    changes: dict[str, object] = {}
    if params.greedy:
        changes.update(do_sample=True, temperature=RETRY_TEMPERATURE, top_p=RETRY_TOP_P)
    if params.seed is not None:
        # Kept in 0..2**31-1: some OpenAI-compatible servers read the seed as a 32-bit int.
        changes["seed"] = (params.seed + rewinds * 1_000_003) % 2**31
    return dataclasses.replace(params, **changes)  # type: ignore[arg-type]


class Generation(Protocol):
    """One answer being generated. Iterate it for Delta items, then exactly one Stats."""

    def __iter__(self) -> Iterator[Delta | Stats]: ...

    def rewind(self, chars: int) -> bool:
        """Drop this generation's output after its first ``chars`` characters and generate
        again from there (the next items continue from that point, sampled afresh so a
        rewritten step can differ). Called between items, on the consuming thread, after at
        least ``chars`` characters were yielded. Returns False, changing nothing, when the
        backend cannot go back to exactly that point (e.g. ``chars`` falls inside a token).

        Also False before the first item and once the Stats was yielded: to write a finished
        answer's last line again, start a new stream with ``prefix``. After a rewind greedy
        params sample at temperature 0.8 / top_p 0.95 and a seed becomes a new seed per
        rewind (``params_after_rewind``).
        """
        ...

    def close(self) -> None:
        """Stop generating now (a generation thread is stopped and joined; an HTTP stream is
        closed, so the server aborts). Iterating afterwards yields nothing."""
        ...


class Backend(Protocol):
    """Something that turns a chat into a stream of text deltas followed by one Stats."""

    name: str
    is_demo: bool
    can_rewind: bool  # False: rewind always returns False (the worker then only flags)

    def stream(
        self,
        messages: Sequence[Message],
        params: GenerationParams,
        should_stop: StopCheck | None = None,
        *,
        prefix: str = "",
    ) -> Generation:
        """A Generation: Delta items as text is decoded, then exactly one Stats.

        ``should_stop`` is polled at every decode step; once it returns True the stream ends
        within one step with finish_reason "cancelled". ``params.wall_clock_s`` is enforced the
        same way ("timeout"). ``prefix`` is text the assistant already wrote for this turn (an
        answer cut off by ``max_new_tokens``): generation continues it, and neither the Delta
        texts, nor ``rewind``'s ``chars``, nor ``max_new_tokens`` count it.
        """
        ...


class BaseGeneration(ABC):
    """A Generation around a generator (``_run``) that the backend's rewind steers.

    ``rewind`` runs while ``_run`` is suspended at a ``yield``; ``_run`` reads the state that
    ``_rewind`` changed when it resumes, so every piece of decoding state lives on ``self``.
    """

    def __init__(self) -> None:
        self._items: Generator[Delta | Stats, None, None] = self._run()
        self._emitted = 0  # characters of output the consumer holds now
        self._started = False
        self._done = False
        self.rewinds = 0

    def __iter__(self) -> BaseGeneration:
        return self

    def __next__(self) -> Delta | Stats:
        try:
            item = next(self._items)
        except StopIteration:
            self._done = True
            raise
        self._started = True
        if isinstance(item, Delta):
            self._emitted += len(item.text)
        else:
            self._done = True
        return item

    def __enter__(self) -> BaseGeneration:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._done = True
        # GeneratorExit at the suspended yield: _run's finally stops and joins what it started.
        self._items.close()

    def rewind(self, chars: int) -> bool:
        if isinstance(chars, bool) or not isinstance(chars, int):
            raise TypeError("chars must be an int")
        if self._done or not self._started or not 0 <= chars <= self._emitted:
            return False
        if not self._rewind(chars):
            return False
        self._emitted = chars
        self.rewinds += 1
        return True

    @abstractmethod
    def _run(self) -> Generator[Delta | Stats, None, None]:
        """Yield the Delta items, then one Stats."""

    @abstractmethod
    def _rewind(self, chars: int) -> bool:
        """Go back to ``chars`` (0 <= chars <= characters yielded), or return False."""


def make_stats(
    *,
    tokens: int,
    started: float,
    first_token_at: float | None,
    ended: float,
    reason: FinishReason,
    rewinds: int = 0,
) -> Stats:
    """Stats from monotonic timestamps. tokens_per_s counts decode time after the first token."""
    elapsed = max(ended - started, 0.0)
    ttft = None if first_token_at is None else first_token_at - started
    decode_time = ended - first_token_at if first_token_at is not None else 0.0
    rate = (tokens - 1) / decode_time if tokens > 1 and decode_time > 0 else 0.0
    return Stats(
        tokens=tokens,
        ttft_s=ttft,
        tokens_per_s=rate,
        elapsed_s=elapsed,
        finish_reason=reason,
        rewinds=rewinds,
    )
