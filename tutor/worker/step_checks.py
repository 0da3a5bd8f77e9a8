"""Judging a turn's completed steps on a thread beside decoding."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from django.db import connection

log = logging.getLogger(__name__)


class BackgroundChecks:
    """Judges completed steps on one thread, in the order they completed.

    Decoding runs on the worker's own thread; a step check (a few ms, up to the checker's cap)
    done there would stall the model between two tokens. Each step is still judged before its
    verdict is published, and ``wait`` returns once every submitted step has been.
    """

    def __init__(self, judge: Callable[[int, str, bool], None]) -> None:
        self._judge = judge
        self._queue: queue.Queue[tuple[int, str, bool] | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def submit(self, index: int, text: str, in_thinking: bool) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="step-checks", daemon=True)
            self._thread.start()
        self._queue.put((index, text, in_thinking))

    def wait(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        try:
            while (item := self._queue.get()) is not None:
                try:
                    self._judge(*item)
                except Exception:  # one step's failure must not stop the others being judged
                    log.exception("checking step %s failed", item[0])
        finally:
            connection.close()  # this thread's own database connection
