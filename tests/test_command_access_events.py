"""Commands that change access tell open sockets before they exit (finding 13)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from typing import Any

import pytest
from asgiref.sync import async_to_sync

from tests.conftest import ROOT, Cast, _database_url, session_cookie
from tests.test_ws_security import ORIGIN, _communicator, _first
from tutor.services.turns import session_for

pytestmark = pytest.mark.django_db(transaction=True)


def _manage(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": _database_url()}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deleting_a_student_closes_the_teachers_open_socket(cast: Cast) -> None:
    """manage.py delete_student closes the teacher's open view of that student's session."""
    session = session_for(student=cast.alice, problem=cast.problem)
    cookie = session_cookie(cast.teacher)

    async def run() -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
        comm = _communicator(session.pk, cookie, ORIGIN)
        connected, _ = await comm.connect()
        assert connected and (await _first(comm))["type"] == "session.snapshot"
        result = await asyncio.to_thread(_manage, "delete_student", "alice", "--yes")
        closed = await _first(comm)  # times out when the command exited without telling it
        await comm.disconnect()
        return closed, result

    closed, result = async_to_sync(run)()
    assert result.returncode == 0, result.stderr
    assert closed == {"closed": 4403}
