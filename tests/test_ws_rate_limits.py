"""Per-user limits on websocket messages, and at most one snapshot per interval (finding 13)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from tests.conftest import Cast, session_cookie
from tests.test_ws_security import ORIGIN, _communicator
from tutor import consumers
from tutor.services.turns import session_for

pytestmark = pytest.mark.django_db(transaction=True)


async def _drain(comm: WebsocketCommunicator, seconds: float) -> list[dict[str, Any]]:
    """Every message the socket gets within `seconds`; a close is {"closed": code}.

    Polls the queue: a receive that times out would stop the consumer.
    """
    received: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        if comm.output_queue.empty():
            await asyncio.sleep(0.02)
            continue
        output = comm.output_queue.get_nowait()
        if output["type"] == "websocket.close":
            received.append({"closed": output.get("code")})
            break
        received.append(dict(json.loads(output["text"])))
    return received


def _kinds(messages: list[dict[str, Any]]) -> list[str]:
    return [m.get("type", "closed") for m in messages]


def test_it_limits_messages_per_user_with_a_clear_message(cast: Cast, settings: Any) -> None:
    """Past the limit a request is answered "wait a few seconds", and the socket stays open."""
    settings.WS_MESSAGES_PER_MINUTE = 4
    session = session_for(student=cast.alice, problem=cast.problem)
    cookie = session_cookie(cast.alice)

    async def run() -> list[dict[str, Any]]:
        comm = _communicator(session.pk, cookie, ORIGIN)
        await comm.connect()  # the connect is the first of the four
        for _ in range(5):
            await comm.send_json_to({"type": "stop", "turn": 1})
        received = await _drain(comm, 1.0)
        await comm.disconnect()
        return received

    received = async_to_sync(run)()
    errors = [m["message"] for m in received if m.get("type") == "error"]
    assert _kinds(received).count("session.snapshot") == 1 and "closed" not in _kinds(received)
    assert errors[:3] == ["That answer does not exist."] * 3
    assert errors[3:] == [consumers.TOO_MANY] * 2


def test_the_limit_counts_every_socket_of_the_user(cast: Cast, settings: Any) -> None:
    """A second socket of the same student shares the budget; it is refused with 4429."""
    settings.WS_MESSAGES_PER_MINUTE = 3
    session = session_for(student=cast.alice, problem=cast.problem)
    cookie = session_cookie(cast.alice)

    async def run() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        first = _communicator(session.pk, cookie, ORIGIN)
        await first.connect()
        await first.send_json_to({"type": "stop", "turn": 1})
        await first.send_json_to({"type": "stop", "turn": 1})
        got_first = await _drain(first, 1.0)  # both counted before the second socket opens
        second = _communicator(session.pk, cookie, ORIGIN)
        await second.connect()
        got_second = await _drain(second, 1.0)
        await first.disconnect()
        return got_first, got_second

    got_first, got_second = async_to_sync(run)()
    assert "closed" not in _kinds(got_first)
    assert got_second == [{"closed": consumers.CLOSE_TOO_MANY}]


def test_it_sends_at_most_one_snapshot_per_interval(cast: Cast, settings: Any) -> None:
    """Ten syncs in a burst cost one snapshot then, and one more when the interval is over."""
    settings.WS_SYNC_INTERVAL_S = 0.5
    session = session_for(student=cast.alice, problem=cast.problem)
    cookie = session_cookie(cast.alice)

    async def run() -> list[dict[str, Any]]:
        comm = _communicator(session.pk, cookie, ORIGIN)
        await comm.connect()
        await asyncio.sleep(0.6)  # past the interval of the connect's own snapshot
        for _ in range(10):
            await comm.send_json_to({"type": "sync"})
        received = await _drain(comm, 1.5)
        await comm.disconnect()
        return received

    assert _kinds(async_to_sync(run)()) == ["session.snapshot"] * 3


def test_a_sync_past_the_limit_is_answered_later_not_refused(
    cast: Cast, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page waits for its snapshot: over the limit, it comes when the budget renews."""
    settings.WS_MESSAGES_PER_MINUTE = 1
    settings.WS_SYNC_INTERVAL_S = 0
    monkeypatch.setattr(consumers, "BUDGET_WINDOW_S", 1)
    session = session_for(student=cast.alice, problem=cast.problem)
    cookie = session_cookie(cast.alice)

    async def run() -> list[dict[str, Any]]:
        comm = _communicator(session.pk, cookie, ORIGIN)
        connected, _ = await comm.connect()
        while not connected:  # the connect fell at the end of a one-second window
            await asyncio.sleep(0.2)
            comm = _communicator(session.pk, cookie, ORIGIN)
            connected, _ = await comm.connect()
        await comm.receive_json_from(timeout=5)  # the connect's snapshot
        await comm.send_json_to({"type": "sync"})
        received = await _drain(comm, 2.5)
        await comm.disconnect()
        return received

    assert _kinds(async_to_sync(run)()) == ["session.snapshot"]
