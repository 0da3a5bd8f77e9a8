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
    """A step unpacks as (index, text, in_thinking, start, end)."""
    index, text, in_thinking, start, end = _split(["a\n"])[0]
    assert (index, text, in_thinking, start, end) == (0, "a", False, 0, 2)


def test_feed_returns_steps_as_soon_as_lines_end() -> None:
    """A step is available the moment its newline arrives."""
    splitter = StepSplitter()
    assert splitter.feed("x = 1") == []
    assert splitter.feed("\nx") == [Step(0, "x = 1", False, 0, 6)]


@pytest.mark.parametrize(
    "raw",
    [
        "Step 1: x = 2\nStep 2: done\n",
        "a\n\nb\n",
        "<think>\nplan\n</think>\nx = 2\n",
        "<think>plan a\nplan b</think>So x = 2",
        "x = 4</think>So x = 4\n<think>again</think>\n  \n",
    ],
)
def test_each_step_knows_where_it_is_in_the_raw_stream(raw: str) -> None:
    """A step's span covers its own text (and its newline) in the text fed, tags included."""
    steps = _split([raw[i : i + 3] for i in range(0, len(raw), 3)])
    for step in steps:
        assert raw[step.start : step.end] in (step.text, step.text + "\n")
    assert [s.start for s in steps] == sorted({s.start for s in steps})


def test_a_step_after_a_tag_starts_after_the_tag() -> None:
    """x = 4</think>So x = 4: the answer step begins right after </think>."""
    steps = _split(["<think>x = 4</think>So x = 4\n"])
    assert steps == [Step(0, "x = 4", True, 7, 12), Step(1, "So x = 4", False, 20, 29)]


def test_a_long_line_is_broken_at_spaces_into_steps_of_at_most_max_chars() -> None:
    """A runaway line without newlines still reaches the checker, in pieces."""
    line = " ".join(f"w{i}" for i in range(3000))
    splitter = StepSplitter(max_chars=100)
    steps = [s for i in range(0, len(line), 4) for s in splitter.feed(line[i : i + 4])]
    steps += splitter.finish()
    assert all(len(s.text) <= 100 for s in steps) and len(steps) > len(line) // 100
    assert all(s.text.endswith(" ") for s in steps[:-1])  # broken after a space
    assert "".join(s.text for s in steps) == line
    assert [s.index for s in steps] == list(range(len(steps)))
    assert all(line[s.start : s.end] == s.text for s in steps)


def test_a_line_without_spaces_is_broken_at_max_chars() -> None:
    """No space to break at: the step is cut at the limit."""
    splitter = StepSplitter(max_chars=100)
    steps = splitter.feed("x" * 250 + "\n")
    assert [len(s.text) for s in steps] == [100, 100, 50]
    assert steps[-1].end == 251


def test_a_forced_break_never_splits_a_think_tag() -> None:
    """A tag that straddles the limit moves the break before it; the states stay right."""
    text = "<think>" + "y" * 90 + "</think>" + "z" * 30 + "\n"
    for size in (1, 7, 1000):
        splitter = StepSplitter(max_chars=100)
        steps = [s for i in range(0, len(text), size) for s in splitter.feed(text[i : i + size])]
        assert [(s.text, s.in_thinking) for s in steps] == [("y" * 90, True), ("z" * 30, False)]


def test_max_chars_is_checked() -> None:
    """A limit too small to step over a tag is refused."""
    with pytest.raises(ValueError):
        StepSplitter(max_chars=10)


def test_feeding_stays_linear_in_the_text() -> None:
    """Per-token cost does not grow with the length of the line or of the stream."""

    def cost(tokens: int) -> float:
        splitter = StepSplitter()
        start = time.perf_counter()
        for i in range(tokens):
            splitter.feed(" tok" if i % 997 else " tok\n")
        return (time.perf_counter() - start) / tokens

    cost(2000)  # warm up
    assert cost(200_000) < 3 * cost(2000) + 1e-6


def test_a_rewind_forgets_the_steps_after_it_and_renumbers() -> None:
    """After a rewind to step 2's start, the rewritten line is step 2 again, an answer step."""
    raw = "<think>plan\n</think>Step 1: 2x = 8\nStep 2: x = 5\nSo x = 5\n"
    splitter = StepSplitter()
    steps = splitter.feed(raw)
    wrong = steps[2]
    assert (wrong.text, wrong.in_thinking) == ("Step 2: x = 5", False)
    splitter.rewind(wrong.start, wrong.index)
    again = splitter.feed("Step 2: x = 4\nSo x = 4")
    again += splitter.finish()
    assert again == [
        Step(2, "Step 2: x = 4", False, wrong.start, wrong.start + 14),
        Step(3, "So x = 4", False, wrong.start + 14, wrong.start + 22),
    ]


def test_a_rewind_into_the_thinking_restores_the_thinking_state() -> None:
    """Going back to a step inside <think> continues inside it."""
    splitter = StepSplitter()
    steps = splitter.feed("<think>a\nb\n</think>c\n")
    splitter.rewind(steps[1].start, 1)
    assert splitter.in_thinking
    assert splitter.feed("d</think>e\n") == [
        Step(1, "d", True, steps[1].start, steps[1].start + 1),
        Step(2, "e", False, steps[1].start + 9, steps[1].start + 11),
    ]
    splitter.rewind(0, 0)
    assert not splitter.in_thinking
    assert splitter.feed("x\n") == [Step(0, "x", False, 0, 2)]


def test_a_rewind_must_land_on_a_step_start() -> None:
    """An offset inside a step is a caller's mistake, said loudly."""
    splitter = StepSplitter()
    splitter.feed("abc\ndef\n")
    with pytest.raises(ValueError, match="not the start of a step"):
        splitter.rewind(2, 0)
