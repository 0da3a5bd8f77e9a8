"""ScriptedBackend: exact text behind the real interface, with the same limits."""

from __future__ import annotations

import pytest

from inference.backends import (
    Delta,
    GenerationParams,
    ScriptedBackend,
    Stats,
    chunk_text,
    load_backend,
)

SCRIPT = "<think>\nx + 1 = 3\n</think>\nStep 1: x = 3 - 1\nSo x = \\boxed{2}.\n"


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _run(backend: ScriptedBackend, params: GenerationParams, **kw: object):  # type: ignore[no-untyped-def]
    items = list(backend.stream([], params, **kw))  # type: ignore[arg-type]
    assert isinstance(items[-1], Stats)
    return "".join(i.text for i in items[:-1] if isinstance(i, Delta)), items[-1]


@pytest.mark.parametrize(
    "text",
    [SCRIPT, "", "  leading and trailing  \n\n", "12345 + 6789 = 19134", "naïve ∑ 😀 end"],
)
def test_chunks_concatenate_to_the_text(text: str) -> None:
    """Chunking never loses or reorders characters."""
    assert "".join(chunk_text(text)) == text


def test_it_yields_the_script_exactly() -> None:
    """The deltas spell out the script and Stats counts every chunk."""
    text, stats = _run(ScriptedBackend(SCRIPT), GenerationParams())
    assert text == SCRIPT
    assert stats.tokens == len(chunk_text(SCRIPT))
    assert stats.finish_reason == "stop"


def test_script_can_depend_on_the_messages() -> None:
    """A function script sees the chat it answers."""
    backend = ScriptedBackend(lambda messages: messages[-1]["content"].upper())
    items = list(backend.stream([{"role": "user", "content": "hi"}], GenerationParams()))
    assert items[0] == Delta("HI")


def test_max_new_tokens_caps_it() -> None:
    """finish_reason "length" after max_new_tokens chunks."""
    text, stats = _run(ScriptedBackend(SCRIPT), GenerationParams(max_new_tokens=3))
    assert text == "".join(chunk_text(SCRIPT)[:3])
    assert (stats.tokens, stats.finish_reason) == (3, "length")


def test_should_stop_is_polled_every_chunk() -> None:
    """Cancel after N deltas yields exactly N ("cancelled")."""
    seen: list[str] = []
    items = []
    for item in ScriptedBackend(SCRIPT).stream([], GenerationParams(), lambda: len(seen) >= 4):
        items.append(item)
        if isinstance(item, Delta):
            seen.append(item.text)
    stats = items[-1]
    assert isinstance(stats, Stats)
    assert (len(seen), stats.tokens, stats.finish_reason) == (4, 4, "cancelled")


def test_rate_and_wall_clock() -> None:
    """At 10 tokens/s a 0.35 s wall clock lets four chunks through, then "timeout"."""
    clock = FakeClock()
    backend = ScriptedBackend(SCRIPT, tokens_per_s=10, clock=clock, sleep=clock.sleep)
    _, stats = _run(backend, GenerationParams(wall_clock_s=0.35))
    assert (stats.tokens, stats.finish_reason) == (4, "timeout")
    assert stats.elapsed_s == pytest.approx(0.3)
    assert stats.tokens_per_s == pytest.approx(10)


def test_load_backend_caches_per_process() -> None:
    """The same arguments give the same backend object; the model text is the script."""
    first = load_backend("scripted", "2 + 2 = 4")
    assert first is load_backend("scripted", "2 + 2 = 4")
    assert first.is_demo
    text = "".join(i.text for i in first.stream([], GenerationParams()) if isinstance(i, Delta))
    assert text == "2 + 2 = 4"


def test_unknown_kind_is_rejected() -> None:
    """A typo in TUTOR_BACKEND fails loudly."""
    with pytest.raises(ValueError, match="unknown backend kind"):
        load_backend("tensorflow")
