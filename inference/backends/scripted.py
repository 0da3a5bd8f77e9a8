"""A deterministic backend for tests that need exact text, behind the real interface.

A script line may offer alternative drafts, separated by ``<<retry>>``:
``"Then 7 x 8 = 54.<<retry>>Then 7 x 8 = 56.\\n"`` streams the first draft, and each rewind to
the start of that line streams the next one (the last draft repeats).
"""

from __future__ import annotations

import bisect
import re
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass

from .base import (
    BaseGeneration,
    Delta,
    FinishReason,
    Generation,
    GenerationParams,
    Message,
    Stats,
    StopCheck,
    make_stats,
)

RETRY_MARKER = "<<retry>>"

# GPT-2-style pre-tokenisation: words with their leading space, single digits, punctuation runs
# and whitespace. Every character matches one branch, so the chunks concatenate to the script.
# A newline always ends its chunk (trailing spaces before it ride along): a rewind to the start
# of any line is then a chunk boundary.
_CHUNK = re.compile(r" ?[A-Za-z]+| ?\d| ?[^\sA-Za-z\d]+|[^\S\n]*\n|[^\S\n]+(?!\S)|[^\S\n]+")

Script = str | Callable[[Sequence[Message]], str]


def chunk_text(text: str) -> list[str]:
    """Split text into small token-like chunks that concatenate back to it."""
    return _CHUNK.findall(text)


def iter_chunks(text: str) -> Iterator[str]:
    """``chunk_text`` lazily: a 30,000-token script costs no list up front."""
    return (match.group() for match in _CHUNK.finditer(text))


def script_drafts(text: str) -> list[list[str]]:
    """The script's lines, each as its drafts (one unless ``<<retry>>`` offers more).

    Every draft of a line ends with that line's newline (the last line may have none).
    """
    lines: list[list[str]] = []
    bodies = text.split("\n")  # not splitlines(): "\r" or "\u2028" do not end a step
    for i, body in enumerate(bodies):
        newline = "\n" if i < len(bodies) - 1 else ""
        if body or newline:
            lines.append([draft + newline for draft in body.split(RETRY_MARKER)])
    return lines


def first_drafts(text: str) -> str:
    """The script as it streams when nothing is rewound."""
    return "".join(drafts[0] for drafts in script_drafts(text))


class ScriptedBackend:
    """Yields a fixed script (or a function of the messages) in token-like chunks.

    It honours ``should_stop``, ``max_new_tokens`` and ``wall_clock_s`` per chunk, exactly as
    TransformersBackend does per decode step. ``tokens_per_s=None`` means no rate limit.
    """

    is_demo = True
    can_rewind = True

    def __init__(
        self,
        script: Script = "Step 1: 2 + 2 = 4\nThe answer is \\boxed{4}.",
        *,
        tokens_per_s: float | None = None,
        ttft_s: float = 0.0,
        name: str = "scripted",
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if tokens_per_s is not None and tokens_per_s <= 0:
            raise ValueError("tokens_per_s must be > 0 or None")
        self.script = script
        self.tokens_per_s = tokens_per_s
        self.ttft_s = ttft_s
        self.name = name
        self.clock = clock
        self.sleep = sleep

    def stream(
        self,
        messages: Sequence[Message],
        params: GenerationParams,
        should_stop: StopCheck | None = None,
        *,
        prefix: str = "",
    ) -> Generation:
        """The script chunk by chunk, then one Stats.

        With a ``prefix`` that the script (its first drafts) starts with, the script continues
        after it; any other prefix is ignored and the script plays from the start. A rewind
        works at any chunk boundary: to the start of a line it streams that line's next draft,
        elsewhere it replays the same draft from there. Pacing (``tokens_per_s``) counts every
        chunk streamed, so after a rewind the next chunk comes one interval after the last.
        """
        params.check()
        text = self.script if isinstance(self.script, str) else self.script(messages)
        return _ScriptedGeneration(self, script_drafts(text), params, should_stop, prefix)

    def due(self, started: float, index: int) -> float:
        """When chunk ``index`` (0-based, counting every chunk streamed) is released."""
        if self.tokens_per_s is None:
            return started + (self.ttft_s if index == 0 else 0.0)
        return started + self.ttft_s + index / self.tokens_per_s


@dataclass(frozen=True)
class _Place:
    """A point in the script: line, draft of that line, character within the draft."""

    line: int
    draft: int
    pos: int


class _ScriptedGeneration(BaseGeneration):
    def __init__(
        self,
        backend: ScriptedBackend,
        lines: list[list[str]],
        params: GenerationParams,
        should_stop: StopCheck | None,
        prefix: str,
    ) -> None:
        self._backend = backend
        self._lines = lines
        self._params = params
        self._should_stop = should_stop
        self._attempts = [0] * len(lines)  # rewinds to each line's start so far
        self._ends: list[int] = []  # characters of output after each chunk
        # Where each run of one draft began in the output, and the point in the script there:
        # one entry per line, not per chunk, so a long script stays cheap to stream.
        self._run_starts: list[int] = []
        self._run_places: list[_Place] = []
        self._start = self._place_after(prefix)
        self._chunks = self._chunks_from(self._start)
        self._tokens = 0
        super().__init__()

    def _place_after(self, prefix: str) -> _Place:
        if not prefix or not "".join(d[0] for d in self._lines).startswith(prefix):
            return _Place(0, 0, 0)
        skip = len(prefix)
        for line, drafts in enumerate(self._lines):
            if skip < len(drafts[0]):
                return _Place(line, 0, skip)
            skip -= len(drafts[0])
        return _Place(len(self._lines), 0, 0)

    def _chunks_from(self, place: _Place) -> Iterator[tuple[str, _Place | None]]:
        """The chunks from ``place`` on; the first chunk of each draft carries its place."""
        for line in range(place.line, len(self._lines)):
            here = place if line == place.line else _Place(line, 0, 0)
            text = self._lines[line][here.draft]
            first: _Place | None = here
            for chunk in iter_chunks(text[here.pos :]):
                yield chunk, first
                first = None

    def _run(self) -> Generator[Delta | Stats, None, None]:
        backend, params = self._backend, self._params
        started = backend.clock()
        deadline = started + params.wall_clock_s
        first_at: float | None = None
        reason: FinishReason = "stop"
        while True:
            nxt = next(self._chunks, None)
            if nxt is None:
                break
            if len(self._ends) >= params.max_new_tokens:
                reason = "length"
                break
            if self._should_stop is not None and self._should_stop():
                reason = "cancelled"
                break
            now = backend.clock()
            due = max(backend.due(started, self._tokens), now)
            if due >= deadline:
                reason = "timeout"
                break
            if due > now:
                backend.sleep(due - now)
            chunk, begins = nxt
            self._tokens += 1
            first_at = backend.clock() if first_at is None else first_at
            emitted = self._ends[-1] if self._ends else 0
            if begins is not None:
                self._run_starts.append(emitted)
                self._run_places.append(begins)
            self._ends.append(emitted + len(chunk))
            yield Delta(chunk)
        yield make_stats(
            tokens=self._tokens,
            started=started,
            first_token_at=first_at,
            ended=backend.clock(),
            reason=reason,
            rewinds=self.rewinds,
        )

    def _rewind(self, chars: int) -> bool:
        kept = bisect.bisect_left(self._ends, chars)
        if chars and (kept == len(self._ends) or self._ends[kept] != chars):
            return False  # inside a chunk
        kept += bool(chars)
        run = bisect.bisect_right(self._run_starts, chars) - 1
        if run < 0:
            place = self._start
        else:
            begun = self._run_places[run]
            place = _Place(begun.line, begun.draft, begun.pos + chars - self._run_starts[run])
        del self._ends[kept:]
        cut = bisect.bisect_left(self._run_starts, chars)  # runs from here on start again
        del self._run_starts[cut:]
        del self._run_places[cut:]
        if place.line < len(self._lines) and place.pos == len(self._lines[place.line][place.draft]):
            place = _Place(place.line + 1, 0, 0)  # the end of a line is the next one's start
        if place.line < len(self._lines) and place.pos == 0:
            self._attempts[place.line] += 1
            last = len(self._lines[place.line]) - 1
            place = _Place(place.line, min(self._attempts[place.line], last), 0)
        self._chunks = self._chunks_from(place)
        return True
