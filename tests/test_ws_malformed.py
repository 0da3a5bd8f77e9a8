"""Malformed websocket input gets an error message, never a dropped socket (item 26)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from tests.conftest import Cast, session_cookie
from tests.test_ws_security import ORIGIN, _communicator
from tutor.asgi import application
from tutor.models import Turn
from tutor.services.turns import session_for

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "my-secret-words"


@pytest.fixture(autouse=True)
def resync_at_once(settings: Any) -> None:
    """The sync after each case is answered at once, not after the usual interval."""
    settings.WS_SYNC_INTERVAL_S = 0


async def _reply(comm: WebsocketCommunicator) -> dict[str, Any]:
    """The next message, skipping pushed events, or {"closed": code} if the socket closed."""
    while True:
        output = await comm.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            return {"closed": output.get("code")}
        message = dict(json.loads(output["text"]))
        if message["type"] in ("error", "session.snapshot"):
            return message


def _send_then_sync(cast: Cast, frame: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Send one raw frame on alice's socket, then a sync: the two replies."""
    session = session_for(student=cast.alice, problem=cast.problem)
    cookie = session_cookie(cast.alice)

    async def run() -> tuple[dict[str, Any], dict[str, Any]]:
        comm = _communicator(session.pk, cookie, ORIGIN)
        connected, _ = await comm.connect()
        assert connected and (await _reply(comm))["type"] == "session.snapshot"
        await comm.send_input({"type": "websocket.receive", **frame})
        reply = await _reply(comm)
        await comm.send_json_to({"type": "sync"})
        after = await _reply(comm)
        await comm.disconnect()
        return reply, after

    return async_to_sync(run)()


NESTED = "[" * 4000 + "]" * 4000


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ({"text": json.dumps({"type": "ask", "mode": "followup", "question": "x\x00y"})}, "NUL"),
        ({"text": '{"type": "ask", "mode": "followup", "question": "\\ud800"}'}, "Unicode"),
        ({"text": NESTED}, "not understood"),
        ({"text": '{"type": "ask", "question": ' + NESTED + "}"}, "not understood"),
        ({"text": json.dumps({"type": "ask", "mode": {"a": [1]}})}, "not understood"),
        ({"text": '{"type": "stop", "turn": Infinity}'}, "does not exist"),
        ({"text": json.dumps({"type": "stop", "turn": 10**30})}, "does not exist"),
        ({"text": json.dumps({"type": "stop", "turn": "12abc"})}, "does not exist"),
        ({"text": json.dumps({"type": ["sync"]})}, "Unknown request"),
        ({"bytes": b"\xff\xfe\x00 not utf-8"}, "JSON text"),
        ({"text": "x" * 9000}, "limited"),
    ],
    ids=[
        "nul",
        "lone-surrogate",
        "nested",
        "nested-value",
        "mode-object",
        "infinite-id",
        "huge-id",
        "bad-id",
        "type-list",
        "binary-not-utf8",
        "huge",
    ],
)
def test_it_answers_malformed_input_with_an_error(
    cast: Cast, frame: dict[str, Any], message: str
) -> None:
    """Each gets an error message that says what was wrong, and the socket keeps working."""
    reply, after = _send_then_sync(cast, frame)
    assert reply["type"] == "error" and message in reply["message"], reply
    assert after["type"] == "session.snapshot"
    assert not Turn.objects.exists()


def test_it_keeps_the_users_text_out_of_the_log(
    cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    """A question the database cannot store leaves no trace of its words in the log."""
    caplog.set_level(logging.DEBUG)
    question = f"{SECRET}\x00 and more"
    _send_then_sync(
        cast, {"text": json.dumps({"type": "ask", "mode": "followup", "question": question})}
    )
    assert SECRET not in caplog.text


def test_it_refuses_a_session_path_that_is_not_a_number(cast: Cast) -> None:
    """ws/session/abc/ is refused at the handshake (4404), not answered with a server error."""
    cookie = session_cookie(cast.alice)

    async def run() -> tuple[bool, int]:
        headers = [(b"host", b"127.0.0.1"), (b"origin", ORIGIN)]
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
        comm = WebsocketCommunicator(application, "/ws/session/abc/", headers=headers)
        connected, code = await comm.connect()
        await comm.disconnect()
        return bool(connected), int(code)

    assert async_to_sync(run)() == (False, 4404)


def test_it_denies_a_session_id_too_large_for_the_database(cast: Cast) -> None:
    """A session id past the largest row id is denied like an unknown one (4403)."""
    cookie = session_cookie(cast.alice)

    async def run() -> dict[str, Any]:
        comm = _communicator(10**20, cookie, ORIGIN)  # type: ignore[arg-type]
        await comm.connect()
        reply = await _reply(comm)
        await comm.disconnect()
        return reply

    assert async_to_sync(run)() == {"closed": 4403}
