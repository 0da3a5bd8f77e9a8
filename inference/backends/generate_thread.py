"""Compiled decoding: ``model.generate`` on a second thread, its tokens handed to the reader.

With a static cache on CUDA, transformers compiles the forward pass inside generate()'s own loop,
so that path keeps generate() and streams its tokens through a bounded queue instead of using
the decode loop.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
import time
from collections.abc import Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any

from .base import FinishReason, GenerationParams, StopCheck, params_after_rewind

if TYPE_CHECKING:
    import torch

_END = object()  # sentinel: generation finished (normally or not)


class StopGuard:
    """Polled at every decode step: by the decode loop, or by generate() on its thread."""

    def __init__(self, should_stop: StopCheck | None, *, deadline: float) -> None:
        self._should_stop = should_stop
        self._deadline = deadline
        self.reason: FinishReason | None = None

    def check(self) -> bool:
        if self.reason is not None:
            return True
        if self._should_stop is not None and self._should_stop():
            self.reason = "cancelled"
        elif time.monotonic() >= self._deadline:
            self.reason = "timeout"
        return self.reason is not None


class GenerateThread:
    """Token ids from generate() running on a second thread; re-raises its error here.

    generate() owns its static cache and cannot be stepped back, so ``rewind`` stops the running
    generate() (and joins its thread) and starts another one whose input is the prompt plus the
    kept ids: every rewind costs a full prefill on this path.
    """

    def __init__(
        self,
        model: Any,
        input_ids: torch.Tensor,
        params: GenerationParams,
        guard: StopGuard,
        config_for: Callable[[GenerationParams], Any],
    ) -> None:
        self.model = model
        self.prompt = input_ids
        self.params = params
        self.guard = guard
        self.config_for = config_for
        self.generated: list[int] = []
        self.rewinds = 0
        self._run = self._start(input_ids, params)

    def __iter__(self) -> Iterator[int]:
        return self

    def __next__(self) -> int:
        token = next(self._run)
        self.generated.append(token)
        return token

    def close(self) -> None:
        self._run.close()

    def rewind(self, keep: int) -> None:
        import torch

        self._run.close()
        del self.generated[keep:]
        self.rewinds += 1
        params = params_after_rewind(self.params, self.rewinds)
        remaining = params.max_new_tokens - keep
        kept = torch.tensor([self.generated], dtype=self.prompt.dtype, device=self.prompt.device)
        sequence = torch.cat([self.prompt, kept], dim=1)
        self._run = (
            self._start(sequence, dataclasses.replace(params, max_new_tokens=remaining))
            if remaining > 0
            else _nothing()
        )

    def _start(
        self, input_ids: torch.Tensor, params: GenerationParams
    ) -> Generator[int, None, None]:
        import torch

        handoff = _TokenHandoff()
        run_stop = threading.Event()  # this run only: a rewind stops it, the next one goes on
        inputs = {"input_ids": input_ids, "attention_mask": torch.ones_like(input_ids)}
        worker = threading.Thread(
            target=self._generate,
            args=(inputs, params, run_stop, handoff),
            name="stepwise-generate",
            daemon=True,
        )
        worker.start()
        try:
            for item in handoff:
                if isinstance(item, BaseException):
                    raise item
                if self.guard.check():
                    return  # stopped (cancel, deadline): tokens decoded ahead are dropped
                yield item
        finally:
            run_stop.set()
            handoff.drain()
            worker.join()

    def _generate(
        self,
        inputs: dict[str, torch.Tensor],
        params: GenerationParams,
        run_stop: threading.Event,
        handoff: _TokenHandoff,
    ) -> None:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList

        guard = self.guard

        class _Criteria(StoppingCriteria):
            def __call__(
                self, input_ids: torch.LongTensor, scores: torch.FloatTensor, **kwargs: Any
            ) -> torch.BoolTensor:
                stop = run_stop.is_set() or guard.check()
                return torch.full(
                    (input_ids.shape[0],), stop, dtype=torch.bool, device=input_ids.device
                )  # type: ignore[return-value]

        try:
            if params.seed is not None:
                # generate() samples from torch's global RNG; a worker runs one stream at a time.
                torch.manual_seed(params.seed)
            with torch.inference_mode():
                self.model.generate(
                    **inputs,
                    generation_config=self.config_for(params),
                    stopping_criteria=StoppingCriteriaList([_Criteria()]),
                    streamer=handoff,
                )
        except BaseException as exc:  # logged by the reader, which re-raises it
            handoff.fail(exc)
        finally:
            handoff.end()


def _nothing() -> Generator[int, None, None]:
    yield from ()


class _TokenHandoff:
    """A streamer for generate() that hands token ids to the consumer through a bounded queue.

    The model may run up to RUN_AHEAD tokens ahead of the reader, and blocks when it is that far
    ahead, so a slow reader applies back-pressure instead of building an unbounded backlog.
    Lock-step hand-over (the model waiting for every token to be taken) cost two thread switches
    a token, 0.8 ms per token on these machines. Cancellation does not depend on it: the stop
    check runs at every decode step on the generation thread, and the reader checks it before
    taking each token, so no token is yielded after a stop is seen.
    """

    RUN_AHEAD = 64

    def __init__(self) -> None:
        self._queue: queue.Queue[object] = queue.Queue(maxsize=self.RUN_AHEAD)
        self._prompt_seen = False
        self._ended = False

    # BaseStreamer interface (duck-typed: generate() only calls put and end).
    def put(self, value: torch.Tensor) -> None:
        if not self._prompt_seen:  # the first put is the prompt
            self._prompt_seen = True
            return
        for token_id in value.reshape(-1).tolist():
            self._queue.put(int(token_id))

    def end(self) -> None:
        if not self._ended:
            self._ended = True
            self._queue.put(_END)

    def fail(self, exc: BaseException) -> None:
        self._queue.put(exc)

    def __iter__(self) -> Iterator[int | BaseException]:
        while True:
            item = self._queue.get()
            self._queue.task_done()
            if item is _END:
                return
            yield item  # type: ignore[misc]

    def drain(self) -> None:
        """Consume until the end sentinel so a producer blocked in ``put`` can finish."""
        if self._queue.unfinished_tasks == 0 and self._ended and self._queue.empty():
            return
        for _ in self:
            pass
