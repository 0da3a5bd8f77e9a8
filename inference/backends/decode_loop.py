"""Token-by-token decoding on the caller's thread: a forward pass with a KV cache per step.

``model.generate`` with a streamer needs a second thread to hand tokens to the reader, and on
two cores that thread competes with generate's own Python loop for the GIL. This loop yields each
token id where it is computed instead, and checks the stop condition before every forward pass.
It does what the worker needs of generate for one unpadded prompt: greedy decoding (the same
tokens as ``generate(do_sample=False)``) or temperature / top-p sampling, eos ids, a token cap.
Other generation-config settings (repetition penalty, bad words) are not applied here. Like
generate() for Phi-3, it prefills once more when the sequence first passes the long-rope switch.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Generator
from typing import TYPE_CHECKING, Any, cast

from .base import GenerationParams

if TYPE_CHECKING:
    import torch


def decode_tokens(
    model: Any,
    input_ids: torch.Tensor,
    params: GenerationParams,
    *,
    eos_ids: Collection[int],
    stop: Callable[[], bool],
) -> Generator[int, None, None]:
    """Yield new token ids for one prompt (shape ``(1, n)``) until eos, the cap, or ``stop()``."""
    import torch
    from transformers.generation.logits_process import (
        LogitsProcessorList,
        TemperatureLogitsWarper,
        TopPLogitsWarper,
    )

    warpers = LogitsProcessorList()
    generator: torch.Generator | None = None
    if not params.greedy:
        warpers.append(TemperatureLogitsWarper(params.temperature))
        if params.top_p < 1.0:  # as generate(): top_p 1.0 keeps every token anyway
            warpers.append(TopPLogitsWarper(params.top_p))
        if params.seed is not None:
            # A generator of its own: repeatable without touching torch's global RNG.
            generator = torch.Generator(device=input_ids.device).manual_seed(params.seed)

    ids, cache = input_ids, None
    prompt_length, generated = input_ids.shape[1], []
    switch_at = _long_rope_switch(model)
    for _ in range(params.max_new_tokens):
        if stop():
            return
        if (
            switch_at is not None
            and cache is not None
            and prompt_length + len(generated) > switch_at
            and cache.get_seq_length() <= switch_at
        ):
            # Past the short/long rope switch the keys cached so far were rotated with the short
            # factors: prefill again with the whole sequence, once, as generate() does for Phi-3.
            new = torch.tensor([generated], dtype=input_ids.dtype, device=input_ids.device)
            ids, cache = torch.cat([input_ids, new], dim=1), None
        # Entered per step, not around the loop: a generator suspended inside the context would
        # leave inference mode switched on in the consumer's code between tokens.
        with torch.inference_mode():
            # No attention mask or positions: for one unpadded sequence the model derives them
            # from the cache length. logits_to_keep=1 skips the vocabulary projection of the
            # prompt's other positions.
            out = model(input_ids=ids, cache=cache, use_cache=True, logits_to_keep=1)
            cache = out.cache
            scores = out.logits[:, -1].float()
            if warpers:
                probs = torch.softmax(warpers(cast(torch.LongTensor, ids), scores), dim=-1)
                ids = torch.multinomial(probs, num_samples=1, generator=generator)
            else:
                ids = scores.argmax(dim=-1, keepdim=True)
        token = int(ids.item())
        generated.append(token)
        yield token
        if token in eos_ids:
            return


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
