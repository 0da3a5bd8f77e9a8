"""Local generation with transformers: ``from_pretrained``, then a decode loop that streams.

Compiled decoding (static cache, CUDA) runs ``generate`` on a second thread instead.
"""

from __future__ import annotations

import copy
import logging
import queue
import threading
import time
from collections.abc import Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .base import Delta, FinishReason, GenerationParams, Message, Stats, StopCheck, make_stats
from .decode_loop import decode_tokens
from .hardware import DeviceKind, pick_attn_implementation, pick_device, pick_dtype

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

_END = object()  # sentinel: generation finished (normally or not)


class TransformersBackend:
    """Phi-3-family causal LM loaded with ``from_pretrained`` (hub id or local directory).

    One ``stream`` at a time per instance: a Celery worker runs with ``--pool=solo`` and owns one
    model, so concurrency comes from more workers, not from threads sharing this object.
    """

    def __init__(
        self,
        path_or_id: str,
        *,
        is_demo: bool = False,
        compile: bool = False,
        device: DeviceKind | None = None,
    ) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.name = path_or_id
        self.is_demo = is_demo
        self.device: DeviceKind = device or pick_device()
        self.dtype: torch.dtype = pick_dtype(self.device)
        self.attn_implementation = pick_attn_implementation(self.device)
        # A static cache lets generate() auto-compile the forward pass, which only pays off on
        # CUDA (transformers skips auto-compile on CPU).
        self.compile = compile and self.device == "cuda"
        self.tokenizer = AutoTokenizer.from_pretrained(path_or_id)
        model: Any = AutoModelForCausalLM.from_pretrained(
            path_or_id, dtype=self.dtype, attn_implementation=self.attn_implementation
        )
        self.model = model.to(self.device).eval()

    def encode(self, messages: Sequence[Message]) -> dict[str, torch.Tensor]:
        """The prompt in the model's chat format, as tensors on the model's device."""
        # transformers 5: apply_chat_template returns a BatchEncoding only with return_dict=True.
        encoded: Any = self.tokenizer.apply_chat_template(
            list(messages), add_generation_prompt=True, return_dict=True, return_tensors="pt"
        )
        return {
            "input_ids": encoded["input_ids"].to(self.device),
            "attention_mask": encoded["attention_mask"].to(self.device),
        }

    def stream(
        self,
        messages: Sequence[Message],
        params: GenerationParams,
        should_stop: StopCheck | None = None,
    ) -> Iterator[Delta | Stats]:
        """Yield decoded text deltas, then one Stats (see ``Backend.stream``)."""
        params.check()
        started = time.monotonic()
        inputs = self.encode(messages)
        guard = _StopGuard(should_stop, deadline=started + params.wall_clock_s)
        eos_ids = self._eos_ids()
        # Compiled decoding lives inside generate()'s loop, so that path keeps generate() on a
        # thread; otherwise one loop on this thread both decodes and yields.
        source = (
            self._generate_on_thread(inputs, params, guard)
            if self.compile
            else decode_tokens(
                self.model, inputs["input_ids"], params, eos_ids=eos_ids, stop=guard.check
            )
        )
        decode = _IncrementalDecoder(self.tokenizer)
        tokens, first_at, last_id, failed = 0, None, None, False
        try:
            for token_id in source:
                tokens += 1
                last_id = token_id
                first_at = first_at or time.monotonic()
                text = decode.step(token_id)
                if text:
                    yield Delta(text)
        except Exception:  # reported to the consumer as finish_reason "error"
            log.exception("generation failed for %s", self.name)
            failed = True
        finally:
            # Also on generator close (GeneratorExit): a generation thread stops at its next
            # step and is joined, so none outlives the stream.
            source.close()
        tail = decode.flush()
        if tail:
            yield Delta(tail)
        reason = self._finish_reason(guard, failed, tokens, params, last_id, eos_ids)
        yield make_stats(
            tokens=tokens,
            started=started,
            first_token_at=first_at,
            ended=time.monotonic(),
            reason=reason,
        )

    def _eos_ids(self) -> frozenset[int]:
        eos = self.model.generation_config.eos_token_id
        return frozenset(eos if isinstance(eos, list) else [] if eos is None else [eos])

    def _generate_on_thread(
        self, inputs: dict[str, torch.Tensor], params: GenerationParams, guard: _StopGuard
    ) -> Generator[int, None, None]:
        """Token ids from generate() running on a second thread; re-raises its error here."""
        handoff = _TokenHandoff()
        worker = threading.Thread(
            target=self._generate,
            args=(inputs, params, guard, handoff),
            name="stepwise-generate",
            daemon=True,
        )
        worker.start()
        try:
            for item in handoff:
                if isinstance(item, BaseException):
                    raise item
                if guard.check():
                    return  # stopped (cancel, deadline): tokens decoded ahead are dropped
                yield item
        finally:
            guard.abort()
            handoff.drain()
            worker.join()

    def _generate(
        self,
        inputs: dict[str, torch.Tensor],
        params: GenerationParams,
        guard: _StopGuard,
        handoff: _TokenHandoff,
    ) -> None:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList

        class _Criteria(StoppingCriteria):
            def __call__(
                self, input_ids: torch.LongTensor, scores: torch.FloatTensor, **kwargs: Any
            ) -> torch.BoolTensor:
                stop = guard.check()
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
                    generation_config=self._generation_config(params),
                    stopping_criteria=StoppingCriteriaList([_Criteria()]),
                    streamer=handoff,
                )
        except BaseException as exc:  # logged by the reader, which re-raises it
            handoff.fail(exc)
        finally:
            handoff.end()

    def _generation_config(self, params: GenerationParams) -> Any:
        config = copy.deepcopy(self.model.generation_config)
        config.max_new_tokens = params.max_new_tokens
        if config.pad_token_id is None:
            config.pad_token_id = self.tokenizer.pad_token_id or self.tokenizer.eos_token_id
        if params.greedy:
            config.do_sample = False
            config.temperature, config.top_p, config.top_k = None, None, None
        else:
            config.do_sample = True
            config.temperature, config.top_p, config.top_k = params.temperature, params.top_p, None
        if self.compile:
            config.cache_implementation = "static"
        return config

    def _finish_reason(
        self,
        guard: _StopGuard,
        failed: bool,
        tokens: int,
        params: GenerationParams,
        last_id: int | None,
        eos_ids: frozenset[int],
    ) -> FinishReason:
        if failed:
            return "error"
        if guard.reason is not None:
            return guard.reason
        if tokens >= params.max_new_tokens and last_id not in eos_ids:
            return "length"
        return "stop"


class _StopGuard:
    """Polled at every decode step: by the decode loop, or by generate() on its thread."""

    def __init__(self, should_stop: StopCheck | None, *, deadline: float) -> None:
        self._should_stop = should_stop
        self._deadline = deadline
        self._aborted = threading.Event()
        self.reason: FinishReason | None = None

    def abort(self) -> None:
        """Stop at the next step without a finish reason of its own (consumer went away)."""
        self._aborted.set()

    def check(self) -> bool:
        if self.reason is not None or self._aborted.is_set():
            return True
        if self._should_stop is not None and self._should_stop():
            self.reason = "cancelled"
        elif time.monotonic() >= self._deadline:
            self.reason = "timeout"
        return self.reason is not None


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


class _IncrementalDecoder:
    """Token ids to text deltas, O(1) per token.

    Uses the tokenizers library's DecodeStream, which holds back bytes until they form whole
    UTF-8 characters. Tokenizers without a Rust backend fall back to re-decoding the tail.
    """

    def __init__(self, tokenizer: Any) -> None:
        self._tokenizer = tokenizer
        backend = getattr(tokenizer, "backend_tokenizer", None)
        self._backend = backend
        self._stream: Any = None
        if backend is not None:
            from tokenizers.decoders import DecodeStream

            self._stream = DecodeStream(skip_special_tokens=True)
        self._ids: list[int] = []
        self._emitted = 0

    def step(self, token_id: int) -> str:
        if self._stream is not None:
            return self._stream.step(self._backend, token_id) or ""
        self._ids.append(token_id)
        return self._fallback(final=False)

    def flush(self) -> str:
        return "" if self._stream is not None else self._fallback(final=True)

    def _fallback(self, *, final: bool) -> str:
        text: str = self._tokenizer.decode(self._ids, skip_special_tokens=True)
        if not final and text.endswith("\ufffd"):
            return ""  # an incomplete multi-byte character; wait for the next token
        delta, self._emitted = text[self._emitted :], len(text)
        return delta
