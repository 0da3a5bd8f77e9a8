"""Websocket security through the real ASGI stack (origin check, auth, Redis channel layer)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client

from tests.conftest import Cast, session_cookie
from tutor.asgi import application
from tutor.consumers import MAX_MESSAGE_CHARS
from tutor.models import Enrolment
from tutor.services.turns import session_for

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = b"http://127.0.0.1"


def _communicator(
    session_id: int, cookie: str | None, origin: bytes | None
) -> WebsocketCommunicator:
    headers = [(b"host", b"127.0.0.1")]
    if origin is not None:
        headers.append((b"origin", origin))
    if cookie is not None:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    return WebsocketCommunicator(application, f"/ws/session/{session_id}/", headers=headers)


async def _first(comm: WebsocketCommunicator) -> dict[str, Any]:
    output: dict[str, Any] = await comm.receive_output(timeout=5)
    if output["type"] == "websocket.close":
        return {"closed": output.get("code")}
    return dict(json.loads(output["text"]))


@pytest.mark.parametrize("origin", [b"http://evil.example", None])
def test_it_refuses_a_foreign_or_missing_origin(cast: Cast, origin: bytes | None) -> None:
    """A page on another site cannot open a socket with the student's cookie."""
    session = session_for(student=cast.alice, problem=cast.problem)
    cookie = session_cookie(cast.alice)

    async def run() -> bool:
        comm = _communicator(session.pk, cookie, origin)
        connected, _ = await comm.connect()
        await comm.disconnect()
        return bool(connected)

    assert async_to_sync(run)() is False


def test_it_closes_an_open_socket_when_the_student_logs_out(cast: Cast) -> None:
    """Logging out in one tab closes the tutor socket in another (4401)."""
    session = session_for(student=cast.alice, problem=cast.problem)
    client = Client()
    client.force_login(cast.alice)
    cookie = client.cookies["sessionid"].value

    async def run() -> dict[str, Any]:
        comm = _communicator(session.pk, cookie, ORIGIN)
        connected, _ = await comm.connect()
        assert connected
        assert (await _first(comm))["type"] == "session.snapshot"
        from asgiref.sync import sync_to_async

        await sync_to_async(client.post)("/logout/")
        closed = await _first(comm)
        await comm.disconnect()
        return closed

    assert async_to_sync(run)() == {"closed": 4401}


def test_it_closes_a_teachers_socket_when_the_student_leaves_the_class(cast: Cast) -> None:
    """Once alice leaves the class, her teacher's open view of her session closes (4403)."""
    session = session_for(student=cast.alice, problem=cast.problem)
    cookie = session_cookie(cast.teacher)

    async def run() -> dict[str, Any]:
        comm = _communicator(session.pk, cookie, ORIGIN)
        connected, _ = await comm.connect()
        assert connected and (await _first(comm))["type"] == "session.snapshot"
        from asgiref.sync import sync_to_async

        await sync_to_async(Enrolment.objects.filter(student=cast.alice).delete)()
        closed = await _first(comm)
        await comm.disconnect()
        return closed

    assert async_to_sync(run)() == {"closed": 4403}


def test_it_rechecks_the_login_on_every_message(cast: Cast) -> None:
    """A session deleted behind the socket's back (expiry) closes it at the next message."""
    session = session_for(student=cast.alice, problem=cast.problem)
    cookie = session_cookie(cast.alice)

    async def run() -> dict[str, Any]:
        comm = _communicator(session.pk, cookie, ORIGIN)
        connected, _ = await comm.connect()
        assert connected and (await _first(comm))["type"] == "session.snapshot"
        from asgiref.sync import sync_to_async
        from django.contrib.sessions.models import Session

        await sync_to_async(Session.objects.all().delete)()
        await comm.send_json_to({"type": "sync"})
        closed = await _first(comm)
        await comm.disconnect()
        return closed

    assert async_to_sync(run)() == {"closed": 4401}


def test_it_answers_an_oversized_message_with_a_clear_error(cast: Cast) -> None:
    """A message over the cap is refused with a message, and the socket stays usable."""
    session = session_for(student=cast.alice, problem=cast.problem)
    cookie = session_cookie(cast.alice)

    async def run() -> tuple[dict[str, Any], dict[str, Any]]:
        comm = _communicator(session.pk, cookie, ORIGIN)
        await comm.connect()
        await _first(comm)
        await comm.send_to(
            text_data=json.dumps({"type": "ask", "question": "x" * MAX_MESSAGE_CHARS})
        )
        error = await _first(comm)
        await comm.send_json_to({"type": "sync"})
        again = await _first(comm)
        await comm.disconnect()
        return error, again

    error, again = async_to_sync(run)()
    assert error["type"] == "error" and "limited" in error["message"]
    assert again["type"] == "session.snapshot"


def test_a_student_on_a_temporary_password_gets_no_socket(cast: Cast) -> None:
    """Until alice chooses her own password, her socket closes (4403) as her pages redirect."""
    session = session_for(student=cast.alice, problem=cast.problem)
    cast.alice.must_change_password = True
    cast.alice.save(update_fields=["must_change_password"])
    cookie = session_cookie(cast.alice)

    async def run() -> dict[str, Any]:
        comm = _communicator(session.pk, cookie, ORIGIN)
        await comm.connect()
        first = await _first(comm)
        await comm.disconnect()
        return first

    assert async_to_sync(run)() == {"closed": 4403}
    cast.alice.must_change_password = False
    cast.alice.save(update_fields=["must_change_password"])
    assert "closed" not in async_to_sync(run)()
