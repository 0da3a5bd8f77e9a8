"""Token-by-token decoding on the caller's thread: a forward pass with a KV cache per step.

``model.generate`` with a streamer needs a second thread to hand tokens to the reader, and on
two cores that thread competes with generate's own Python loop for the GIL. This loop yields each
token id where it is computed instead, and checks the stop condition before every forward pass.
It does what the worker needs of generate for one unpadded prompt: greedy decoding (the same
tokens as ``generate(do_sample=False)``) or temperature / top-p sampling, eos ids, a token cap.
Other generation-config settings (repetition penalty, bad words) are not applied here.
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
    for _ in range(params.max_new_tokens):
        if stop():
            return
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
        yield token
        if token in eos_ids:
            return
