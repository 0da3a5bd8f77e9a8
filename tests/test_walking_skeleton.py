"""The whole path: a student asks, a real worker runs the tiny model, tokens stream back."""

from __future__ import annotations

import asyncio
import html
import urllib.request

import pytest

from tests.conftest import Cast, LiveStack, session_cookie
from tests.wsclient import TutorSocket, is_done
from tutor.models import Turn
from tutor.services.turns import session_for

pytestmark = pytest.mark.live


def test_it_streams_the_tiny_model_and_saves_the_same_text(live: LiveStack, cast: Cast) -> None:
    """The student sees tokens arrive live, and the saved transcript equals what streamed."""
    session = session_for(student=cast.alice, problem=cast.problem)
    cookie = session_cookie(cast.alice)
    socket = live.socket(cast.alice, session.pk)

    async def journey() -> TutorSocket:
        async with socket as ws:
            first = await ws.next_event()
            assert first["type"] == "session.snapshot" and first["turns"] == []
            await ws.send({"type": "ask", "mode": "hint"})
            await ws.until(is_done(), timeout=120)
            return ws

    ws = asyncio.run(journey())
    turn = Turn.objects.get(session=session)
    deltas = [e for e in ws.events if e["type"] == "turn.delta"]
    assert turn.status == Turn.Status.DONE
    assert len(deltas) >= 2, "the answer arrived in one piece, not as a stream"
    assert turn.token_count > 0 and turn.is_demo
    assert ws.texts[turn.pk] == turn.text and turn.text
    seqs = [e["seq"] for e in ws.events if e.get("turn") == turn.pk and "seq" in e]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)

    request = urllib.request.Request(
        f"{live.url}/problems/{cast.problem.pk}/", headers={"Cookie": f"sessionid={cookie}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        page = response.read().decode()
    assert html.escape(turn.text, quote=False) in page.replace("&#x27;", "'").replace("&quot;", '"')
    assert "demo model" in page
