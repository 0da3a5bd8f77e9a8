"""Step checks run beside decoding: the decoding thread never waits for the checker."""

from __future__ import annotations

import threading
import time

import pytest

from tutor.worker.step_checks import BackgroundChecks


def test_submitting_does_not_wait_and_every_step_is_judged_in_order() -> None:
    judged: list[int] = []
    release = threading.Event()

    def judge(index: int, text: str, in_thinking: bool) -> None:
        release.wait(5)  # a slow check: the submitter must not feel it
        judged.append(index)

    checks = BackgroundChecks(judge)
    started = time.monotonic()
    for n in range(5):
        checks.submit(n, f"step {n}", False)
    assert time.monotonic() - started < 0.5 and judged == []
    release.set()
    checks.wait()
    assert judged == [0, 1, 2, 3, 4]


def test_a_failing_check_is_logged_and_the_rest_still_run(caplog: pytest.LogCaptureFixture) -> None:
    judged: list[int] = []

    def judge(index: int, text: str, in_thinking: bool) -> None:
        if index == 1:
            raise RuntimeError("checker bug")
        judged.append(index)

    checks = BackgroundChecks(judge)
    for n in range(3):
        checks.submit(n, "x", False)
    checks.wait()
    checks.submit(3, "after a wait, a new thread takes over", False)
    checks.wait()
    assert judged == [0, 2, 3]
    assert "checking step 1 failed" in caplog.text
