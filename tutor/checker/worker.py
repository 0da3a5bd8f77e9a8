"""The code that runs inside a pool worker process.

The forkserver imports this module once (and sympy with it), so each new worker starts warm.
"""

from __future__ import annotations

import contextlib
import resource
from collections.abc import Iterator
from multiprocessing.connection import Connection

from tutor.checker.answer_forms import form_problem
from tutor.checker.answers import judge_answer, read_key
from tutor.checker.reference import first_departure
from tutor.checker.steps import judge_steps
from tutor.checker.variants import TemplateError, variant


def handle(kind: str, args: tuple[object, ...]) -> Iterator[dict[str, object]]:
    """Run one request; each yielded dict is sent to the parent as soon as it is ready."""
    if kind == "steps":
        steps, source, skip = args
        for result in judge_steps(list(steps), str(source), frozenset(skip)):  # type: ignore[call-overload]
            yield result.to_dict()
    elif kind == "answer":
        answer, key, strict, form = args
        yield judge_answer(str(answer), str(key), strict=bool(strict), form=str(form)).to_dict()
    elif kind == "form":
        answer, form = args
        yield {"lacking": form_problem(str(answer), str(form))}
    elif kind == "key":
        (key,) = args
        yield read_key(str(key)).to_dict()
    elif kind == "locate":
        steps, problem, key, reference = args
        found = first_departure(list(steps), str(problem), str(key), str(reference))  # type: ignore[call-overload]
        yield {"index": found.index, "number": found.number} if found else {"index": None}
    elif kind == "variants":
        spec, statement, key, seeds = args
        for seed in seeds:  # type: ignore[attr-defined]
            try:
                made = variant(str(spec), str(statement), str(key), int(seed))
            except TemplateError as exc:
                yield {"error": str(exc)}
                return
            reading = read_key(made.key)
            yield {**made.to_dict(), "key_problem": reading.problem}
    elif kind == "ping":
        yield {"pong": True}
    else:
        raise ValueError(f"unknown request {kind!r}")


def serve(conn: Connection, memory_mb: int) -> None:
    """Answer requests until the parent closes the pipe (or kills this process)."""
    limit = memory_mb * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):  # a lower hard limit may already be set
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        try:
            kind, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            for item in handle(kind, args):
                conn.send(("item", item))
            conn.send(("done", None))
        except MemoryError:
            conn.send(("error", "memory"))
        except Exception as exc:  # a bug must cost one answer, never the worker
            conn.send(("error", f"{type(exc).__name__}: {str(exc)[:200]}"))
