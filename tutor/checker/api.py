"""The public functions: every check runs in the bounded worker pool."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Literal

from tutor.checker import config
from tutor.checker import wording as W
from tutor.checker.extract import claims_in, final_answers
from tutor.checker.grammar import parse_statement
from tutor.checker.limits import UNKNOWN_TOO_LARGE, ParseError
from tutor.checker.pool import WorkerBusy, WorkerFailed, WorkerTimeout, get_pool
from tutor.checker.reference import Departure
from tutor.checker.results import (
    AnswerResult,
    FinalAnswer,
    KeyReading,
    SolutionResult,
    StepResult,
)
from tutor.checker.sampling import render
from tutor.checker.variants import TemplateError, Variant

Source = Literal["student", "model"]

# A line that waited for a worker and never got one was not judged: it is "unchecked", and the
# page checks it again, so a busy checker never saves an "unknown" against a student.
NOT_CHECKED_YET = W.NOT_CHECKED.format(reason=W.BUSY_CHECKED_SOON.text)
BUSY_FEEDBACK = W.BUSY_FEEDBACK.text

_settings_lock = threading.Lock()
_settings = config.from_env()


def configure(
    *,
    timeout: float | None = None,
    workers: int | None = None,
    memory_mb: int | None = None,
    wait: float | None = None,
) -> None:
    """Change the time cap (s), pool size or per-worker memory cap (MB).

    Defaults are 2.0 s, 2 workers and 512 MB, or CHECKER_TIMEOUT_S, CHECKER_WORKERS and
    CHECKER_MEMORY_MB from the environment. A new pool size or memory cap restarts the pool.
    ``wait`` (CHECKER_WAIT_S, 10 s) bounds the wait for a free worker.
    """
    global _settings
    with _settings_lock:
        _settings = config.updated(
            _settings, timeout=timeout, workers=workers, memory_mb=memory_mb, wait=wait
        )


def settings() -> config.Settings:
    return _settings


def check_steps(
    steps: Sequence[str],
    *,
    source: Source = "student",
    timeout: float | None = None,
    owner: object = None,
    known_slow: Sequence[int] = (),
    slow_budget: int | None = None,
) -> list[StepResult]:
    """Judge each step against the ones before it.

    The whole list goes to one worker. The cap applies per step: a step that takes longer
    than ``timeout`` seconds is ``unknown (timeout or too large)``, the worker is killed, and
    the remaining steps continue in a fresh worker without that step as context. So the call
    takes at most ``len(steps) * timeout`` (plus about 100 ms).

    ``owner`` (a student's id, say) is whose queue the request waits in: workers go to owners
    in turn. ``known_slow`` are lines already known to run out of time with these lines above
    them: they are ``unknown`` at once, not run again. After ``slow_budget`` lines have run out
    of time in this call, the rest are ``unchecked`` (NOT_CHECKED_YET), to be asked again; so
    one caller's pathological lines hold a worker for at most ``slow_budget`` caps. A line
    that waited for a worker past the wait limit is ``unchecked`` too, never ``unknown``.
    """
    return _run_steps(
        list(steps), source, 0, timeout, owner=owner, skip=known_slow, slow_budget=slow_budget
    )


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
    steps: list[str],
    source: str,
    start: int,
    timeout: float | None,
    *,
    owner: object = None,
    skip: Sequence[int] = (),
    slow_budget: int | None = None,
) -> list[StepResult]:
    cap = timeout if timeout is not None else _settings.timeout
    skipped = {i for i in skip if 0 <= i < len(steps)}
    results: dict[int, StepResult] = {
        i: StepResult(i, "unknown", UNKNOWN_TOO_LARGE) for i in skipped if i >= start
    }
    slow = 0
    while len(results) < len(steps) - start or not steps:
        if not steps:
            return []
        done = set(results) | skipped
        try:
            stream = get_pool(_settings).request(
                "steps", (steps, source, sorted(skipped)), cap, owner=owner, wait=_settings.wait
            )
            for item in stream:
                result = StepResult(**item)  # type: ignore[arg-type]
                if result.index >= start:
                    results[result.index] = result
                done.add(result.index)
        except WorkerBusy:
            return _fill_unchecked(results, start, len(steps))
        except (WorkerTimeout, WorkerFailed) as exc:
            # The step being judged when the worker stopped is the first one not yet answered.
            failed = next(i for i in range(len(steps)) if i not in done)
            skipped.add(failed)
            detail = (
                UNKNOWN_TOO_LARGE
                if isinstance(exc, WorkerTimeout)
                else W.UNKNOWN_BECAUSE.format(reason=exc)
            )
            if failed >= start:
                results[failed] = StepResult(failed, "unknown", detail)
            slow += isinstance(exc, WorkerTimeout)
            if slow_budget is not None and slow >= slow_budget:
                return _fill_unchecked(results, start, len(steps))
    return [results[i] for i in range(start, len(steps))]


def _fill_unchecked(results: dict[int, StepResult], start: int, end: int) -> list[StepResult]:
    return [
        results.get(i) or StepResult(i, "unchecked", NOT_CHECKED_YET) for i in range(start, end)
    ]


def check_solution(
    steps: Sequence[str],
    *,
    answer_key: str = "",
    problem: str = "",
    reference: str = "",
    source: Source = "model",
    timeout: float | None = None,
) -> SolutionResult:
    """Judge each step, then the final answer against ``answer_key`` when there is one.

    A final answer proven different from the key proves the solution wrong somewhere. When no
    step was proven wrong before it, the step that states the final answer is marked wrong; for
    a model's solution with its ``problem`` given, the first step that brings in a number
    found in neither the problem, the key nor the ``reference`` solution is marked instead
    (see ``tutor.checker.reference``). The key itself never appears in a detail.
    """
    results = check_steps(steps, source=source, timeout=timeout)
    first = next((r.index for r in results if r.verdict == "wrong"), -1)
    final = check_final_answer(steps, answer_key, problem=problem, timeout=timeout)
    if final is None:
        return SolutionResult(results, first)
    equivalent = final.result.equivalent
    if equivalent is False:
        departure = None
        # Without the problem only the key's numbers count as grounded, and in a student's
        # algebra every intermediate value is new: a located step would be a false lead.
        if source == "model" and problem.strip():
            departure = locate_departure(
                steps, problem=problem, answer_key=answer_key, reference=reference, timeout=timeout
            )
        index = final.index if departure is None else departure.index
        detail = (
            departure_detail(departure, with_reference=bool(reference))
            if departure
            else W.FINAL_NOT_KEY.format(answer=final.answer)
        )
        if first == -1 or index < first:
            old = results[index]
            results[index] = StepResult(index, "wrong", detail, read_as=old.read_as)
            first = index
    return SolutionResult(results, first, final.answer, equivalent)


def check_final_answer(
    steps: Sequence[str], answer_key: str, *, problem: str = "", timeout: float | None = None
) -> FinalAnswer | None:
    """The solution's final answer (see ``extract.final_answers``) against ``answer_key``.

    None when there is no key or no answer to read. Equivalent when any reading of the last
    sentence matches, since precision comes first; different only when every reading was
    decided and none matches; otherwise undecided. A question asked in cents may be answered
    in dollars ("$0.25" for 25 cents).
    """
    found = final_answers(steps) if answer_key.strip() else None
    if found is None or not found[1]:
        return None
    stated_at, readings = found
    in_cents = re.search(r"\bcents?\b", problem, re.I) is not None
    results = []
    for reading in readings:
        result = check_answer(reading, answer_key, timeout=timeout)
        if not result.equivalent and in_cents and _DOLLARS.fullmatch(reading):
            cents = f"{float(reading.lstrip('$').replace(',', '')) * 100:.2f}"
            result = check_answer(cents, answer_key, timeout=timeout)
        if result.equivalent:
            return FinalAnswer(stated_at, reading, result)
        results.append(result)
    if any(r.equivalent is None for r in results):
        return FinalAnswer(stated_at, readings[0], AnswerResult(None, _UNDECIDED))
    return FinalAnswer(stated_at, readings[0], results[0])


_UNDECIDED = W.FINAL_UNDECIDED.text
_DOLLARS = re.compile(r"\$?\d[\d,]*\.\d{1,2}")


def locate_departure(
    steps: Sequence[str],
    *,
    problem: str,
    answer_key: str,
    reference: str = "",
    timeout: float | None = None,
) -> Departure | None:
    """For a solution already known to end on a wrong answer: the first step that brings in a
    number found in neither the problem, the key nor the reference (``tutor.checker.reference``).
    None when every number is grounded, or the worker ran out of time."""
    cap = timeout if timeout is not None else _settings.timeout
    try:
        request = (list(steps), problem, answer_key, reference)
        replies = list(get_pool(_settings).request("locate", request, cap))
    except (WorkerBusy, WorkerTimeout, WorkerFailed):
        return None
    item = replies[0] if replies else {}
    if item.get("index") is None:
        return None
    return Departure(int(item["index"]), str(item["number"]))  # type: ignore[call-overload]


def departure_detail(departure: Departure, *, with_reference: bool) -> str:
    """Why a located step was marked, in words for the reader of the flag; never the key."""
    sources = W.SOURCES_WITH_REFERENCE if with_reference else W.SOURCES
    return W.DEPARTURE.format(sources=sources.text, number=departure.number)


def check_answer(
    answer: str,
    key: str,
    *,
    timeout: float | None = None,
    strict: bool = False,
    form: str = "",
) -> AnswerResult:
    """Whether ``answer`` matches ``key``: True, False or None when it cannot be decided.

    ``strict`` compares as a CAS does (exact decimals, multiplicity of roots, no letters).
    ``form`` is the form the question asks for (``answer_forms.FORMS``): a right value in
    another form is None, "right value, but the question asks for it expanded". Show a
    student ``feedback``, never ``detail``, which may name the key.
    """
    cap = timeout if timeout is not None else _settings.timeout
    undecided = W.UNDECIDED_FEEDBACK.text
    try:
        # Read to the end: leaving the generator before the worker's "done" counts the
        # worker as unhealthy, and the pool would kill and replace it after every answer.
        replies = list(get_pool(_settings).request("answer", (answer, key, strict, form), cap))
    except WorkerBusy:
        return AnswerResult(None, NOT_CHECKED_YET, BUSY_FEEDBACK)
    except WorkerTimeout:
        return AnswerResult(None, UNKNOWN_TOO_LARGE, undecided)
    except WorkerFailed as exc:
        return AnswerResult(None, W.UNKNOWN_BECAUSE.format(reason=exc), undecided)
    if not replies:
        return AnswerResult(None, W.NO_ANSWER.text, undecided)
    return AnswerResult(**replies[0])  # type: ignore[arg-type]


def check_answer_form(answer: str, form: str, *, timeout: float | None = None) -> str | None:
    """For an answer already known to be right: what it lacks for ``form`` ("right value, but
    the question asks for it expanded"), or None when it has the form or cannot be told."""
    cap = timeout if timeout is not None else _settings.timeout
    try:
        replies = list(get_pool(_settings).request("form", (answer, form), cap))
    except (WorkerBusy, WorkerTimeout, WorkerFailed):
        return None
    lacking = replies[0].get("lacking") if replies else None
    return str(lacking) if lacking else None


def check_key(key: str, *, timeout: float | None = None, owner: object = None) -> KeyReading:
    """How the checker reads an answer key, for the editor and the import to refuse or warn
    about a key it cannot read (every answer to it would be undecided). A student's final
    answer is read the same way for its "read as" preview; ``owner`` is whose queue it
    waits in, as for ``check_steps``."""
    cap = timeout if timeout is not None else _settings.timeout
    try:
        replies = list(get_pool(_settings).request("key", (key,), cap, owner=owner))
    except WorkerBusy:
        return KeyReading(None, problem=W.KEY_BUSY.text)
    except WorkerTimeout:
        return KeyReading(None, problem=W.KEY_TOO_LONG.text)
    except WorkerFailed as exc:
        return KeyReading(None, problem=W.KEY_CHECKER_FAILED.format(reason=exc))
    if not replies:
        return KeyReading(None, problem=W.NO_ANSWER.text)
    return KeyReading(**replies[0])  # type: ignore[arg-type]


def make_variants(
    spec: str, statement: str, key: str, seeds: Sequence[int], *, timeout: float | None = None
) -> list[Variant]:
    """The template's variant for each seed (``tutor.checker.variants``), or TemplateError
    saying what is wrong: a line that cannot be read, conditions no values meet, or a key
    the checker cannot read in some variant."""
    cap = timeout if timeout is not None else _settings.timeout
    try:
        replies = list(
            get_pool(_settings).request("variants", (spec, statement, key, list(seeds)), cap)
        )
    except WorkerBusy:
        raise TemplateError("the checker is busy; try again in a moment") from None
    except (WorkerTimeout, WorkerFailed):
        raise TemplateError(
            "working out the variants took too long; simplify the template"
        ) from None
    made = []
    for reply in replies:
        if "error" in reply:
            raise TemplateError(str(reply["error"]))
        if reply.get("key_problem"):
            raise TemplateError(f"the key {reply['key']!r} of a variant: {reply['key_problem']}")
        made.append(Variant(str(reply["statement"]), str(reply["key"]), dict(reply["values"])))  # type: ignore[call-overload]
    return made


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
