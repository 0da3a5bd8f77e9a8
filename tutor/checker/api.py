"""The public functions: every check runs in the bounded worker pool."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Literal

from tutor.checker import config
from tutor.checker.extract import claims_in
from tutor.checker.grammar import parse_statement
from tutor.checker.limits import UNKNOWN_TOO_LARGE, ParseError
from tutor.checker.pool import WorkerFailed, WorkerTimeout, get_pool
from tutor.checker.results import AnswerResult, StepResult
from tutor.checker.sampling import render

Source = Literal["student", "model"]

_settings_lock = threading.Lock()
_settings = config.from_env()


def configure(
    *, timeout: float | None = None, workers: int | None = None, memory_mb: int | None = None
) -> None:
    """Change the time cap (s), pool size or per-worker memory cap (MB).

    Defaults are 2.0 s, 2 workers and 512 MB, or CHECKER_TIMEOUT_S, CHECKER_WORKERS and
    CHECKER_MEMORY_MB from the environment. A new pool size or memory cap restarts the pool.
    """
    global _settings
    with _settings_lock:
        _settings = config.updated(_settings, timeout=timeout, workers=workers, memory_mb=memory_mb)


def settings() -> config.Settings:
    return _settings


def check_steps(
    steps: Sequence[str], *, source: Source = "student", timeout: float | None = None
) -> list[StepResult]:
    """Judge each step against the ones before it.

    The whole list goes to one worker. The cap applies per step: a step that takes longer
    than ``timeout`` seconds is ``unknown (timeout or too large)``, the worker is killed, and
    the remaining steps continue in a fresh worker without that step as context. So the call
    takes at most ``len(steps) * timeout`` (plus about 100 ms).
    """
    return _run_steps(list(steps), source, 0, timeout)


def check_step(
    step: str,
    *,
    previous: Sequence[str] = (),
    source: Source = "model",
    index: int = 0,
    timeout: float | None = None,
) -> StepResult:
    """Judge one new step given the earlier ones (known values are carried forward).

    ``index`` is the number reported in the result. The cap applies to each step in turn.
    """
    steps = [*previous, step]
    result = _run_steps(steps, source, len(previous), timeout)[-1]
    return StepResult(
        index, result.verdict, result.detail, result.rule, result.read_as, result.counterexample
    )


def _run_steps(
    steps: list[str], source: str, start: int, timeout: float | None
) -> list[StepResult]:
    cap = timeout if timeout is not None else _settings.timeout
    skip: set[int] = set()
    results: dict[int, StepResult] = {}
    while len(results) < len(steps) - start or not steps:
        if not steps:
            return []
        done = set(results) | skip
        try:
            stream = get_pool(_settings).request("steps", (steps, source, sorted(skip)), cap)
            for item in stream:
                result = StepResult(**item)  # type: ignore[arg-type]
                if result.index >= start:
                    results[result.index] = result
                done.add(result.index)
        except (WorkerTimeout, WorkerFailed) as exc:
            # The step being judged when the worker stopped is the first one not yet answered.
            failed = next(i for i in range(len(steps)) if i not in done)
            skip.add(failed)
            detail = UNKNOWN_TOO_LARGE if isinstance(exc, WorkerTimeout) else f"unknown ({exc})"
            if failed >= start:
                results[failed] = StepResult(failed, "unknown", detail)
    return [results[i] for i in range(start, len(steps))]


def check_answer(
    answer: str, key: str, *, timeout: float | None = None, strict: bool = False
) -> AnswerResult:
    """Whether ``answer`` matches ``key``: True, False or None when it cannot be decided.

    ``strict`` compares as a CAS does (exact decimals, multiplicity of roots, no letters).
    """
    cap = timeout if timeout is not None else _settings.timeout
    try:
        for item in get_pool(_settings).request("answer", (answer, key, strict), cap):
            return AnswerResult(**item)  # type: ignore[arg-type]
    except WorkerTimeout:
        return AnswerResult(None, UNKNOWN_TOO_LARGE)
    except WorkerFailed as exc:
        return AnswerResult(None, f"unknown ({exc})")
    return AnswerResult(None, "no answer from the checker")


def read_as(line: str) -> str | None:
    """How a typed line was read, e.g. ``2(x+3)`` as ``2*(x + 3)``; None if unreadable.

    Parsing only (sizes are checked before any power is computed), so it is cheap and safe
    to call in-process on every keystroke.
    """
    try:
        statement = parse_statement(line, evaluate=False)
    except ParseError:
        claims = claims_in(line)
        return "; ".join(c.text for c in claims) or None
    except (RecursionError, ValueError, TypeError, OverflowError):
        return None
    parts = [render(statement.sides[0].expr)]
    for rel, side in zip(statement.rels, statement.sides[1:], strict=True):
        parts.append(f"{rel} {render(side.expr)}")
    return " ".join(parts)
