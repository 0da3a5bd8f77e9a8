"""The whole path: a student asks, a real worker runs the tiny model, tokens stream back."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import Cast, LiveStack, session_cookie, shown_text
from tests.wsclient import TutorSocket, is_done, read_steps
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
    progress = [e for e in ws.events if e["type"] in ("turn.progress", "turn.step")]
    assert turn.status == Turn.Status.DONE
    assert len(progress) >= 2, "the answer arrived in one piece, not as a stream"
    assert turn.token_count > 0 and turn.is_demo and turn.text
    assert ws.texts[turn.pk] == shown_text(turn)
    seqs = [e["seq"] for e in ws.events if e.get("turn") == turn.pk and "seq" in e]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    snapshot = ws.events[0]
    assert snapshot["type"] == "session.snapshot"

    # A reload reads the same steps back over HTTP, in the same order.
    answer = read_steps(live.url, cookie, turn.pk, "answer")
    thinking = read_steps(live.url, cookie, turn.pk, "thinking")
    saved = list(turn.verdicts.order_by("index").values_list("index", "text"))
    assert sorted((s["index"], s["text"]) for s in answer + thinking) == saved
