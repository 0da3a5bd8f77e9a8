"""Coalescing deltas into frames, and splitting the stream into steps."""

from __future__ import annotations

import time

import pytest

from inference.streaming import Coalescer, Step, StepSplitter


def test_first_delta_is_released_at_once() -> None:
    """The student sees the first token without waiting for a frame interval."""
    assert Coalescer().push("Hi", now=0.0) == "Hi"


def test_frames_are_at_most_20_per_second() -> None:
    """1,000 tokens/s for 2 s give at most ~40 frames and lose no text."""
    coalescer = Coalescer(interval_s=0.05)
    frames: list[str] = []
    for i in range(2000):
        frame = coalescer.push(f"t{i} ", now=i / 1000)
        if frame is not None:
            frames.append(frame)
    frames.append(coalescer.flush())
    assert len(frames) <= 2 / 0.05 + 2
    assert "".join(frames) == "".join(f"t{i} " for i in range(2000))


def test_slow_tokens_pass_straight_through() -> None:
    """Below the frame rate every delta is its own frame."""
    coalescer = Coalescer(interval_s=0.05)
    assert [coalescer.push("a", t) for t in (0.0, 0.1, 0.2)] == ["a", "a", "a"]
    assert coalescer.flush() == ""
    assert not coalescer.pending


def test_push_is_constant_time_per_delta() -> None:
    """Per-delta cost does not grow with how much text is buffered."""

    def cost(n: int) -> float:
        coalescer = Coalescer(interval_s=1e9)
        coalescer.push("x", 0.0)
        start = time.perf_counter()
        for _ in range(n):
            coalescer.push("tok ", 1.0)
        coalescer.flush()
        return (time.perf_counter() - start) / n

    cost(1000)  # warm up
    assert cost(200_000) < 3 * cost(2000) + 1e-6


def _split(deltas: list[str]) -> list[Step]:
    splitter = StepSplitter()
    steps = [s for d in deltas for s in splitter.feed(d)]
    return steps + splitter.finish()


@pytest.mark.parametrize(
    ("deltas", "expected"),
    [
        # plain lines, split across deltas anywhere
        (
            ["Step 1: x", " = 2\nStep", " 2: done\n"],
            [("Step 1: x = 2", False), ("Step 2: done", False)],
        ),
        # a tail without a newline is a step at finish()
        (["x = 1\nx = 2"], [("x = 1", False), ("x = 2", False)]),
        # blank lines are steps
        (["a\n\nb\n"], [("a", False), ("", False), ("b", False)]),
        # think block on its own lines: tags yield no step
        (["<think>\nplan\n</think>\nx = 2\n"], [("plan", True), ("x = 2", False)]),
        # tags split across deltas and sharing a line with text
        (
            ["<thi", "nk>plan a\nplan b</th", "ink>So x = 2"],
            [("plan a", True), ("plan b", True), ("So x = 2", False)],
        ),
        # unterminated think block while streaming
        (["<think>\nstill"], [("still", True)]),
        # nothing at all
        ([""], []),
    ],
)
def test_step_splitter(deltas: list[str], expected: list[tuple[str, bool]]) -> None:
    """Each finished line becomes a numbered step, marked as thinking or answer."""
    steps = _split(deltas)
    assert [(s.text, s.in_thinking) for s in steps] == expected
    assert [s.index for s in steps] == list(range(len(expected)))


def test_steps_are_tuples() -> None:
    """A step unpacks as (index, text, in_thinking)."""
    index, text, in_thinking = _split(["a\n"])[0]
    assert (index, text, in_thinking) == (0, "a", False)


def test_feed_returns_steps_as_soon_as_lines_end() -> None:
    """A step is available the moment its newline arrives."""
    splitter = StepSplitter()
    assert splitter.feed("x = 1") == []
    assert splitter.feed("\nx") == [Step(0, "x = 1", False)]
