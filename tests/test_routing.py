"""Scale-out on one queue: two real Celery workers share the students' turns.

The worker processes run the scripted backend at a fixed rate, so each answer takes a known
couple of seconds and the spread across workers (and the total time) means something.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest

from inference.backends import chunk_text
from tests.conftest import (
    ROOT,
    Cast,
    LiveStack,
    scripted_env,
    start_worker,
    stop,
    worker_parked,
)
from tests.wsclient import TutorSocket
from tutor.models import Enrolment, Turn, User
from tutor.services.turns import session_for

pytestmark = pytest.mark.live

# About 60 chunks at 30 per second: two seconds per answer.
ROUTING_SCRIPT = "".join(f"Step {n}: {n} + {n} = {2 * n}.\n" for n in range(1, 7)) + "Done."
TOKENS_PER_S = 30
WORKERS = ("worker1", "worker2")
SUCCEEDED = "Task tutor.worker.generate_turn["


def _wait_until_ready(logs: list[Path], procs: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for proc in procs:
            assert proc.poll() is None, "a worker exited during start-up"
        if all(log.exists() and " ready." in log.read_text(errors="replace") for log in logs):
            return
        time.sleep(0.2)
    raise AssertionError("workers did not become ready within 60 s")


@pytest.fixture(scope="module")
def two_workers(live_stack: LiveStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The live stack's worker replaced by two scripted workers on the same queue.

    Their logs go to a directory of this module's own, so counting "succeeded" lines is not
    confused by other runs appending to the shared worker.log.
    """
    log_dir = tmp_path_factory.mktemp("routing-logs")
    env = scripted_env(live_stack.env, ROUTING_SCRIPT, TOKENS_PER_S)
    with worker_parked(live_stack):
        procs = [start_worker(env, log_dir, name=name) for name in WORKERS]
        try:
            _wait_until_ready([log_dir / f"{name}.log" for name in WORKERS], procs)
            yield log_dir
        finally:
            stop(*procs)


def _students(cast: Cast, count: int) -> list[User]:
    students = [cast.alice, cast.bob]
    for n in range(len(students), count):
        student = User.objects.create_user(f"student{n}", password="pw", role=User.Role.STUDENT)
        Enrolment.objects.create(classroom=cast.classroom, student=student)
        students.append(student)
    return students


def test_it_spreads_concurrent_students_across_both_workers(
    live_stack: LiveStack, two_workers: Path, transactional_db: None, cast: Cast
) -> None:
    """Four students ask at once; both workers answer, and nobody waits for all four."""
    one_answer_s = len(chunk_text(ROUTING_SCRIPT)) / TOKENS_PER_S
    students = _students(cast, 4)
    sessions = [session_for(student=s, problem=cast.problem) for s in students]
    asks = [
        live_stack.ask(s, session.pk, timeout=45)
        for s, session in zip(students, sessions, strict=True)
    ]

    async def timed(answer: Coroutine[Any, Any, TutorSocket], started: float) -> float:
        await answer
        return time.monotonic() - started

    async def everyone() -> list[float]:
        started = time.monotonic()
        return await asyncio.gather(*(timed(answer, started) for answer in asks))

    finished_after = asyncio.run(everyone())
    print(f"one answer {one_answer_s:.1f} s; finished after", [f"{t:.1f}" for t in finished_after])
    for session in sessions:
        turn = Turn.objects.get(session=session)
        assert turn.status == Turn.Status.DONE and turn.text == ROUTING_SCRIPT
    # Celery logs "received" and "succeeded" for each task; count only the latter.
    per_worker = {
        name: sum(
            1
            for line in (two_workers / f"{name}.log").read_text(errors="replace").splitlines()
            if SUCCEEDED in line and "succeeded" in line
        )
        for name in WORKERS
    }
    assert sum(per_worker.values()) == 4 and all(per_worker.values()), per_worker
    # One worker alone needs four answers back to back (about 8 s of streaming); two need
    # about half. The bound leaves room for a busy shared machine but not for serial work.
    assert max(finished_after) < 4 * one_answer_s + 6, (finished_after, per_worker)


def test_the_queue_comes_from_tutor_queue() -> None:
    """A deployment names its queue in the environment; generation tasks are routed to it."""
    code = (
        "from tutor.celery import GENERATE_TURN, app; "
        "print(app.amqp.router.route({}, GENERATE_TURN)['queue'].name)"
    )
    env = {**os.environ, "TUTOR_QUEUE": "gpu-host1"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "gpu-host1"
