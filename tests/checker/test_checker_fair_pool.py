"""One caller's slow checks cannot starve another's: fair turns, a wait limit, a slow budget."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from tutor.checker import NOT_CHECKED_YET, check_steps, configure
from tutor.checker.config import Settings
from tutor.checker.limits import UNKNOWN_TOO_LARGE
from tutor.checker.pool import WorkerBusy, WorkerPool, WorkerTimeout

# Slow to judge, each: under any earlier line, the huge power runs past a small cap.
BIG = ["(x+1)^9000 = (x+2)^9000", "(x+1)^8000 = (x+2)^8000", "(x+1)^9001 = (x+2)^9001"]
SLOW = ["x = 1", BIG[0]]


def _run(pool: WorkerPool, lines: list[str], cap: float, owner: str, wait: float) -> str:
    try:
        list(pool.request("steps", (lines, "student", []), cap, owner=owner, wait=wait))
    except WorkerTimeout:
        return "timeout"
    except WorkerBusy:
        return "busy"
    return "done"


@pytest.fixture
def one_worker() -> Iterator[WorkerPool]:
    pool = WorkerPool(Settings(timeout=0.4, workers=1))
    pool.warm()
    yield pool
    pool.close()


def test_workers_go_to_owners_in_turn(one_worker: WorkerPool) -> None:
    """Five slow requests of one student, then one quick request of another: with one worker,
    the quick one is served after at most two slow ones, not after all five."""
    finished: list[str] = []
    lock = threading.Lock()

    def run(name: str, lines: list[str], owner: str) -> None:
        _run(one_worker, lines, 0.4, owner, wait=30)
        with lock:
            finished.append(name)

    threads = []
    for n in range(5):
        threads.append(threading.Thread(target=run, args=(f"slow{n}", SLOW, "greedy")))
        threads[-1].start()
        time.sleep(0.05)  # queued in this order
    quick = threading.Thread(target=run, args=("quick", ["3x + 5 = 20", "3x = 15"], "other"))
    quick.start()
    for thread in [*threads, quick]:
        thread.join(30)
    assert len(finished) == 6, finished
    assert finished.index("quick") <= 2, finished


def test_a_request_that_only_waited_is_busy_not_timed_out(one_worker: WorkerPool) -> None:
    """Waiting in line past the wait limit is WorkerBusy; the cap counts only once it runs."""
    hog = threading.Thread(target=_run, args=(one_worker, ["x = 1", *BIG], 2.0, "greedy", 30))
    hog.start()
    time.sleep(0.2)
    started = time.monotonic()
    assert _run(one_worker, ["1 + 1 = 2"], 0.4, "other", wait=0.3) == "busy"
    assert time.monotonic() - started < 1.0
    hog.join(30)
    # Once free, the same request runs, with its whole cap.
    assert _run(one_worker, ["1 + 1 = 2"], 0.4, "other", wait=5) == "done"


@pytest.fixture
def starved_pool() -> Iterator[None]:
    configure(workers=1, wait=0.3)
    check_steps(["1 + 1 = 2"], timeout=10)  # start the pool outside the timings
    yield
    configure(workers=2, wait=10)


def test_a_starved_line_is_unchecked_never_unknown(starved_pool: None) -> None:
    """A student whose lines never got a worker sees 'not checked yet', which the page asks
    again; 'unknown (timeout or too large)' would be saved as if the line were at fault."""
    hog = threading.Thread(
        target=check_steps, args=(["x = 1", *BIG],), kwargs={"timeout": 1.5, "owner": "greedy"}
    )
    hog.start()
    time.sleep(0.3)
    results = check_steps(["3x + 5 = 20", "3x = 15"], timeout=1.5, owner="other")
    hog.join(30)
    assert [r.verdict for r in results] == ["unchecked", "unchecked"]
    assert all(r.detail == NOT_CHECKED_YET for r in results)


def test_the_slow_budget_stops_a_request_after_that_many_timeouts(small_cap: float) -> None:
    lines = ["x = 1", *BIG, "x = 1"]
    started = time.monotonic()
    results = check_steps(lines, timeout=small_cap, slow_budget=1)
    elapsed = time.monotonic() - started
    verdicts = [r.verdict for r in results]
    assert verdicts.count("unknown") == 1, results
    first_slow = verdicts.index("unknown")
    assert results[first_slow].detail == UNKNOWN_TOO_LARGE
    assert all(r.verdict == "unchecked" for r in results[first_slow + 1 :]), results
    assert all(r.detail == NOT_CHECKED_YET for r in results[first_slow + 1 :])
    assert elapsed < small_cap + 1.0


def test_lines_known_to_be_slow_are_not_run_again(small_cap: float) -> None:
    lines = ["x = 1", BIG[0], BIG[1], "2x = 2"]
    started = time.monotonic()
    results = check_steps(lines, timeout=small_cap, known_slow=[1, 2])
    assert time.monotonic() - started < small_cap  # neither slow line ran
    assert [(r.verdict, r.detail) for r in results[1:3]] == [("unknown", UNKNOWN_TOO_LARGE)] * 2
    assert results[3].verdict == "ok", results
