"""Failing turns whose worker died, on a schedule, in every worker and every web process.

A turn is failed only when its heartbeat in the database is stale, in one conditional
UPDATE, so several reapers at once are harmless. The web processes reap too: with no worker
alive at all, a student must still see that the tutor stopped, without reloading.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections

from tutor.services import turn_runs

log = logging.getLogger(__name__)

_started = False
_lock = threading.Lock()


def reap_every_s() -> float:
    return settings.TURN_HEARTBEAT_TTL_S / 3


def start_reaper() -> None:
    """Start this process's reaper thread, once."""
    global _started
    with _lock:
        if _started:
            return
        _started = True
    threading.Thread(target=_reap_forever, name="turn-reaper", daemon=True).start()


def _reap_forever() -> None:
    while True:
        try:
            close_old_connections()
            turn_runs.turns_reap_dead()
        except Exception:
            log.warning("reaping dead turns failed", exc_info=True)
        time.sleep(reap_every_s())
