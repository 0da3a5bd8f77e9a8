"""Pure helpers between the model stream and the event publisher (no I/O, no clocks).

The channel layer drops messages in a burst at its default capacity (100) and one publish per
token costs about 0.4 ms (DESIGN.md), so deltas are coalesced into at most ~20 frames/s.
"""

from __future__ import annotations

from typing import NamedTuple

THINK_OPEN, THINK_CLOSE = "<think>", "</think>"


class Coalescer:
    """Buffers deltas and releases them as one frame at most every ``interval_s``.

    The first delta is released at once (time to first token is what the student notices);
    later ones wait until ``interval_s`` has passed since the previous frame. The caller passes
    ``now`` (a monotonic clock) so the class stays pure. Each character is joined exactly once,
    when its frame is released: O(1) amortised per delta.
    """

    def __init__(self, interval_s: float = 0.05) -> None:
        if interval_s < 0:
            raise ValueError("interval_s must be >= 0")
        self.interval_s = interval_s
        self._parts: list[str] = []
        self._last_release: float | None = None

    def push(self, text: str, now: float) -> str | None:
        """Add a delta; return a frame when one is due, else None."""
        if text:
            self._parts.append(text)
        if not self._parts:
            return None
        if self._last_release is not None and now - self._last_release < self.interval_s:
            return None
        self._last_release = now
        return self.flush()

    def flush(self) -> str:
        """Return whatever is buffered (possibly "") and empty the buffer."""
        frame = "".join(self._parts)
        self._parts.clear()
        return frame

    @property
    def pending(self) -> bool:
        """True while text is buffered and not yet released."""
        return bool(self._parts)


class Step(NamedTuple):
    """One completed line of the model's output."""

    # Shadows tuple.index on purpose: the step's position is what readers look up.
    index: int  # type: ignore[assignment]
    text: str
    in_thinking: bool


class StepSplitter:
    """Turns a stream of deltas into completed steps, one per line.

    A step ends at a newline. Blank lines are steps too. ``<think>`` and ``</think>`` are removed
    from the text and switch ``in_thinking``; a line that holds only a tag yields no step, and a
    line such as ``x = 4</think>So x = 4`` yields a thinking step and an answer step. Work per
    ``feed`` is proportional to the new text (the open line is a list of pieces).
    """

    def __init__(self) -> None:
        self._line: list[str] = []
        self._index = 0
        self._in_thinking = False

    @property
    def in_thinking(self) -> bool:
        """Whether the text being fed now is inside a think block."""
        return self._in_thinking

    def feed(self, text: str) -> list[Step]:
        """Add a delta and return the steps it completed."""
        steps: list[Step] = []
        *complete, rest = text.split("\n")
        for piece in complete:
            self._line.append(piece)
            steps.extend(self._close_line())
        if rest:
            self._line.append(rest)
        return steps

    def finish(self) -> list[Step]:
        """Return the last step when the stream ended without a final newline."""
        if not self._line or not "".join(self._line):
            self._line.clear()
            return []
        return self._close_line()

    def _close_line(self) -> list[Step]:
        line = "".join(self._line)
        self._line.clear()
        if THINK_OPEN not in line and THINK_CLOSE not in line:
            return [self._step(line, self._in_thinking)]
        steps: list[Step] = []
        for segment, thinking in self._segments(line):
            if segment.strip():
                steps.append(self._step(segment, thinking))
        return steps

    def _segments(self, line: str) -> list[tuple[str, bool]]:
        """Split a line at think tags into (text, in_thinking) pieces, updating the state."""
        segments: list[tuple[str, bool]] = []
        pos = 0
        while True:
            tag = THINK_CLOSE if self._in_thinking else THINK_OPEN
            found = line.find(tag, pos)
            if found == -1:
                segments.append((line[pos:], self._in_thinking))
                return segments
            segments.append((line[pos:found], self._in_thinking))
            self._in_thinking = not self._in_thinking
            pos = found + len(tag)

    def _step(self, text: str, in_thinking: bool) -> Step:
        step = Step(self._index, text, in_thinking)
        self._index += 1
        return step
