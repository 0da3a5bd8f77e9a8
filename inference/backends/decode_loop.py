"""Token-by-token decoding on the caller's thread: a forward pass with a KV cache per step.

``model.generate`` with a streamer needs a second thread to hand tokens to the reader, and on
two cores that thread competes with generate's own Python loop for the GIL. This loop yields each
token id where it is computed instead, and checks the stop condition before every forward pass.
It does what the worker needs of generate for one unpadded prompt: greedy decoding (the same
tokens as ``generate(do_sample=False)``) or temperature / top-p sampling, eos ids, a token cap.
Other generation-config settings (repetition penalty, bad words) are not applied here. Like
generate() for Phi-3, it prefills once more when the sequence first passes the long-rope switch.
Because the loop owns its cache, it can also go back: ``rewind`` crops the cache to a kept
length and decoding continues from there.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from typing import TYPE_CHECKING, Any, cast

from .base import GenerationParams, params_after_rewind

if TYPE_CHECKING:
    import torch
    from transformers.generation.logits_process import LogitsProcessorList


class DecodeLoop:
    """Iterate it for new token ids (prompt of shape ``(1, n)``) until eos, the cap or ``stop()``.

    ``max_new_tokens`` caps the tokens kept: tokens dropped by ``rewind`` are counted in
    ``decoded`` but leave room for their replacements.
    """

    def __init__(
        self,
        model: Any,
        input_ids: torch.Tensor,
        params: GenerationParams,
        *,
        eos_ids: Collection[int],
        stop: Callable[[], bool],
    ) -> None:
        self.model = model
        self.prompt = input_ids
        self.params = params
        self.eos_ids = eos_ids
        self.stop = stop
        self.generated: list[int] = []
        self.decoded = 0
        self.rewinds = 0
        # Raw logits of the last forward pass (float32), before any sampling warper.
        self.last_scores: torch.Tensor | None = None
        self.switch_at = _long_rope_switch(model)
        self._cache: Any = None
        self._next_input = input_ids  # what the next forward pass is fed
        # Whether any cached key was rotated with the long rope factors (see rewind).
        self._long_keys = False
        self._ended = False
        self._warpers, self._generator = _sampling(params, input_ids.device)

    def __iter__(self) -> Iterator[int]:
        return self

    def __next__(self) -> int:
        if self._ended or len(self.generated) >= self.params.max_new_tokens or self.stop():
            self._ended = True
            raise StopIteration
        token = self._step()
        self.generated.append(token)
        self.decoded += 1
        if token in self.eos_ids:
            self._ended = True
        return token

    def close(self) -> None:
        """Free the cache; the loop yields nothing more."""
        self._ended = True
        self._cache = None

    def rewind(self, keep: int) -> None:
        """Keep the first ``keep`` generated tokens and decode again from there.

        The cache is cropped to the kept sequence minus its last token, and that token is fed
        again, so the next forward pass recomputes the logits of exactly that position (the
        logits a fresh prefill of prompt + kept tokens gives). Sampling switches to
        ``params_after_rewind``: greedy would only write the dropped tokens again.
        """
        if not 0 <= keep <= len(self.generated):
            raise ValueError(f"cannot keep {keep} of {len(self.generated)} tokens")
        del self.generated[keep:]
        self.rewinds += 1
        self._ended = False
        self._warpers, self._generator = _sampling(
            params_after_rewind(self.params, self.rewinds), self.prompt.device
        )
        sequence = self._sequence()
        total = sequence.shape[1]
        short_again = self.switch_at is not None and total <= self.switch_at
        if self._cache is None or total < 2 or (short_again and self._long_keys):
            # Keys past the switch were all re-encoded with the long factors, but a sequence
            # this short is decoded with the short ones: only a fresh prefill gives the same
            # keys as a run that never went past the switch.
            self._cache, self._long_keys = None, False
            self._next_input = sequence
            return
        surplus = self._cache.get_seq_length() - (total - 1)
        if surplus > 0:
            # transformers 5 crops by a negative count (tokens to remove from the end).
            self._cache.crop(-surplus)
        # A kept sequence exactly one past the switch leaves a cache of the switch's length:
        # the next step's re-prefill (_past_the_switch) rebuilds it, as it did the first time.
        self._next_input = sequence[:, total - 1 :]

    def _sequence(self) -> torch.Tensor:
        import torch

        if not self.generated:
            return self.prompt
        new = torch.tensor([self.generated], dtype=self.prompt.dtype, device=self.prompt.device)
        return torch.cat([self.prompt, new], dim=1)

    def _step(self) -> int:
        import torch

        if self._past_the_switch():
            # Past the short/long rope switch the keys cached so far were rotated with the short
            # factors: prefill again with the whole sequence, once, as generate() does for Phi-3.
            self._cache, self._next_input = None, self._sequence()
        ids = self._next_input
        # Entered per step, not around the loop: a consumer suspended between tokens would
        # otherwise run its own code with inference mode switched on.
        with torch.inference_mode():
            # No attention mask or positions: for one unpadded sequence the model derives them
            # from the cache length. logits_to_keep=1 skips the vocabulary projection of the
            # prompt's other positions.
            out = self.model(input_ids=ids, cache=self._cache, use_cache=True, logits_to_keep=1)
            self._cache = out.cache
            if self.switch_at is not None and self._cache.get_seq_length() > self.switch_at:
                self._long_keys = True
            scores = out.logits[:, -1].float()
            self.last_scores = scores
            if self._warpers:
                warped = self._warpers(cast("torch.LongTensor", ids), scores)
                picked = torch.multinomial(
                    torch.softmax(warped, dim=-1), num_samples=1, generator=self._generator
                )
            else:
                picked = scores.argmax(dim=-1, keepdim=True)
        self._next_input = picked
        return int(picked.item())

    def _past_the_switch(self) -> bool:
        # The same condition as Phi-3's prepare_inputs_for_generation: the sequence is longer
        # than the switch and the cache has not been rebuilt past it.
        return (
            self.switch_at is not None
            and self._cache is not None
            and self.prompt.shape[1] + len(self.generated) > self.switch_at
            and self._cache.get_seq_length() <= self.switch_at
        )


def decode_tokens(
    model: Any,
    input_ids: torch.Tensor,
    params: GenerationParams,
    *,
    eos_ids: Collection[int],
    stop: Callable[[], bool],
) -> DecodeLoop:
    """New token ids for one prompt (shape ``(1, n)``) until eos, the cap, or ``stop()``."""
    return DecodeLoop(model, input_ids, params, eos_ids=eos_ids, stop=stop)


def _sampling(
    params: GenerationParams, device: torch.device
) -> tuple[LogitsProcessorList, torch.Generator | None]:
    import torch
    from transformers.generation.logits_process import (
        LogitsProcessorList,
        TemperatureLogitsWarper,
        TopPLogitsWarper,
    )

    warpers = LogitsProcessorList()
    if params.greedy:
        return warpers, None
    warpers.append(TemperatureLogitsWarper(params.temperature))
    if params.top_p < 1.0:  # as generate(): top_p 1.0 keeps every token anyway
        warpers.append(TopPLogitsWarper(params.top_p))
    if params.seed is None:
        return warpers, None
    # A generator of its own: repeatable without touching torch's global RNG.
    return warpers, torch.Generator(device=device).manual_seed(params.seed)


def _long_rope_switch(model: Any) -> int | None:
    """The length past which a Phi-3 model's rope moves to its long factors, or None.

    Phi-4-mini switches at 4,096 tokens (``original_max_position_embeddings``), well inside a
    reasoning answer. Phi-3's own ``prepare_inputs_for_generation`` recomputes the cache there;
    this loop does the same, with the same condition.
    """
    config = getattr(model, "config", None)
    if getattr(config, "model_type", None) != "phi3":
        return None
    limit = getattr(config, "original_max_position_embeddings", None)
    return int(limit) if limit is not None else None
