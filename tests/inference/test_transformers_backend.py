"""The real transformers path on the tiny model: streaming, limits, cancel and cleanup."""

from __future__ import annotations

import threading
from typing import Any

import torch

from inference.backends import Delta, GenerationParams, Stats, TransformersBackend

GREEDY = GenerationParams(temperature=0.0, max_new_tokens=40)


def _run(backend: TransformersBackend, messages: Any, params: GenerationParams, **kw: Any):  # type: ignore[no-untyped-def]
    items = list(backend.stream(messages, params, **kw))
    deltas = [i.text for i in items if isinstance(i, Delta)]
    assert isinstance(items[-1], Stats)
    assert all(isinstance(i, Delta) for i in items[:-1])
    return deltas, items[-1]


def _generation_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "stepwise-generate"]


def test_it_streams_the_decoded_output(backend: TransformersBackend, solve_messages: Any) -> None:
    """Deltas concatenate to exactly what generate() decodes, and Stats comes last."""
    deltas, stats = _run(backend, solve_messages, GREEDY)
    inputs = backend.encode(solve_messages)
    with torch.inference_mode():
        out = backend.model.generate(**inputs, max_new_tokens=40, do_sample=False)
    new = out[0, inputs["input_ids"].shape[1] :]
    assert "".join(deltas) == backend.tokenizer.decode(new, skip_special_tokens=True)
    assert stats.tokens == len(new) > 0
    assert stats.ttft_s is not None and stats.ttft_s > 0
    assert stats.tokens_per_s > 0


def test_max_new_tokens_caps_the_stream(backend: TransformersBackend, solve_messages: Any) -> None:
    """A student sees at most max_new_tokens tokens, finish_reason "length"."""
    _, stats = _run(backend, solve_messages, GenerationParams(temperature=0.0, max_new_tokens=7))
    assert (stats.tokens, stats.finish_reason) == (7, "length")


def test_sampling_with_a_seed_is_repeatable(
    backend: TransformersBackend, solve_messages: Any
) -> None:
    """The card's sampling (temperature 0.8, top_p 0.95) with a seed gives the same text twice."""
    params = GenerationParams(max_new_tokens=20, seed=7)
    first, _ = _run(backend, solve_messages, params)
    second, _ = _run(backend, solve_messages, params)
    assert first == second


def test_cancel_takes_effect_within_one_step(
    backend: TransformersBackend, solve_messages: Any
) -> None:
    """Pressing stop after N deltas ends the stream by token N+1 ("cancelled")."""
    n, seen = 5, 0

    def should_stop() -> bool:
        return seen >= n

    stats = None
    for item in backend.stream(solve_messages, GenerationParams(max_new_tokens=500), should_stop):
        if isinstance(item, Delta):
            seen += 1
        else:
            stats = item
    assert stats is not None
    assert stats.finish_reason == "cancelled"
    assert stats.tokens <= n + 1
    assert not _generation_threads()


def test_wall_clock_cap_ends_with_timeout(
    backend: TransformersBackend, solve_messages: Any
) -> None:
    """A turn that runs past wall_clock_s ends with finish_reason "timeout"."""
    params = GenerationParams(max_new_tokens=32768, wall_clock_s=0.2, temperature=0.0)
    _, stats = _run(backend, solve_messages, params)
    assert stats.finish_reason == "timeout"
    assert 0.2 <= stats.elapsed_s < 2.0
    assert stats.tokens < 32768


def test_closing_the_stream_stops_and_joins_the_worker(
    backend: TransformersBackend, solve_messages: Any
) -> None:
    """A consumer that goes away (GeneratorExit) leaves no generation thread behind."""
    stream = backend.stream(solve_messages, GenerationParams(max_new_tokens=32768))
    next(stream)
    next(stream)
    stream.close()
    assert not _generation_threads()


def test_errors_end_the_stream_with_error(
    backend: TransformersBackend, solve_messages: Any
) -> None:
    """A failure inside generate() ends the stream with finish_reason "error", not a hang."""
    backend.model.generation_config.bad_words_ids = [[10**9]]  # out of vocab: generate raises
    try:
        _, stats = _run(backend, solve_messages, GREEDY)
    finally:
        backend.model.generation_config.bad_words_ids = None
    assert stats.finish_reason == "error"
    assert not _generation_threads()


def test_it_picks_cpu_float32_and_sdpa_here(backend: TransformersBackend) -> None:
    """On a machine without a GPU the model runs float32 with SDPA attention."""
    assert (backend.device, backend.dtype) == ("cpu", torch.float32)
    assert backend.model.config._attn_implementation == "sdpa"
    assert backend.is_demo is True
