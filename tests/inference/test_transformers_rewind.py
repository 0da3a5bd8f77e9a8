"""Rewinds and prefixes on the real transformers path: the cropped cache, the text, the limits.

The logits after a rewind must be those of a fresh prefill of the prompt plus the kept tokens,
on either side of Phi-4-mini's short/long rope switch (here a random model switching at 32).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import torch

from inference.backends import Delta, GenerationParams, Stats, TransformersBackend
from inference.backends.decode_loop import DecodeLoop
from tests.inference.models import long_rope_model

GREEDY = GenerationParams(temperature=0.0, max_new_tokens=40)
LONG = GenerationParams(temperature=0.0, max_new_tokens=100)


@pytest.fixture(params=["decode-loop", "generate-thread"])
def either(backend: TransformersBackend, request: pytest.FixtureRequest) -> Iterator[Any]:
    """The session's backend, on one of its two generation paths."""
    backend.compile = request.param == "generate-thread"
    yield backend
    backend.compile = False


def _fresh_scores(model: Any, sequence: torch.Tensor) -> torch.Tensor:
    """The next-token logits of a prefill of ``sequence`` with no cache."""
    with torch.inference_mode():
        return model(input_ids=sequence, use_cache=False).logits[:, -1].float()


def _check_steps_against_fresh_prefills(loop: DecodeLoop, steps: int) -> None:
    """Step the loop; each step's logits equal a fresh prefill of everything before it."""
    for _ in range(steps):
        next(loop)
        before = torch.tensor([loop.generated[:-1]], dtype=loop.prompt.dtype)
        sequence = torch.cat([loop.prompt, before], dim=1)
        expected = _fresh_scores(loop.model, sequence)
        assert loop.last_scores is not None
        torch.testing.assert_close(loop.last_scores, expected, rtol=1e-4, atol=1e-4)


def test_a_rewind_recomputes_the_logits_a_fresh_prefill_gives(
    backend: TransformersBackend, solve_messages: Any
) -> None:
    """After N greedy tokens and a rewind to token k, decoding goes on as if from prompt + k."""
    prompt = backend.encode(solve_messages)["input_ids"]
    for keep in (0, 1, 7, 29, 30):
        loop = DecodeLoop(backend.model, prompt, GREEDY, eos_ids=(), stop=lambda: False)
        greedy = [next(loop) for _ in range(30)]
        loop.rewind(keep)
        assert loop.generated == greedy[:keep]
        next(loop)
        kept = torch.tensor([greedy[:keep]], dtype=prompt.dtype)
        expected = _fresh_scores(backend.model, torch.cat([prompt, kept], dim=1))
        assert loop.last_scores is not None
        torch.testing.assert_close(loop.last_scores, expected, rtol=1e-4, atol=1e-4)
        if keep < 30:  # the greedy pick from those logits is the token generated there before
            assert int(expected.argmax()) == greedy[keep]
        _check_steps_against_fresh_prefills(loop, 5)


@pytest.mark.parametrize(
    "keep",
    [
        5,  # kept sequence 25 long, under the switch: the long keys must go, short ones again
        12,  # 32: exactly at the switch, still short
        13,  # 33: one past it, rebuilt by the crossing's own re-prefill
        25,  # 45: well past it, the cropped long-rope cache is used as it is
    ],
)
def test_a_rewind_across_the_long_rope_switch_keeps_the_cache_right(keep: int) -> None:
    """Rewinding from past 4,096 tokens (here 32) to before it decodes with the short-rope
    keys a run that never passed the switch has, and crossing it again re-encodes once more."""
    model = long_rope_model(switch_at=32)
    prompt = torch.randint(1, 97, (1, 20), generator=torch.Generator().manual_seed(1))
    loop = DecodeLoop(model, prompt, LONG, eos_ids=(), stop=lambda: False)
    for _ in range(30):  # 50 in all: past the switch, so the cache holds long keys
        next(loop)
    loop.rewind(keep)
    _check_steps_against_fresh_prefills(loop, 20)  # 25 -> 45 crosses the switch again


def test_the_long_rope_check_would_catch_a_plain_crop() -> None:
    """Without the re-prefill, long keys left under the switch give other logits here."""
    model = long_rope_model(switch_at=32)
    prompt = torch.randint(1, 97, (1, 20), generator=torch.Generator().manual_seed(1))
    loop = DecodeLoop(model, prompt, LONG, eos_ids=(), stop=lambda: False)
    for _ in range(30):
        next(loop)
    loop._long_keys = False  # pretend the cache still held short keys: crop only
    loop.rewind(5)
    next(loop)
    sequence = torch.cat([prompt, torch.tensor([loop.generated[:-1]])], dim=1)
    assert loop.last_scores is not None
    assert not torch.allclose(loop.last_scores, _fresh_scores(model, sequence), atol=1e-3)


def _tokens_and_text(backend: TransformersBackend, messages: Any, n: int) -> list[str]:
    """The first n greedy deltas."""
    deltas = []
    for item in backend.stream(messages, GenerationParams(temperature=0.0, max_new_tokens=n)):
        if isinstance(item, Delta):
            deltas.append(item.text)
    return deltas


def _consume(generation: Any, rewind_after: int, back_to: int) -> tuple[str, Stats, bool]:
    """Read everything, asking once for a rewind to ``back_to`` after ``rewind_after`` deltas;
    the consumer's text, the Stats and what rewind answered."""
    text, answer = "", False
    for seen, item in enumerate(generation, 1):
        if isinstance(item, Stats):
            return text, item, answer
        text += item.text
        if seen == rewind_after:
            answer = generation.rewind(back_to)
            if answer:
                text = text[:back_to]
    raise AssertionError("no Stats")


def test_the_text_after_a_rewind_continues_the_kept_text(
    either: TransformersBackend, solve_messages: Any
) -> None:
    """What the consumer holds after a rewind is the kept text plus what the model writes
    from there; it decodes from the kept ids, and the same seed gives the same text again."""
    deltas = _tokens_and_text(either, solve_messages, 40)
    back_to = len("".join(deltas[:10]))
    params = GenerationParams(temperature=0.0, max_new_tokens=40, seed=3)
    generation = either.stream(solve_messages, params)
    text, stats, answer = _consume(generation, 20, back_to)
    assert answer and stats.rewinds == 1
    assert text.startswith("".join(deltas[:10]))
    kept_ids = generation._source.generated  # type: ignore[attr-defined]
    assert text == either.tokenizer.decode(kept_ids, skip_special_tokens=True)
    assert stats.tokens == 20 + len(kept_ids) - 10
    again, _, _ = _consume(either.stream(solve_messages, params), 20, back_to)
    assert again == text  # the rewind's seed is derived from the turn's
    assert text != "".join(deltas)  # greedy params sample after a rewind


def test_a_rewind_inside_a_token_is_refused_and_changes_nothing(
    either: TransformersBackend, solve_messages: Any
) -> None:
    """Going back into the middle of a token returns False and the answer goes on as before."""
    deltas = _tokens_and_text(either, solve_messages, 40)
    long_one = next(i for i, d in enumerate(deltas[:20]) if len(d) > 1)
    inside = len("".join(deltas[:long_one])) + 1
    text, stats, answer = _consume(either.stream(solve_messages, GREEDY), 20, inside)
    assert not answer
    assert text == "".join(deltas) and stats.rewinds == 0 and stats.tokens == 40


def test_a_rewind_lands_before_a_half_decoded_character(
    backend: TransformersBackend, solve_messages: Any
) -> None:
    """A token that decoded to nothing yet (half of "ï") is dropped with what follows it."""
    from inference.backends.transformers_backend import _LocalGeneration

    generation = _LocalGeneration(backend, solve_messages, GREEDY, None, "")
    generation._ends = [3, 4, 4, 5]  # the third token held back the first byte of a character
    assert generation._tokens_ending_at(4) == 2
    assert generation._tokens_ending_at(5) == 4
    assert generation._tokens_ending_at(0) == 0
    assert generation._tokens_ending_at(2) is None


def test_max_new_tokens_counts_the_kept_tokens_after_a_rewind(
    either: TransformersBackend, solve_messages: Any
) -> None:
    """A rewind gives the dropped tokens back to the cap; Stats counts every token decoded."""
    deltas = _tokens_and_text(either, solve_messages, 40)
    params = GenerationParams(temperature=0.0, max_new_tokens=20, seed=5)
    generation = either.stream(solve_messages, params)
    _, stats, answer = _consume(generation, 15, len("".join(deltas[:5])))
    assert answer and stats.finish_reason == "length"
    assert len(generation._source.generated) == 20  # type: ignore[attr-defined]
    assert stats.tokens == 15 + 15


def test_cancel_after_a_rewind_takes_effect_within_one_step(
    either: TransformersBackend, solve_messages: Any
) -> None:
    """Stop pressed N deltas after a rewind ends the stream by token N+1 of the new part."""
    after, rewound = 0, False

    def should_stop() -> bool:
        return after >= 4

    generation = either.stream(solve_messages, GenerationParams(max_new_tokens=500), should_stop)
    stats = None
    for item in generation:
        if isinstance(item, Stats):
            stats = item
            break
        if rewound:
            after += 1
        elif generation.rewind(0):
            rewound = True
    assert stats is not None and stats.finish_reason == "cancelled" and stats.rewinds == 1
    assert stats.tokens <= 1 + 4 + 1
    assert not [t for t in threading.enumerate() if t.name == "stepwise-generate"]


def test_the_wall_clock_still_ends_a_stream_that_keeps_rewinding(
    either: TransformersBackend, solve_messages: Any
) -> None:
    """Rewinding again and again cannot outlive wall_clock_s."""
    params = GenerationParams(max_new_tokens=32768, wall_clock_s=1.0)
    config = either.model.generation_config
    saved, config.eos_token_id = config.eos_token_id, None  # sampling may pick one otherwise
    try:
        generation = either.stream(solve_messages, params)
        for item in generation:
            if isinstance(item, Stats):
                stats = item
                break
            generation.rewind(0)
    finally:
        config.eos_token_id = saved
    # On busy shared cores a restarted generate() can take a good part of the second, so
    # only "at least one rewind, and still ended by the clock" is asked.
    assert stats.finish_reason == "timeout" and stats.elapsed_s < 4.0 and stats.rewinds >= 1


def test_closing_after_a_rewind_leaves_no_thread(
    either: TransformersBackend, solve_messages: Any
) -> None:
    """A consumer that goes away after a rewind stops the generation it restarted."""
    config = either.model.generation_config
    saved, config.eos_token_id = config.eos_token_id, None  # a sampled eos would end it early
    try:
        generation = either.stream(solve_messages, GenerationParams(max_new_tokens=32768))
        next(generation)
        assert generation.rewind(0)
        next(generation)
        generation.close()
    finally:
        config.eos_token_id = saved
    assert not [t for t in threading.enumerate() if t.name == "stepwise-generate"]
    assert list(generation) == []


def test_a_prefix_is_continued_and_not_repeated(
    either: TransformersBackend, solve_messages: Any
) -> None:
    """An answer cut off at the cap goes on from its text: the deltas are only the new part,
    decoded greedily from the prompt followed by the prefix's ids."""
    prefix = "".join(_tokens_and_text(either, solve_messages, 12))
    items = list(either.stream(solve_messages, GREEDY, prefix=prefix))
    text = "".join(i.text for i in items if isinstance(i, Delta))
    inputs = either.encode(solve_messages, prefix)
    assert inputs["input_ids"].shape[1] == (
        either.encode(solve_messages)["input_ids"].shape[1] + either.count_tokens(prefix)
    )
    with torch.inference_mode():
        out = either.model.generate(**inputs, max_new_tokens=40, do_sample=False)
    new = out[0, inputs["input_ids"].shape[1] :].tolist()
    assert text == either.tokenizer.decode(new, skip_special_tokens=True)
    assert isinstance(items[-1], Stats) and items[-1].tokens == 40  # the prefix is not counted


def test_count_tokens_is_the_tokenizers_count(backend: TransformersBackend) -> None:
    """The worker sizes prompts with the model's own tokenizer."""
    text = "Solve 2x + 3 = 11, so x = 4. naïve ∑"
    assert backend.count_tokens(text) == len(
        backend.tokenizer(text, add_special_tokens=False)["input_ids"]
    )
    assert backend.can_rewind
