"""Pure helpers between the model stream and the event publisher (no I/O, no clocks).

The channel layer drops messages in a burst at its default capacity (100) and one publish per
token costs about 0.4 ms (DESIGN.md), so deltas are coalesced into at most ~20 frames/s.
"""

from __future__ import annotations

import bisect
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
    # Offsets into the raw text fed so far (think tags count): the step's text begins at
    # ``start``; ``end`` is just past its newline, or where the text or a tag after it begins.
    start: int
    end: int


class StepSplitter:
    """Turns a stream of deltas into completed steps, one per line.

    A step ends at a newline. Blank lines are steps too. ``<think>`` and ``</think>`` are removed
    from the text and switch ``in_thinking``; a line that holds only a tag yields no step, and a
    line such as ``x = 4</think>So x = 4`` yields a thinking step and an answer step. A line
    longer than ``max_chars`` is broken into steps of at most that length, at its last space in
    the second half of the limit when there is one, never inside a tag. Work per ``feed`` is
    proportional to the new text: the open line is a list of pieces, joined when it closes or
    when it is long enough to break.
    """

    def __init__(self, max_chars: int = 2000) -> None:
        if max_chars < _MIN_MAX_CHARS:
            raise ValueError(f"max_chars must be >= {_MIN_MAX_CHARS}")
        self.max_chars = max_chars
        self._line: list[str] = []
        self._line_chars = 0
        self._line_start = 0  # raw offset of the open line
        self._index = 0
        self._in_thinking = False
        # Start and think state of every step given out, for rewind.
        self._starts: list[int] = []
        self._thinking_at: list[bool] = []

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
            steps.extend(self._close_line("".join(self._line), newline=True))
        if rest:
            self._line.append(rest)
            self._line_chars += len(rest)
            # Waits for a tag's length past the limit, so a tag being fed is never cut.
            if self._line_chars >= self.max_chars + len(THINK_CLOSE):
                steps.extend(self._break_open_line())
        return steps

    def finish(self) -> list[Step]:
        """Return the last step when the stream ended without a final newline."""
        line = "".join(self._line)
        if not line:
            self._line.clear()
            return []
        return self._close_line(line, newline=False)

    def rewind(self, chars: int, index: int) -> None:
        """Forget everything after raw offset ``chars`` (0 or the start of a step given out)
        and number the next step ``index``; the think state is the one at that offset."""
        if index < 0:
            raise ValueError("index must be >= 0")
        at = bisect.bisect_left(self._starts, chars)
        if at < len(self._starts) and self._starts[at] == chars:
            thinking = self._thinking_at[at]
        elif chars == 0:
            thinking = False
        else:
            raise ValueError(f"offset {chars} is not the start of a step")
        del self._starts[at:]
        del self._thinking_at[at:]
        self._in_thinking = thinking
        self._index = index
        self._line.clear()
        self._line_chars = 0
        self._line_start = chars

    def _break_open_line(self) -> list[Step]:
        line = "".join(self._line)
        steps: list[Step] = []
        while len(line) >= self.max_chars + len(THINK_CLOSE):
            cut = self._cut(line)
            steps.extend(self._emit(line[:cut], newline=False))
            line = line[cut:]
        self._line = [line] if line else []
        self._line_chars = len(line)
        return steps

    def _close_line(self, line: str, *, newline: bool) -> list[Step]:
        steps: list[Step] = []
        while len(line) > self.max_chars:
            cut = self._cut(line)
            steps.extend(self._emit(line[:cut], newline=False))
            line = line[cut:]
        steps.extend(self._emit(line, newline=newline))
        self._line.clear()
        self._line_chars = 0
        return steps

    def _cut(self, line: str) -> int:
        """Where a line longer than max_chars breaks: after its last space in the second half
        of the limit (each piece then holds at least half the limit, which keeps the work
        linear), else at the limit; moved before a think tag that would be split."""
        limit = self.max_chars
        space = line.rfind(" ", limit // 2, limit)
        cut = space + 1 if space != -1 else limit
        for tag in (THINK_OPEN, THINK_CLOSE):
            found = line.find(tag, max(cut - len(tag) + 1, 0), cut + len(tag) - 1)
            if found != -1:
                cut = found
        return cut

    def _emit(self, line: str, *, newline: bool) -> list[Step]:
        """Steps of one line (or one piece of a long line) starting at ``_line_start``."""
        start = self._line_start
        self._line_start += len(line) + newline
        if THINK_OPEN not in line and THINK_CLOSE not in line:
            if not line and not newline:
                return []
            return [self._step(line, self._in_thinking, start, self._line_start)]
        steps: list[Step] = []
        for begin, end, thinking in self._segments(line):
            if line[begin:end].strip():
                last = end == len(line)
                stop = start + end + (newline if last else 0)
                steps.append(self._step(line[begin:end], thinking, start + begin, stop))
        return steps

    def _segments(self, line: str) -> list[tuple[int, int, bool]]:
        """Split a line at think tags into (begin, end, in_thinking) pieces, updating the
        state."""
        segments: list[tuple[int, int, bool]] = []
        pos = 0
        while True:
            tag = THINK_CLOSE if self._in_thinking else THINK_OPEN
            found = line.find(tag, pos)
            if found == -1:
                segments.append((pos, len(line), self._in_thinking))
                return segments
            segments.append((pos, found, self._in_thinking))
            self._in_thinking = not self._in_thinking
            pos = found + len(tag)

    def _step(self, text: str, in_thinking: bool, start: int, end: int) -> Step:
        step = Step(self._index, text, in_thinking, start, end)
        self._index += 1
        self._starts.append(start)
        self._thinking_at.append(in_thinking)
        return step


# Below this a forced break could not step over a think tag.
_MIN_MAX_CHARS = 2 * len(THINK_CLOSE)
