"""ScriptedBackend's rewinds and prefixes: alternative drafts of a line, exact and repeatable."""

from __future__ import annotations

import itertools
import random

import pytest

from inference.backends import Delta, GenerationParams, ScriptedBackend, Stats, chunk_text
from inference.backends.scripted import first_drafts, script_drafts

SCRIPT = "Step 1: 7 x 8 = ?\nThen 7 x 8 = 54.<<retry>>Then 7 x 8 = 56.\nSo \\boxed{56}.\n"
LINE_2 = len("Step 1: 7 x 8 = ?\n")


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _consume(generation, rewind_at: dict[int, int] | None = None):  # type: ignore[no-untyped-def]
    """Read a generation, rewinding to ``rewind_at[n]`` once n characters were read; the text
    the consumer ends with and the Stats."""
    pending = dict(rewind_at or {})
    text = ""
    for item in generation:
        if isinstance(item, Stats):
            return text, item
        text += item.text
        for seen, back in list(pending.items()):
            if len(text) >= seen:
                del pending[seen]
                assert generation.rewind(back)
                text = text[:back]
    raise AssertionError("no Stats")


def test_a_rewind_to_a_line_start_streams_its_next_draft() -> None:
    """The wrong draft is taken back and the line is written again, the right way."""
    end_of_wrong = LINE_2 + len("Then 7 x 8 = 54.\n")
    generation = ScriptedBackend(SCRIPT).stream([], GenerationParams())
    text, stats = _consume(generation, {end_of_wrong: LINE_2})
    assert text == "Step 1: 7 x 8 = ?\nThen 7 x 8 = 56.\nSo \\boxed{56}.\n"
    assert stats.rewinds == 1 and stats.finish_reason == "stop"
    # Tokens count every chunk streamed, the rejected draft's included.
    lines = ["Step 1: 7 x 8 = ?\n", "Then 7 x 8 = 54.\n", "Then 7 x 8 = 56.\n", "So \\boxed{56}.\n"]
    assert stats.tokens == sum(len(chunk_text(line)) for line in lines)


def test_the_last_draft_repeats_when_rewound_again() -> None:
    """A third try at a two-draft line writes the second draft again."""
    generation = ScriptedBackend(SCRIPT).stream([], GenerationParams())
    text, rewinds = "", 0
    for item in generation:
        if isinstance(item, Stats):
            break
        text += item.text
        if text.endswith(".\n") and text.count("\n") == 2 and rewinds < 3:
            assert generation.rewind(LINE_2)
            text, rewinds = text[:LINE_2], rewinds + 1
    assert text == "Step 1: 7 x 8 = ?\nThen 7 x 8 = 56.\nSo \\boxed{56}.\n"
    assert item.rewinds == 3  # type: ignore[union-attr]


def test_a_rewind_inside_a_line_replays_the_same_draft() -> None:
    """Going back to a chunk boundary mid-line continues that draft from there."""
    text, stats = _consume(
        ScriptedBackend(SCRIPT).stream([], GenerationParams()), {LINE_2 + 12: LINE_2 + 4}
    )
    assert text == first_drafts(SCRIPT) and stats.rewinds == 1


def test_a_rewind_inside_a_chunk_is_refused_and_changes_nothing() -> None:
    """Only chunk boundaries can be gone back to, like token ends in the real model."""
    generation = ScriptedBackend("Seventy-two apples\n").stream([], GenerationParams())
    first = next(generation)
    assert first == Delta("Seventy")
    assert not generation.rewind(3)
    assert not generation.rewind(8)  # more than was yielded
    rest = [item for item in generation]
    assert "".join(i.text for i in rest if isinstance(i, Delta)) == "-two apples\n"
    assert isinstance(rest[-1], Stats) and rest[-1].rewinds == 0


def test_a_rewind_before_the_first_item_or_after_the_stats_is_refused() -> None:
    """There is nothing to go back to before the answer starts or once it has ended."""
    generation = ScriptedBackend(SCRIPT).stream([], GenerationParams())
    assert not generation.rewind(0)
    items = list(generation)
    assert isinstance(items[-1], Stats)
    assert not generation.rewind(0)


def test_max_new_tokens_counts_the_kept_chunks() -> None:
    """A rewind gives its dropped chunks back to the cap; Stats still counts them."""
    params = GenerationParams(max_new_tokens=len(chunk_text(first_drafts(SCRIPT))))
    end_of_wrong = LINE_2 + len("Then 7 x 8 = 54.\n")
    text, stats = _consume(ScriptedBackend(SCRIPT).stream([], params), {end_of_wrong: LINE_2})
    assert text == "Step 1: 7 x 8 = ?\nThen 7 x 8 = 56.\nSo \\boxed{56}.\n"
    assert stats.finish_reason == "stop"
    assert stats.tokens == params.max_new_tokens + len(chunk_text("Then 7 x 8 = 54.\n"))


def test_pacing_continues_from_the_rewind_point() -> None:
    """At 10 chunks/s a rewind costs no burst: the next chunk comes 0.1 s after the last."""
    clock = FakeClock()
    backend = ScriptedBackend(SCRIPT, tokens_per_s=10, clock=clock, sleep=clock.sleep)
    generation = backend.stream([], GenerationParams())
    times: list[float] = []
    text = ""
    for item in generation:
        if isinstance(item, Stats):
            stats = item
            break
        times.append(clock.now)
        text += item.text
        if text == "Step 1: 7 x 8 = ?\nThen 7 x 8 = 54.\n":
            assert generation.rewind(LINE_2)
            text = text[:LINE_2]
    assert text.endswith("Then 7 x 8 = 56.\nSo \\boxed{56}.\n")
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps == pytest.approx([0.1] * len(gaps))
    assert stats.elapsed_s == pytest.approx(0.1 * (stats.tokens - 1))


def test_cancel_after_a_rewind_stops_within_a_chunk() -> None:
    """Stop still works on the rewritten part: N deltas after the rewind, then "cancelled"."""
    after = 0
    rewound = False

    def should_stop() -> bool:
        return after >= 3

    generation = ScriptedBackend(SCRIPT).stream([], GenerationParams(), should_stop)
    text = ""
    for item in generation:
        if isinstance(item, Stats):
            stats = item
            break
        text += item.text
        if rewound:
            after += 1
        elif text == "Step 1: 7 x 8 = ?\nThen 7 x 8 = 54.\n":
            assert generation.rewind(LINE_2)
            text, rewound = text[:LINE_2], True
    assert stats.finish_reason == "cancelled" and stats.rewinds == 1
    assert text == "Step 1: 7 x 8 = ?\n" + "".join(chunk_text("Then 7 x 8 = 56.\n")[:3])


def test_a_prefix_the_script_starts_with_is_continued() -> None:
    """An answer cut off by the cap goes on where it stopped, mid-line included."""
    backend = ScriptedBackend(SCRIPT)
    cut = LINE_2 + 7
    items = list(backend.stream([], GenerationParams(), prefix=first_drafts(SCRIPT)[:cut]))
    text = "".join(i.text for i in items if isinstance(i, Delta))
    assert text == first_drafts(SCRIPT)[cut:]
    # Any other prefix: the script plays from its start.
    items = list(backend.stream([], GenerationParams(), prefix="Something else"))
    assert "".join(i.text for i in items if isinstance(i, Delta)) == first_drafts(SCRIPT)


def test_a_prefix_ending_at_a_line_start_then_a_rewind_there_gives_the_next_draft() -> None:
    """Continuing at a line start and rewinding to it (offset 0) retries that line."""
    generation = ScriptedBackend(SCRIPT).stream([], GenerationParams(), prefix=SCRIPT[:LINE_2])
    text, stats = _consume(generation, {len("Then 7 x 8 = 54.\n"): 0})
    assert text == "Then 7 x 8 = 56.\nSo \\boxed{56}.\n" and stats.rewinds == 1


@pytest.mark.parametrize("seed", range(20))
def test_every_newline_ends_a_chunk(seed: int) -> None:
    """A rewind to the start of any line is always possible: a chunk ends at every newline."""
    rng = random.Random(seed)
    text = "".join(
        rng.choice(["a", "1", " ", "\n", "\t", "+", "\\", "é", "  "]) for _ in range(200)
    )
    chunks = chunk_text(text)
    assert "".join(chunks) == text
    assert all("\n" not in chunk[:-1] for chunk in chunks)


def test_drafts_are_read_per_line() -> None:
    """Each line's drafts share its newline; lines without the marker have one draft."""
    assert script_drafts("a<<retry>>b\nc") == [["a\n", "b\n"], ["c"]]
    assert first_drafts(SCRIPT) == SCRIPT.replace("<<retry>>Then 7 x 8 = 56.", "")
