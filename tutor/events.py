"""The one publisher: every push to a browser goes through here.

Only this module knows group names and the shape of the channel messages. Workers publish
from a synchronous loop, so the publisher keeps one long-lived event loop on a background
thread and feeds it through queues: one `async_to_sync(group_send)` per token cost about
0.4 ms and leaked loops and connections, and unqueued sends could overtake each other.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from channels.layers import get_channel_layer

log = logging.getLogger(__name__)

QUEUE_GROUP = "tutor.queue"
HANDLER = "tutor.event"  # dispatched to SessionConsumer.tutor_event

Event = dict[str, Any]


def session_group(session_id: int) -> str:
    return f"tutor.session.{session_id}"


def user_group(user_id: int) -> str:
    """Every open socket of one user: logging out or losing access reaches them all."""
    return f"tutor.user.{user_id}"


class Publisher:
    """Sends events to channel-layer groups, in publishing order within each group.

    Each group has its own queue and sender task: a worker streaming many turns at once (the
    OpenAI backend on a thread pool) would otherwise wait on one group_send at a time, and a
    group_send cost 0.3-2 ms here. A group's sender exits after IDLE_S without events.
    """

    IDLE_S = 30.0

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._queues: dict[str, asyncio.Queue[Event]] = {}
        self._pending = 0  # touched on the loop's thread only
        self._drained: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="event-publisher", daemon=True)
        self._thread.start()
        self._ready.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._layer = get_channel_layer()
        self._drained = asyncio.Event()
        self._drained.set()
        self._ready.set()
        self._loop.run_forever()

    def _put(self, group: str, event: Event) -> None:
        assert self._drained is not None
        queue = self._queues.get(group)
        if queue is None:
            queue = self._queues[group] = asyncio.Queue()
            self._loop.create_task(self._send_all(group, queue))
        queue.put_nowait(event)
        self._pending += 1
        self._drained.clear()

    async def _send_all(self, group: str, queue: asyncio.Queue[Event]) -> None:
        assert self._drained is not None
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), self.IDLE_S)
            except TimeoutError:
                if queue.empty():  # no await since the check: _put cannot slip in
                    del self._queues[group]
                    return
                continue
            try:
                if self._layer is not None:
                    await self._layer.group_send(group, {"type": HANDLER, "event": event})
            except Exception:
                # A lost frame is recoverable: clients resync from the saved transcript.
                log.exception("publishing %s failed", event.get("type"))
            finally:
                self._pending -= 1
                if self._pending == 0:
                    self._drained.set()

    def publish(self, group: str, event: Event) -> None:
        self._loop.call_soon_threadsafe(self._put, group, event)

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until everything published so far has been handed to the channel layer."""

        async def drained() -> None:
            assert self._drained is not None
            await self._drained.wait()

        # Scheduled after every earlier publish() (the loop runs callbacks in order), so
        # their events are already counted as pending when this starts waiting.
        future = asyncio.run_coroutine_threadsafe(drained(), self._loop)
        try:
            future.result(timeout)
        except TimeoutError:
            log.warning("event publisher did not drain within %.1f s", timeout)


_publisher: Publisher | None = None
_publisher_lock = threading.Lock()


def publisher() -> Publisher:
    global _publisher
    with _publisher_lock:
        if _publisher is None:
            _publisher = Publisher()
        return _publisher


def publish_turn_event(session_id: int, event: Event) -> None:
    publisher().publish(session_group(session_id), event)


def publish_queue_changed() -> None:
    """Waiting clients recompute their place in the queue."""
    publisher().publish(QUEUE_GROUP, {"type": "queue.changed"})


def publish_access_changed(user_ids: list[int], *, logged_out: bool = False) -> None:
    """Open sockets of these users re-check their permission (or close, after a logout)."""
    event = {"type": "access.logged_out" if logged_out else "access.changed"}
    for user_id in user_ids:
        publisher().publish(user_group(user_id), event)


def flush(timeout: float = 5.0) -> None:
    publisher().flush(timeout)
