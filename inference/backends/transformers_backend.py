"""Local generation with transformers: ``from_pretrained``, then a decode loop that streams.

Compiled decoding (static cache, CUDA) runs ``generate`` on a second thread instead
(``generate_thread.py``).
"""

from __future__ import annotations

import bisect
import copy
import logging
import time
from collections.abc import Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from .base import (
    BaseGeneration,
    Delta,
    FinishReason,
    Generation,
    GenerationParams,
    Message,
    Stats,
    StopCheck,
    make_stats,
)
from .decode_loop import DecodeLoop
from .generate_thread import GenerateThread, StopGuard
from .hardware import DeviceKind, pick_attn_implementation, pick_device, pick_dtype

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)


class TransformersBackend:
    """Phi-3-family causal LM loaded with ``from_pretrained`` (hub id or local directory).

    One ``stream`` at a time per instance: a Celery worker runs with ``--pool=solo`` and owns one
    model, so concurrency comes from more workers, not from threads sharing this object.
    """

    can_rewind = True

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

    def encode(self, messages: Sequence[Message], prefix: str = "") -> dict[str, torch.Tensor]:
        """The prompt in the model's chat format, then ``prefix``'s ids, as tensors on the
        model's device."""
        import torch

        # transformers 5: apply_chat_template returns a BatchEncoding only with return_dict=True.
        encoded: Any = self.tokenizer.apply_chat_template(
            list(messages), add_generation_prompt=True, return_dict=True, return_tensors="pt"
        )
        input_ids = encoded["input_ids"]
        if prefix:
            tail = torch.tensor([self.prefix_ids(prefix)], dtype=input_ids.dtype)
            input_ids = torch.cat([input_ids, tail], dim=1)
        return {
            "input_ids": input_ids.to(self.device),
            "attention_mask": torch.ones_like(input_ids).to(self.device),
        }

    def prefix_ids(self, prefix: str) -> list[int]:
        """The ids of text the assistant already wrote, as they follow the generation prompt."""
        return list(self.tokenizer(prefix, add_special_tokens=False)["input_ids"])

    def count_tokens(self, text: str) -> int:
        """How many tokens ``text`` is (for ``build_messages(count_tokens=...)``)."""
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def stream(
        self,
        messages: Sequence[Message],
        params: GenerationParams,
        should_stop: StopCheck | None = None,
        *,
        prefix: str = "",
    ) -> Generation:
        """Decoded text deltas, then one Stats (see ``Backend.stream``).

        ``rewind`` goes back to the end of any token whose decoded text ends exactly at the
        requested character (False inside a token, or inside a character still being decoded).
        """
        params.check()
        return _LocalGeneration(self, messages, params, should_stop, prefix)

    def eos_ids(self) -> frozenset[int]:
        eos = self.model.generation_config.eos_token_id
        return frozenset(eos if isinstance(eos, list) else [] if eos is None else [eos])

    def generation_config(self, params: GenerationParams) -> Any:
        """The generation config for generate() on the compiled path."""
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


class _TokenSource(Protocol):
    generated: list[int]

    def __iter__(self) -> Iterator[int]: ...

    def rewind(self, keep: int) -> None: ...

    def close(self) -> None: ...


class _LocalGeneration(BaseGeneration):
    """One answer from the model in this process."""

    def __init__(
        self,
        backend: TransformersBackend,
        messages: Sequence[Message],
        params: GenerationParams,
        should_stop: StopCheck | None,
        prefix: str,
    ) -> None:
        self._backend = backend
        self._params = params
        self._started_at = time.monotonic()
        self._guard = StopGuard(should_stop, deadline=self._started_at + params.wall_clock_s)
        self._eos_ids = backend.eos_ids()
        self._prefix_ids = backend.prefix_ids(prefix) if prefix else []
        inputs = backend.encode(messages, prefix)
        # Compiled decoding lives inside generate()'s loop, so that path keeps generate() on a
        # thread; otherwise one loop on this thread both decodes and yields.
        self._source: _TokenSource = (
            GenerateThread(
                backend.model, inputs["input_ids"], params, self._guard, backend.generation_config
            )
            if backend.compile
            else DecodeLoop(
                backend.model,
                inputs["input_ids"],
                params,
                eos_ids=self._eos_ids,
                stop=self._guard.check,
            )
        )
        self._decoder = _IncrementalDecoder(backend.tokenizer, self._prefix_ids)
        # ends[i]: characters of output once token i is decoded, to find where a rewind lands.
        self._ends: list[int] = []
        self._chars = 0
        self._tokens = 0
        self._source_done = False
        super().__init__()

    def _run(self) -> Generator[Delta | Stats, None, None]:
        first_at: float | None = None
        failed = False
        try:
            for token_id in self._source:
                self._tokens += 1
                first_at = first_at or time.monotonic()
                text = self._decoder.step(token_id)
                self._chars += len(text)
                self._ends.append(self._chars)
                if text:
                    yield Delta(text)
        except Exception:  # reported to the consumer as finish_reason "error"
            log.exception("generation failed for %s", self._backend.name)
            failed = True
        finally:
            # Also on close (GeneratorExit): a generation thread stops at its next step and is
            # joined, so none outlives the stream.
            self._source_done = True
            self._source.close()
        tail = self._decoder.flush()
        if tail:
            yield Delta(tail)
        yield make_stats(
            tokens=self._tokens,
            started=self._started_at,
            first_token_at=first_at,
            ended=time.monotonic(),
            reason=self._finish_reason(failed),
            rewinds=self.rewinds,
        )

    def _rewind(self, chars: int) -> bool:
        if self._source_done:
            return False
        keep = self._tokens_ending_at(chars)
        if keep is None:
            return False
        context = self._prefix_ids + self._source.generated[:keep]
        self._source.rewind(keep)
        del self._ends[keep:]
        self._chars = chars
        self._decoder.reset(context)
        return True

    def _tokens_ending_at(self, chars: int) -> int | None:
        """How many tokens to keep so the kept text ends exactly at ``chars``, or None.

        The fewest such tokens: a token that decoded to nothing (half of a UTF-8 character)
        after that point is dropped with the rest.
        """
        if chars == 0:
            return 0
        i = bisect.bisect_left(self._ends, chars)
        return i + 1 if i < len(self._ends) and self._ends[i] == chars else None

    def _finish_reason(self, failed: bool) -> FinishReason:
        if failed:
            return "error"
        if self._guard.reason is not None:
            return self._guard.reason
        kept = self._source.generated
        if len(kept) >= self._params.max_new_tokens and kept[-1] not in self._eos_ids:
            return "length"
        return "stop"


class _IncrementalDecoder:
    """Token ids to text deltas, O(1) per token.

    Uses the tokenizers library's DecodeStream, which holds back bytes until they form whole
    UTF-8 characters. Tokenizers without a Rust backend fall back to re-decoding the tail.
    ``context`` is the ids already written before the first new one (a prefix, or the kept
    ids after a rewind): decoders whose output depends on what came before (a leading space)
    then continue that text instead of starting a new one.
    """

    # Ids of context replayed into a new DecodeStream: enough for any decoder's look-behind,
    # and a rewind deep into a long answer does not re-decode all of it.
    CONTEXT_IDS = 64

    def __init__(self, tokenizer: Any, context: Sequence[int] = ()) -> None:
        self._tokenizer = tokenizer
        self._backend = getattr(tokenizer, "backend_tokenizer", None)
        self._stream: Any = None
        self._ids: list[int] = []
        self._emitted = 0
        self.reset(context)

    def reset(self, context: Sequence[int]) -> None:
        """Continue after ``context`` (what is already shown), forgetting anything else."""
        if self._backend is not None:
            from tokenizers.decoders import DecodeStream

            recent = list(context[-self.CONTEXT_IDS :])
            self._stream = DecodeStream(ids=recent or None, skip_special_tokens=True)
            return
        self._ids = list(context)
        self._emitted = len(self._tokenizer.decode(self._ids, skip_special_tokens=True))

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
