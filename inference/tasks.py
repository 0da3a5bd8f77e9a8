"""The Celery task that runs the tutor model for one turn and streams it to the browser.

Flow: claim the turn -> backend.stream(...) -> coalesced, numbered deltas -> events ->
completed steps judged by the checker -> transcript saved as it grows and at the end.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

from celery import Task
from celery.signals import worker_ready
from django.conf import settings
from django.db import close_old_connections

from inference.backends import Backend, Delta, GenerationParams, Stats, load_backend
from inference.turn_stream import TurnStream
from tutor import events, turn_state
from tutor.celery import app
from tutor.checker_warmup import warm_checker_in_background
from tutor.models import Turn
from tutor.services import turns

log = logging.getLogger(__name__)


def heartbeat_every_s() -> float:
    return settings.TURN_HEARTBEAT_TTL_S / 3


def backend() -> Backend:
    """The model for this worker process, loaded once (never in the web process)."""
    if settings.TUTOR_BACKEND == "scripted":
        rate = settings.TUTOR_SCRIPT_TOKENS_PER_S or None
        return load_backend("scripted", settings.TUTOR_SCRIPT, tokens_per_s=rate)
    if settings.TUTOR_BACKEND == "openai":
        return load_backend(
            "openai",
            settings.TUTOR_OPENAI_MODEL,
            base_url=settings.TUTOR_OPENAI_BASE_URL,
            api_key=settings.TUTOR_OPENAI_API_KEY,
        )
    return load_backend(
        settings.TUTOR_BACKEND, settings.TUTOR_MODEL, tiny_dir=settings.TUTOR_TINY_DIR
    )


@worker_ready.connect
def _warm_up(**_: Any) -> None:
    # Load the weights and start the checker's processes before the first student waits.
    backend()
    warm_checker_in_background()
    threading.Thread(target=_reap_forever, name="turn-reaper", daemon=True).start()


def _reap_forever() -> None:
    """Fail turns whose worker died (kill -9, lost host), so none stays "running".

    Every worker does this; the updates are conditional, so doing it twice is harmless.
    """
    while True:
        try:
            close_old_connections()
            turns.turns_reap_dead()
        except Exception:
            log.warning("reaping dead turns failed", exc_info=True)
        time.sleep(settings.TURN_HEARTBEAT_TTL_S)


@contextlib.contextmanager
def _heartbeat(turn_id: int) -> Iterator[None]:
    """Keep the turn's heartbeat fresh while it runs; a killed worker stops it at once."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(heartbeat_every_s()):
            try:
                turn_state.heartbeat(turn_id)
            except Exception:
                log.warning("heartbeat for turn %s failed", turn_id, exc_info=True)

    thread = threading.Thread(target=beat, name=f"heartbeat-{turn_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def generation_params() -> GenerationParams:
    return GenerationParams.validated(
        max_new_tokens=settings.TUTOR_MAX_NEW_TOKENS,
        temperature=settings.TUTOR_TEMPERATURE,
        top_p=settings.TUTOR_TOP_P,
        wall_clock_s=settings.TUTOR_WALL_CLOCK_S,
    )


@app.task(
    bind=True, acks_late=True, reject_on_worker_lost=True, name="inference.tasks.generate_turn"
)
def generate_turn(self: Task, turn_id: int) -> None:
    """Generate the tutor's answer for one turn. Safe to deliver more than once."""
    model = backend()
    turn = turns.turn_start(turn_id=turn_id)
    if turn is None:
        return
    events.publish_queue_changed()
    stream = TurnStream(turn=turn, is_demo=model.is_demo, model_name=model.name)
    try:
        with _heartbeat(turn_id):
            try:
                stats = _run(model, stream, turn)
            finally:
                # Steps still being judged belong to the run: keep the heartbeat until done.
                stream.checks.wait()
    except Exception:
        log.exception("turn %s failed", turn_id)
        stream.fail("The tutor hit an error while answering. Try again.")
        return
    stream.finish(stats)


def _run(model: Backend, stream: TurnStream, turn: Turn) -> Stats:
    messages = stream.messages()
    stats: Stats | None = None
    for item in model.stream(messages, generation_params(), should_stop=stream.should_stop):
        if isinstance(item, Delta):
            stream.push(item.text, time.monotonic())
        elif isinstance(item, Stats):
            stats = item
    if stats is None:
        raise RuntimeError("backend ended without stats")
    return stats
