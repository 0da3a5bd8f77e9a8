"""Who may open a tutor session's websocket (real Redis channel layer)."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from tests.conftest import Cast
from tutor.consumers import SessionConsumer
from tutor.models import User
from tutor.services.turns import session_for


def _connect(user: object, session_id: int) -> tuple[bool, int | None, dict[str, object] | None]:
    async def run() -> tuple[bool, int | None, dict[str, object] | None]:
        communicator = WebsocketCommunicator(
            SessionConsumer.as_asgi(), f"/ws/session/{session_id}/"
        )
        communicator.scope["user"] = user
        communicator.scope["url_route"] = {"kwargs": {"session_id": session_id}}
        connected, _ = await communicator.connect()
        output = await communicator.receive_output(timeout=5)
        await communicator.disconnect()
        if output["type"] == "websocket.close":
            return connected, output.get("code"), None
        return connected, None, json.loads(output["text"])

    return async_to_sync(run)()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("alice", True),  # the session's own student
        ("teacher", True),  # the teacher of alice's class
        ("admin", True),  # reviewers see every session
        ("bob", False),  # another student in the same class
        ("other_teacher", False),  # a teacher of another class
    ],
)
def test_it_admits_only_those_who_may_watch(cast: Cast, who: str, allowed: bool) -> None:
    """A denied subscription is closed with 4403 and receives nothing."""
    session = session_for(student=cast.alice, problem=cast.problem)
    user: User = getattr(cast, who)
    _, code, first = _connect(user, session.pk)
    if allowed:
        assert first is not None and first["type"] == "session.snapshot"
    else:
        assert code == 4403 and first is None


@pytest.mark.django_db(transaction=True)
def test_it_refuses_an_anonymous_visitor(cast: Cast) -> None:
    """Without a login the socket closes with 4401."""
    session = session_for(student=cast.alice, problem=cast.problem)
    _, code, first = _connect(AnonymousUser(), session.pk)
    assert code == 4401 and first is None
