"""The real transformers path on the tiny model: streaming, limits, cancel and cleanup.

Most tests run twice: through the decode loop (CPU, and CUDA without compile) and through
generate() on a thread (the compiled CUDA path, run here with a static cache on CPU).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import torch

from inference.backends import Delta, GenerationParams, Stats, TransformersBackend
from inference.backends.decode_loop import decode_tokens
from tests.inference.models import long_rope_model

GREEDY = GenerationParams(temperature=0.0, max_new_tokens=40)


@pytest.fixture(params=["decode-loop", "generate-thread"])
def either(backend: TransformersBackend, request: pytest.FixtureRequest) -> Iterator[Any]:
    """The session's backend, on one of its two generation paths."""
    backend.compile = request.param == "generate-thread"
    yield backend
    backend.compile = False


def _run(backend: TransformersBackend, messages: Any, params: GenerationParams, **kw: Any):  # type: ignore[no-untyped-def]
    items = []
    for item in backend.stream(messages, params, **kw):
        # Between tokens the consumer runs with torch in its normal mode.
        assert not torch.is_inference_mode_enabled()
        items.append(item)
    deltas = [i.text for i in items if isinstance(i, Delta)]
    assert isinstance(items[-1], Stats)
    assert all(isinstance(i, Delta) for i in items[:-1])
    return deltas, items[-1]


def _generate(backend: TransformersBackend, messages: Any, max_new_tokens: int) -> list[int]:
    inputs = backend.encode(messages)
    with torch.inference_mode():
        out = backend.model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False)
    return out[0, inputs["input_ids"].shape[1] :].tolist()


def _generation_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "stepwise-generate"]


def test_it_streams_the_decoded_output(either: TransformersBackend, solve_messages: Any) -> None:
    """Deltas concatenate to exactly what generate() decodes, and Stats comes last."""
    deltas, stats = _run(either, solve_messages, GREEDY)
    new = _generate(either, solve_messages, 40)
    assert "".join(deltas) == either.tokenizer.decode(new, skip_special_tokens=True)
    assert stats.tokens == len(new) > 0
    assert stats.ttft_s is not None and stats.ttft_s > 0
    assert stats.tokens_per_s > 0
    assert stats.finish_reason == "length"


@pytest.mark.parametrize("problem", ["Solve 2x + 3 = 11 for x.", "What is 7 * 8 - 5?"])
def test_greedy_decode_loop_matches_generate_token_for_token(
    backend: TransformersBackend, problem: str
) -> None:
    """The decode loop picks the same tokens as generate(do_sample=False), far past the prompt."""
    from inference.prompts import build_messages

    messages = build_messages(mode="solve", problem=problem)
    params = GenerationParams(temperature=0.0, max_new_tokens=300)
    ids = backend.encode(messages)["input_ids"]
    loop = list(decode_tokens(backend.model, ids, params, eos_ids=(), stop=lambda: False))
    assert loop == _generate(backend, messages, 300)


def test_greedy_decode_loop_matches_generate_across_the_long_rope_switch() -> None:
    """Past original_max_position_embeddings generate() re-encodes the sequence with the long
    rope factors; the loop must too, or every later token is decoded against stale keys."""
    model = long_rope_model(switch_at=32)
    prompt = torch.randint(1, 97, (1, 20))
    params = GenerationParams(temperature=0.0, max_new_tokens=60)
    loop = list(decode_tokens(model, prompt, params, eos_ids=(), stop=lambda: False))
    with torch.inference_mode():
        out = model.generate(
            prompt,
            attention_mask=torch.ones_like(prompt),
            max_new_tokens=60,
            do_sample=False,
            eos_token_id=None,
            pad_token_id=0,
        )
    assert loop == out[0, prompt.shape[1] :].tolist()


def test_max_new_tokens_caps_the_stream(either: TransformersBackend, solve_messages: Any) -> None:
    """A student sees at most max_new_tokens tokens, finish_reason "length"."""
    _, stats = _run(either, solve_messages, GenerationParams(temperature=0.0, max_new_tokens=7))
    assert (stats.tokens, stats.finish_reason) == (7, "length")


def test_an_eos_token_ends_the_stream_with_stop(
    either: TransformersBackend, solve_messages: Any
) -> None:
    """The stream ends at the first eos id from the generation config, finish_reason "stop"."""
    new = _generate(either, solve_messages, 40)
    eos = new[5]
    config = either.model.generation_config
    saved = config.eos_token_id
    config.eos_token_id = [12345, eos]  # a list, as in Phi-4-mini's own config
    try:
        _, stats = _run(either, solve_messages, GREEDY)
    finally:
        config.eos_token_id = saved
    assert (stats.tokens, stats.finish_reason) == (new.index(eos) + 1, "stop")


def test_sampling_with_a_seed_is_repeatable(
    either: TransformersBackend, solve_messages: Any
) -> None:
    """The card's sampling (temperature 0.8, top_p 0.95) with a seed gives the same text twice."""
    params = GenerationParams(max_new_tokens=20, seed=7)
    first, _ = _run(either, solve_messages, params)
    second, _ = _run(either, solve_messages, params)
    other, _ = _run(either, solve_messages, GenerationParams(max_new_tokens=20, seed=8))
    assert first == second
    assert first != other  # it does sample: another seed, another text


def test_cancel_takes_effect_within_one_step(
    either: TransformersBackend, solve_messages: Any
) -> None:
    """Pressing stop after N deltas ends the stream by token N+1 ("cancelled")."""
    n, seen = 5, 0

    def should_stop() -> bool:
        return seen >= n

    stats = None
    for item in either.stream(solve_messages, GenerationParams(max_new_tokens=500), should_stop):
        if isinstance(item, Delta):
            seen += 1
        else:
            stats = item
    assert stats is not None
    assert stats.finish_reason == "cancelled"
    assert stats.tokens <= n + 1
    assert not _generation_threads()


def test_wall_clock_cap_ends_with_timeout(either: TransformersBackend, solve_messages: Any) -> None:
    """A turn that runs past wall_clock_s ends with finish_reason "timeout"."""
    params = GenerationParams(max_new_tokens=32768, wall_clock_s=0.2, temperature=0.0)
    _, stats = _run(either, solve_messages, params)
    assert stats.finish_reason == "timeout"
    assert 0.2 <= stats.elapsed_s < 2.0
    assert stats.tokens < 32768


def test_closing_the_stream_stops_cleanly(either: TransformersBackend, solve_messages: Any) -> None:
    """A consumer that goes away (GeneratorExit) leaves no generation thread behind."""
    stream = either.stream(solve_messages, GenerationParams(max_new_tokens=32768))
    next(stream)
    next(stream)
    stream.close()
    assert not _generation_threads()
    # The backend serves the next stream normally.
    _, stats = _run(either, solve_messages, GenerationParams(temperature=0.0, max_new_tokens=3))
    assert (stats.tokens, stats.finish_reason) == (3, "length")


def test_errors_end_the_stream_with_error(
    either: TransformersBackend,
    solve_messages: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A failure in the forward pass ends the stream with "error" and is logged, not a hang."""

    def broken_forward(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("forward failed")

    monkeypatch.setattr(either.model, "forward", broken_forward)
    with caplog.at_level(logging.ERROR, logger="inference.backends.transformers_backend"):
        _, stats = _run(either, solve_messages, GREEDY)
    assert (stats.tokens, stats.finish_reason) == (0, "error")
    assert any(r.exc_info for r in caplog.records)
    assert "forward failed" in caplog.text
    assert not _generation_threads()


def test_it_picks_cpu_float32_and_sdpa_here(backend: TransformersBackend) -> None:
    """On a machine without a GPU the model runs float32 with SDPA attention."""
    assert (backend.device, backend.dtype) == ("cpu", torch.float32)
    assert backend.model.config._attn_implementation == "sdpa"
    assert backend.is_demo is True
    assert backend.compile is False  # compile is for CUDA only: CPU takes the decode loop
