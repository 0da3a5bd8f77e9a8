"""The one publisher: every push to a browser goes through here.

Only this module knows group names and the shape of the channel messages. Workers publish
from a synchronous loop, so the publisher keeps one long-lived event loop on a background
thread and feeds it through a queue: one `async_to_sync(group_send)` per token cost about
0.4 ms and leaked loops and connections, and concurrent sends could overtake each other.
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
    """Sends events to channel-layer groups in the order they were published."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._queue: asyncio.Queue[tuple[str, Event]] | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="event-publisher", daemon=True)
        self._thread.start()
        self._ready.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._queue = asyncio.Queue()
        self._loop.create_task(self._drain())
        self._ready.set()
        self._loop.run_forever()

    async def _drain(self) -> None:
        assert self._queue is not None
        layer = get_channel_layer()
        while True:
            group, event = await self._queue.get()
            try:
                if layer is not None:
                    await layer.group_send(group, {"type": HANDLER, "event": event})
            except Exception:
                # A lost frame is recoverable: clients resync from the saved transcript.
                log.exception("publishing %s failed", event.get("type"))
            finally:
                self._queue.task_done()

    def publish(self, group: str, event: Event) -> None:
        assert self._queue is not None
        self._loop.call_soon_threadsafe(self._queue.put_nowait, (group, event))

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until everything published so far has been handed to the channel layer."""
        assert self._queue is not None
        future = asyncio.run_coroutine_threadsafe(self._queue.join(), self._loop)
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
