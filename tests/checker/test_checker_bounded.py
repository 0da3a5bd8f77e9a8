"""Bounded execution: pathological input returns unknown within the cap, and the pool recovers."""

from __future__ import annotations

import threading
import time

import pytest

from tutor.checker import check_answer, check_step, check_steps
from tutor.checker.limits import UNKNOWN_TOO_LARGE

PATHOLOGICAL = [
    "9**9**9**9",  # tower of powers
    "10**10**10",  # ten billion digits
    "factorial(10**7)",  # huge factorial
    "((((x+1)^2+1)^2+1)^2+1)^50 = ((((x+2)^2+1)^2+1)^2+1)^50",  # nested powers
    "1+" * 1900 + "1",  # very long input
]


@pytest.mark.parametrize("step", PATHOLOGICAL)
def test_pathological_steps_are_unknown_within_the_cap(small_cap: float, step: str) -> None:
    """Each returns quickly as unknown (timeout or too large), never hangs."""
    started = time.monotonic()
    (result,) = check_steps([step], source="student", timeout=small_cap)
    elapsed = time.monotonic() - started
    assert elapsed < small_cap + 0.1 + 0.4  # cap + 100 ms, plus a cold worker start
    assert result.verdict in ("unknown", "ok", "none")


def test_a_hung_worker_is_killed_within_cap_plus_100ms(small_cap: float) -> None:
    """A check that cannot finish is cut at the cap, and the verdict says why."""
    check_steps(["1+1=2"], timeout=small_cap)  # warm a worker
    slow = "(x+1)^9000 = (x+2)^9000"
    started = time.monotonic()
    result = check_step(
        slow, previous=["(x+1)^9000 = (x+3)^9000"], source="student", timeout=small_cap
    )
    elapsed = time.monotonic() - started
    if result.verdict == "unknown":
        assert result.detail == UNKNOWN_TOO_LARGE
    assert elapsed < small_cap + 0.1


def test_the_pool_keeps_answering_after_a_timeout(small_cap: float) -> None:
    """After a killed worker, the next check works."""
    check_steps(["(x+1)^9000 = (x+2)^9000", "(x+1)^9000=(x+5)^9000"], timeout=small_cap)
    assert check_steps(["2+2=4"], timeout=2.0)[0].verdict == "ok"


def test_answers_are_bounded(small_cap: float) -> None:
    """check_answer on a huge input is undecided, not hung."""
    started = time.monotonic()
    result = check_answer("9**9**9**9", "1", timeout=small_cap)
    assert result.equivalent is None
    assert time.monotonic() - started < small_cap + 0.5


def test_concurrent_threads_share_the_pool() -> None:
    """Several threads may call at once; each gets its own right answer."""
    out: dict[int, str] = {}

    def work(n: int) -> None:
        out[n] = check_steps([f"{n} + 1 = {n + 1}"], timeout=5.0)[0].verdict

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == {n: "ok" for n in range(6)}


def test_check_step_carries_known_values() -> None:
    """The streaming path judges one new step with the earlier ones as context."""
    result = check_step("\\(2x = 12\\)", previous=["Let \\(x = 6\\)."], index=1)
    assert result.index == 1
    assert result.verdict == "ok"


def test_answer_checks_reuse_the_warm_workers() -> None:
    """A normal answer check hands its worker back to the pool instead of killing it."""
    from tutor.checker.api import settings
    from tutor.checker.pool import get_pool

    check_answer("1/2", "0.5")  # the pool is warm
    pool = get_pool(settings())
    before = {w.proc.pid for w in pool._idle}
    for _ in range(5):
        assert check_answer("1/2", "0.5").equivalent is True
    assert before and {w.proc.pid for w in pool._idle} == before
