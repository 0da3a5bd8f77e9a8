"""Who may open a tutor session's websocket (real ASGI stack and Redis channel layer)."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync

from tests.conftest import Cast, session_cookie
from tests.test_ws_security import ORIGIN, _communicator, _first
from tutor.models import User
from tutor.services.turns import session_for

pytestmark = pytest.mark.django_db(transaction=True)


def _connect(cookie: str | None, session_id: int) -> dict[str, object]:
    async def run() -> dict[str, object]:
        comm = _communicator(session_id, cookie, ORIGIN)
        await comm.connect()
        first = await _first(comm)
        await comm.disconnect()
        return first

    return async_to_sync(run)()


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
    first = _connect(session_cookie(user), session.pk)
    if allowed:
        assert first["type"] == "session.snapshot"
    else:
        assert first == {"closed": 4403}


def test_it_refuses_an_anonymous_visitor(cast: Cast) -> None:
    """Without a login the socket closes with 4401."""
    session = session_for(student=cast.alice, problem=cast.problem)
    assert _connect(None, session.pk) == {"closed": 4401}


def test_it_refuses_a_session_that_does_not_exist(cast: Cast) -> None:
    """An unknown session id is denied like a foreign one."""
    assert _connect(session_cookie(cast.alice), 987654) == {"closed": 4403}
