"""Item 26, fuzzed: whatever a client sends on the tutor socket, the socket stays open.

Frames of hostile JSON (NUL, lone surrogates, huge or infinite numbers, wrong types), JSON
nested far past the parser's limit, over-size text and binary frames that are not UTF-8 go
to a real SessionConsumer through the real ASGI stack. After each one a sync must still come
back as a snapshot: no close, no 1011, and no request that failed in an unexpected way.

Profiles: "ci" (300 examples, the default) and "fuzz" (10,000):
    HYPOTHESIS_PROFILE=fuzz pytest --timeout=0 tests/test_fuzz_websocket.py
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from collections.abc import Coroutine, Iterator
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Cast, session_cookie
from tests.test_ws_security import ORIGIN, _communicator
from tutor.services import turns
from tutor.services.turns import session_for

pytestmark = pytest.mark.django_db(transaction=True)

settings.register_profile(
    "websocket-ci",
    max_examples=300,
    deadline=None,
    # One socket serves every example: the fixtures are meant to outlive them.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "websocket-fuzz",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PROFILE = settings.get_profile(
    "websocket-fuzz" if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else "websocket-ci"
)

# Every code point, surrogates and NUL included (the default alphabet leaves surrogates out).
ANY_CHARACTER = st.characters(codec=None, categories=None)
HOSTILE_TEXT = st.one_of(
    st.text(ANY_CHARACTER, max_size=60),
    st.sampled_from(["\x00", "a\x00b", "\ud800", "\udfff x", "\u202e", "<|end|>", "\u2019"]),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    HOSTILE_TEXT,
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(HOSTILE_TEXT, inner, max_size=4),
    max_leaves=12,
)
MESSAGES = st.fixed_dictionaries(
    {"type": st.sampled_from(["ask", "sync", "stop", "retry", "continue"]) | VALUES},
    optional={"mode": st.sampled_from(["hint", "followup", "solve"]) | VALUES, "question": VALUES,
              "turn": VALUES},
)  # fmt: skip


def _nested(depth: int, kind: str) -> str:
    if kind == "list":
        return "[" * depth + "]" * depth
    return '{"type": "ask", "question": ' + '{"a": ' * depth + "1" + "}" * depth + "}"


FRAMES = st.one_of(
    MESSAGES.map(lambda m: {"text": json.dumps(m)}),  # NaN and Infinity as JSON allows them
    st.text(ANY_CHARACTER, max_size=200).map(lambda t: {"text": t}),
    st.builds(_nested, st.integers(1, 4000), st.sampled_from(["list", "dict"])).map(
        lambda t: {"text": t}
    ),
    st.integers(8000, 70_000).map(lambda n: {"text": '{"type": "ask", "question": "' + "x" * n}),
    st.binary(max_size=300).map(lambda b: {"bytes": b}),
)


class SocketThread:
    """One tutor socket, on an event loop of its own, that examples send frames to."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.comm: WebsocketCommunicator | None = None

    def run(self, coroutine: Coroutine[Any, Any, Any], timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        if self.comm is not None:
            self.run(self.comm.disconnect())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


async def _until_snapshot(comm: WebsocketCommunicator) -> None:
    while True:
        output = await comm.receive_output(timeout=20)
        assert output["type"] != "websocket.close", f"socket closed: {output}"
        if json.loads(output["text"])["type"] == "session.snapshot":
            return


async def _open(session_id: int, cookie: str) -> WebsocketCommunicator:
    comm = _communicator(session_id, cookie, ORIGIN)
    connected, _ = await comm.connect(timeout=20)
    assert connected
    await _until_snapshot(comm)
    return comm


async def _send_and_probe(comm: WebsocketCommunicator, frame: dict[str, Any]) -> None:
    await comm.send_input({"type": "websocket.receive", **frame})
    await comm.send_json_to({"type": "sync"})
    await _until_snapshot(comm)


class Failures(logging.Handler):
    """Requests that failed in a way the consumer did not expect (logged at ERROR)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


@pytest.fixture
def tutor_socket(
    cast: Cast, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SocketThread]:
    settings.WS_MESSAGES_PER_MINUTE = 10**9  # the limits have tests of their own
    settings.WS_SYNC_INTERVAL_S = 0
    # A question that is accepted queues a turn; no worker needs to see it.
    monkeypatch.setattr(turns, "_enqueue", lambda turn: None)
    session = session_for(student=cast.alice, problem=cast.problem)
    socket = SocketThread()
    socket.comm = socket.run(_open(session.pk, session_cookie(cast.alice)))
    try:
        yield socket
    finally:
        socket.stop()


@pytest.fixture
def failures() -> Iterator[Failures]:
    handler = Failures()
    logger = logging.getLogger("tutor.consumers")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


@PROFILE
@given(frame=FRAMES)
def test_no_frame_drops_the_socket(
    tutor_socket: SocketThread, failures: Failures, frame: dict[str, Any]
) -> None:
    """After any frame at all, the socket still answers a sync with a snapshot."""
    assert tutor_socket.comm is not None
    tutor_socket.run(_send_and_probe(tutor_socket.comm, frame))
    assert failures.records == []
