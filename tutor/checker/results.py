"""The verdict objects the checker returns to the rest of Stepwise."""

from __future__ import annotations

from dataclasses import asdict, dataclass

VERDICTS = ("ok", "wrong", "weaker", "unknown", "none")


@dataclass(frozen=True)
class StepResult:
    """The verdict on one step.

    ``verdict`` is one of ``ok``, ``wrong`` (proven), ``weaker`` (only implied by the previous
    step), ``unknown`` (cannot decide, timed out or too large) and ``none`` (no checkable math).
    ``rule`` names the misconception that explains a wrong step, when one does.
    """

    index: int
    verdict: str
    detail: str
    rule: str | None = None
    read_as: str | None = None
    counterexample: str | None = None

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict with every field."""
        return asdict(self)


@dataclass(frozen=True)
class AnswerResult:
    """Whether an answer matches the key: True, False or None (cannot decide).

    ``detail`` is for teachers and logs and may name the key ("12 is not 14"); ``feedback``
    is what a student may read: it never shows the key or anything worked out from it.
    """

    equivalent: bool | None
    detail: str
    feedback: str = ""

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict with every field."""
        return asdict(self)


@dataclass(frozen=True)
class KeyReading:
    """How the checker reads an answer key: ``readable`` False means every answer to it would
    be undecided, None that the check itself did not finish (a timeout); ``reading`` is the
    key as read, ``problem`` why it could not be read."""

    readable: bool | None
    reading: str | None = None
    problem: str | None = None

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict with every field."""
        return asdict(self)


@dataclass(frozen=True)
class FinalAnswer:
    """A solution's final answer against the key: the step that states it (``index``), the
    reading shown (``answer``) and the comparison."""

    index: int
    answer: str
    result: AnswerResult


@dataclass(frozen=True)
class SolutionResult:
    """A whole solution judged, with its final answer against the key when one was given.

    ``first_error`` is the index of the first ``wrong`` step, or -1. ``equivalent`` is None
    when there was no key, no final answer, or the comparison could not be decided.
    """

    steps: list[StepResult]
    first_error: int
    final_answer: str | None = None
    equivalent: bool | None = None
