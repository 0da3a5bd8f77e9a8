"""The Celery task that answers one turn, and what keeps turns honest around it.

A claimed turn keeps a heartbeat in the database while it runs; every worker and web process
reaps turns whose heartbeat stopped (a kill -9, a lost host), so none stays "running".
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from typing import Any

from celery import Task
from celery.signals import worker_ready
from django.conf import settings
from django.db import close_old_connections, connection

from tutor import events, turn_errors
from tutor.celery import GENERATE_TURN, app
from tutor.checker_warmup import warm_checker_in_background
from tutor.reaper import start_reaper
from tutor.selectors import turn_inputs
from tutor.services import turn_runs
from tutor.worker.backend import configured_backend, generation_params
from tutor.worker.turn_stream import TurnStream

log = logging.getLogger(__name__)


def heartbeat_every_s() -> float:
    return settings.TURN_HEARTBEAT_TTL_S / 3


@worker_ready.connect
def _warm_up(**_: Any) -> None:
    # Load the weights and start the checker's processes before the first student waits.
    configured_backend()
    warm_checker_in_background()
    start_reaper()


@contextlib.contextmanager
def _heartbeat(stream: TurnStream) -> Iterator[None]:
    """Keep the turn's heartbeat fresh while it runs; a killed worker stops it at once.

    A beat that finds the turn no longer this run's (failed and retried elsewhere) stops
    the stream: one turn never runs twice at once.
    """
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(heartbeat_every_s()):
            try:
                close_old_connections()
                turn_runs.turn_heartbeat(turn_id=stream.turn.pk, attempt=stream.attempt)
            except turn_runs.TurnTaken:
                stream.lose()
                return
            except Exception:
                # The database is away for a moment: the next beat tries again.
                log.warning("heartbeat for turn %s failed", stream.turn.pk, exc_info=True)
        connection.close()

    thread = threading.Thread(target=beat, name=f"heartbeat-{stream.turn.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@app.task(bind=True, acks_late=True, reject_on_worker_lost=True, name=GENERATE_TURN)
def generate_turn(self: Task, turn_id: int) -> None:
    """Generate the tutor's answer for one turn. Safe to deliver more than once."""
    model = configured_backend()
    turn = turn_runs.turn_start(turn_id=turn_id, model_name=model.name, is_demo=model.is_demo)
    if turn is None:
        return
    events.publish_queue_changed()
    stream = TurnStream(
        turn=turn, inputs=turn_inputs(turn=turn), retries=settings.TUTOR_STEP_RETRIES
    )
    try:
        with _heartbeat(stream):
            try:
                stats = stream.run(model, generation_params())
            finally:
                # Steps still being judged belong to the run: keep the heartbeat until done.
                stream.checks.wait()
    except turn_runs.TurnTaken:
        log.warning("turn %s was taken from this worker; it stops here", turn_id)
        stream.lose()
        return
    except Exception:
        log.exception("turn %s failed", turn_id)
        stream.fail(turn_errors.FAILED)
        return
    stream.finish(stats)
