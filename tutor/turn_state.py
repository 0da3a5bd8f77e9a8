"""The short-lived state of running turns, kept in Redis.

The database holds every checked step as soon as it is published, and the heartbeat of each
running turn (``Turn.heartbeat_at``: a Redis restart must not make a live turn look dead).
Redis holds the sequence number of the newest event a running turn published, so a failure
recorded from outside (its worker died) can outrank everything the dead worker sent, and the
cancel requests, which reach the worker within one decode step.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache

import redis
from django.conf import settings

log = logging.getLogger(__name__)

LIVE_TTL_S = 3600


@lru_cache(maxsize=1)
def client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, health_check_interval=30)


def _cancel_key(turn_id: int) -> str:
    return f"stepwise:turn:{turn_id}:cancel"


def _cancel_channel(turn_id: int) -> str:
    # Pub/sub names are server-wide, unlike keys: scope them to this deployment.
    return f"{settings.REDIS_PUBSUB_PREFIX}:turn:{turn_id}:cancel"


def _seq_key(turn_id: int) -> str:
    return f"stepwise:turn:{turn_id}:seq"


def record_seq(turn_id: int, seq: int) -> None:
    """Record the sequence number of the newest event a running turn published."""
    client().set(_seq_key(turn_id), seq, ex=LIVE_TTL_S)


def live_seq(turn_id: int) -> int | None:
    """The sequence number of the newest event a running turn published, or None."""
    seq = client().get(_seq_key(turn_id))
    return None if seq is None else int(seq)


def request_cancel(turn_id: int) -> None:
    client().set(_cancel_key(turn_id), b"1", ex=LIVE_TTL_S)
    client().publish(_cancel_channel(turn_id), b"1")


class CancelWatch:
    """A local flag that is set soon after a turn's cancel is requested.

    The decode loop asks at every step; a Redis round trip there cost about 0.1 ms a token
    (twice: the generation thread and the reader both ask). A background thread listens on
    pub/sub instead, and re-reads the key every POLL_S in case a message was missed (sent
    before it subscribed, or lost in a Redis restart).
    """

    POLL_S = 0.5

    def __init__(self, turn_id: int) -> None:
        self.turn_id = turn_id
        self._flag = threading.Event()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"cancel-{turn_id}", daemon=True)
        self._thread.start()

    def is_set(self) -> bool:
        return self._flag.is_set()

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=2)

    def _run(self) -> None:
        while not self._closed.is_set() and not self._flag.is_set():
            try:
                self._listen()
            except redis.RedisError:
                log.warning("cancel watch for turn %s lost Redis; retrying", self.turn_id)
                self._closed.wait(self.POLL_S)

    def _listen(self) -> None:
        pubsub = client().pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.subscribe(_cancel_channel(self.turn_id))
            while not self._closed.is_set():
                # The key is read after subscribing, so no cancel falls between the two.
                if cancel_requested(self.turn_id) or pubsub.get_message(timeout=self.POLL_S):
                    self._flag.set()
                    return
        finally:
            pubsub.close()


def cancel_requested(turn_id: int) -> bool:
    return bool(client().exists(_cancel_key(turn_id)))


def clear(turn_id: int) -> None:
    client().delete(_seq_key(turn_id), _cancel_key(turn_id))
