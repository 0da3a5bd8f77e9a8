"""Judging a sequence of steps in-process (the pool runs this inside a killable worker)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from tutor.checker.context import Context
from tutor.checker.limits import UNKNOWN_TOO_LARGE, TooLarge
from tutor.checker.model_prose import judge_model
from tutor.checker.results import StepResult
from tutor.checker.student_lines import judge_student


def judge_steps(
    steps: Sequence[str], source: str, skip: frozenset[int] = frozenset(), start: int = 0
) -> Iterator[StepResult]:
    """Yield a verdict for each step from ``start``, with earlier steps as context.

    Steps in ``skip`` (for example one that timed out) are not used as context.
    """
    ctx = Context()
    for index, text in enumerate(steps):
        if index in skip:
            if index >= start:
                yield StepResult(index, "unknown", UNKNOWN_TOO_LARGE)
            continue
        result = judge_one(text, index, source, ctx)
        if index >= start:
            yield result


def judge_one(text: str, index: int, source: str, ctx: Context) -> StepResult:
    """One step against ``ctx``, which it updates; a step too large to judge is ``unknown``."""
    try:
        if source == "student":
            result = judge_student(text, index, ctx)
        else:
            result = judge_model(text, index, ctx)
    except TooLarge:
        result = StepResult(index, "unknown", UNKNOWN_TOO_LARGE)
    except (RecursionError, MemoryError, OverflowError):
        result = StepResult(index, "unknown", UNKNOWN_TOO_LARGE)
    except ValueError:
        # Python refuses to print integers over 4300 digits; such a number is too large to
        # show a student anyway.
        result = StepResult(index, "unknown", UNKNOWN_TOO_LARGE)
    ctx.previous_text = text
    return result
