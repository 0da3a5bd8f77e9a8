"""A warm pool of killable worker processes, so no check can hang or exhaust the caller.

Why processes and not threads: sympy cannot be interrupted from another thread, and
``signal.alarm`` only works in the main thread. A worker that overruns its cap is sent SIGKILL
and replaced. Workers come from a forkserver (never a plain fork: callers may be threaded or
hold CUDA), which imports sympy once, so a replacement starts in milliseconds.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing as mp
import multiprocessing.spawn as mp_spawn
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Hashable, Iterator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from tutor.checker import wording as W
from tutor.checker.config import Settings

_PRELOAD = ["tutor.checker.worker"]
_NAME = "stepwise-checker"
_original_preparation = mp_spawn.get_preparation_data


def _preparation_without_main(name: str) -> dict[str, object]:
    """Our workers never need the caller's ``__main__``.

    By default a forkserver child re-runs the parent's main script, so a caller script
    without an ``if __name__ == "__main__"`` guard would start workers recursively. The
    worker target lives in an importable module, so the main module is left out, for our
    processes only (matched by name).
    """
    data: dict[str, object] = _original_preparation(name)
    if name.startswith(_NAME):
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
    return data


mp_spawn.get_preparation_data = _preparation_without_main


class WorkerTimeout(Exception):
    """The worker did not answer within the cap and was killed."""


class WorkerFailed(Exception):
    """The worker died or reported an internal error."""


class WorkerBusy(Exception):
    """No worker came free in time: the request was never started, so nothing was judged."""


class _Ticket:
    """A caller waiting for a worker: granted either an idle worker or a slot to start one."""

    def __init__(self) -> None:
        self.worker: _Worker | None = None
        self.may_start = False
        self.granted = False


class _Worker:
    def __init__(self, ctx: mp.context.BaseContext, memory_mb: int) -> None:
        from tutor.checker import worker

        parent, child = ctx.Pipe()
        self.conn: Connection = parent
        self.proc: BaseProcess = ctx.Process(  # type: ignore[attr-defined]
            target=worker.serve, args=(child, memory_mb), daemon=True, name=f"{_NAME}-worker"
        )
        self.proc.start()
        child.close()

    def kill(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.proc.kill()  # SIGKILL: a worker deep inside sympy ignores anything gentler
        self.conn.close()
        # Reap in the background so the caller returns within its cap.
        try:
            threading.Thread(target=self.proc.join, args=(5,), daemon=True).start()
        except RuntimeError:
            # At interpreter exit (the atexit shutdown) Python 3.12 starts no new threads; the
            # worker is already SIGKILLed, so reaping it here takes moments.
            with contextlib.suppress(OSError, ValueError, AssertionError):
                self.proc.join(1)


class WorkerPool:
    """Up to ``settings.workers`` workers, shared fairly between owners.

    Callers that find no free worker wait in their owner's queue (an owner is a student, or
    the tutor), and a worker that comes free goes to the owners in turn, so one owner's
    queue of slow checks delays another owner by at most one request at a time.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload(_PRELOAD)
        self._idle: list[_Worker] = []
        self._live = 0
        self._cond = threading.Condition()
        self._closed = False
        self._waiting: OrderedDict[Hashable, deque[_Ticket]] = OrderedDict()

    def _grant(self, ticket: _Ticket) -> bool:
        """Give the ticket an idle worker or a slot to start one; False if neither exists."""
        if self._idle:
            ticket.worker = self._idle.pop()
        elif self._live < self.settings.workers:
            self._live += 1
            ticket.may_start = True
        else:
            return False
        ticket.granted = True
        return True

    def _serve_waiting(self) -> None:
        """Hand free capacity to the waiting owners in turn (round robin), oldest first."""
        while self._waiting:
            owner, queue = next(iter(self._waiting.items()))
            if not self._grant(queue[0]):
                return
            queue.popleft()
            del self._waiting[owner]
            if queue:
                self._waiting[owner] = queue  # to the back of the line
            self._cond.notify_all()

    def _acquire(self, deadline: float, owner: Hashable = None) -> _Worker:
        ticket = _Ticket()
        with self._cond:
            if self._closed:
                raise WorkerFailed(W.POOL_CLOSED.text)
            if self._waiting or not self._grant(ticket):
                self._waiting.setdefault(owner, deque()).append(ticket)
                self._serve_waiting()
            while not ticket.granted:
                remaining = deadline - time.monotonic()
                if self._closed or remaining <= 0:
                    queue = self._waiting.get(owner)
                    if queue is not None and ticket in queue:
                        queue.remove(ticket)
                        if not queue:
                            del self._waiting[owner]
                    if self._closed:
                        raise WorkerFailed(W.POOL_CLOSED.text)
                    raise WorkerBusy("no free worker")
                self._cond.wait(remaining)
        if ticket.worker is not None:
            return ticket.worker
        try:
            return _Worker(self._ctx, self.settings.memory_mb)
        except BaseException:
            self._discard()
            raise

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            if self._closed:
                worker.kill()
                self._live -= 1
            else:
                self._idle.append(worker)
                self._serve_waiting()
            self._cond.notify_all()

    def _discard(self) -> None:
        with self._cond:
            self._live -= 1
            self._serve_waiting()
            self._cond.notify_all()

    def request(
        self,
        kind: str,
        args: tuple[object, ...],
        timeout: float,
        *,
        owner: Hashable = None,
        wait: float | None = None,
    ) -> Iterator[dict[str, object]]:
        """Send one request; yield each reply, each within ``timeout`` of the previous one.

        Waiting for a free worker is bounded by ``wait`` (default: ``timeout``) and does not
        count against the request's own cap: a check that was only queued is WorkerBusy, never
        WorkerTimeout. Raises WorkerTimeout (after killing the worker) when a reply is late.
        """
        worker = self._acquire(time.monotonic() + (timeout if wait is None else wait), owner)
        deadline = time.monotonic() + timeout
        healthy = False
        try:
            worker.conn.send((kind, args))
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not worker.conn.poll(remaining):
                    raise WorkerTimeout("timeout")
                status, item = worker.conn.recv()
                if status == "done":
                    healthy = True
                    return
                if status == "error":
                    healthy = True
                    raise WorkerFailed(str(item))
                deadline = time.monotonic() + timeout
                yield item
        except (EOFError, OSError, BrokenPipeError) as exc:
            raise WorkerFailed(W.WORKER_DIED.text) from exc
        finally:
            if healthy:
                self._release(worker)
            else:
                worker.kill()
                self._discard()

    def warm(self) -> None:
        """Start every worker now instead of on first use."""
        started = [self._acquire(time.monotonic() + 30) for _ in range(self.settings.workers)]
        for worker in started:
            self._release(worker)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._live -= len(idle)
            self._cond.notify_all()
        for worker in idle:
            worker.kill()


_lock = threading.Lock()
_pool: WorkerPool | None = None


def get_pool(settings: Settings) -> WorkerPool:
    """The shared pool, started lazily; a change of settings starts a fresh one."""
    global _pool
    with _lock:
        if _pool is not None and (
            _pool.settings.workers != settings.workers
            or _pool.settings.memory_mb != settings.memory_mb
        ):
            _pool.close()
            _pool = None
        if _pool is None:
            _pool = WorkerPool(settings)
        return _pool


def shutdown() -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.close()
            _pool = None


atexit.register(shutdown)
