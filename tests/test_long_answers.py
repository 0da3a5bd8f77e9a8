"""The tutor at real length, live: a 32,768-token answer in a session of twenty long answers.

A real worker streams a scripted reasoning answer as long as the model card allows through
Redis and daphne; the socket reconnects halfway, as a reload does. What the client ends up
holding, read the way the page reads it, must equal the database, and no frame may come
near daphne's message cap.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from inference.backends.scripted import chunk_text
from tests.conftest import (
    ARTIFACTS,
    Cast,
    LiveStack,
    scripted_env,
    shown_text,
    start_worker,
    stop,
    worker_parked,
)
from tests.wsclient import TutorSocket, is_done
from tutor.models import StepVerdict, Turn
from tutor.services.turns import session_for

pytestmark = pytest.mark.live

MAX_FRAME = 32 * 1024
LINE = "Next, {n} + {m} = {s}, and we keep {s} for the total.\n"


def long_script(tokens: int = 32768) -> str:
    """A <think> block and an answer, as many chunks of the scripted backend as fit ``tokens``."""
    head, tail = "<think>\n", "</think>\nSo 2x = 84.\nThen x = 42.\n"
    budget = tokens - len(chunk_text(head)) - len(chunk_text(tail))
    lines, n = [], 1
    while len(chunk_text(line := LINE.format(n=n, m=2 * n, s=3 * n))) <= budget:
        lines.append(line)
        budget -= len(chunk_text(line))
        n += 1
    return head + "".join(lines) + tail


@pytest.fixture
def long_worker(live: LiveStack) -> Iterator[tuple[LiveStack, str]]:
    script = long_script()
    path = ARTIFACTS / "long-script.txt"
    path.write_text(script, encoding="utf-8")
    with worker_parked(live):
        env = {
            **scripted_env(live.env, "", tokens_per_s=1500),
            "TUTOR_SCRIPT_FILE": str(path),
            "TUTOR_MAX_NEW_TOKENS": "32768",
        }
        worker = start_worker(env, live.log_dir, name="long")
        try:
            yield live, script
        finally:
            stop(worker)


def _earlier_answers(session_id: int, count: int) -> None:
    """Finished answers of 30,000 tokens each (about 1,500 checked steps) already saved."""
    line = LINE.format(n=7, m=14, s=21).strip()
    for index in range(count):
        turn = Turn.objects.create(
            session_id=session_id,
            index=index,
            mode="solve",
            status=Turn.Status.DONE,
            text="<think>\n" + (line + "\n") * 1500 + "</think>\n",
            token_count=30000,
        )
        StepVerdict.objects.bulk_create(
            StepVerdict(turn=turn, index=i, text=f"{line} ({i})", verdict="ok", thinking=i < 1450)
            for i in range(1500)
        )
    # Asked on earlier days: today's rate limits are the new answer's alone.
    Turn.objects.filter(session_id=session_id).update(queued_at=timezone.now() - timedelta(days=2))


def test_twenty_long_answers_stream_save_reconnect_and_resync_whole(
    long_worker: tuple[LiveStack, str], cast: Cast
) -> None:
    """A 32,768-token answer after nineteen of 30,000: reconnecting halfway loses nothing."""
    stack, script = long_worker
    session = session_for(student=cast.alice, problem=cast.problem)
    _earlier_answers(session.pk, 19)
    sockets = [stack.socket(cast.alice, session.pk) for _ in range(2)]

    async def run() -> tuple[TutorSocket, TutorSocket]:
        async with sockets[0] as first:
            await first.next_event()
            await first.send({"type": "ask", "mode": "solve"})
            for _ in range(300):  # well into the thinking
                await first.until(lambda e: e.get("type") == "turn.step", timeout=120)
        async with sockets[1] as second:  # a reload
            snapshot = await second.next_event()
            assert snapshot["type"] == "session.snapshot" and len(snapshot["turns"]) == 20
            await second.until(is_done(), timeout=300)
            await second.settle()
            return first, second

    first, second = asyncio.run(run())
    turn = Turn.objects.get(session=session, index=19)
    assert turn.status == Turn.Status.DONE and turn.finish_reason == "stop"
    assert turn.token_count == len(chunk_text(script)) > 32700
    assert turn.text == script
    for saved in session.turns.all():
        assert second.texts[saved.pk] == shown_text(saved), f"turn {saved.index} differs"
    assert turn.verdicts.filter(thinking=True).count() > 1000
    frames = first.frames + second.frames
    assert max(frames) < MAX_FRAME, f"a frame of {max(frames)} bytes"
    (ARTIFACTS / "long-answer-frames.json").write_text(
        json.dumps({"largest": max(frames), "count": len(frames)})
    )


def test_the_prompt_of_a_long_session_fits_the_context_window(cast: Cast, db: None) -> None:
    """Twenty answers of 30,000 tokens go back into the prompt without their thinking, and the
    oldest drop out first once the prompt would not leave room for a full new answer."""
    from django.conf import settings

    from inference.prompts import prompt_tokens
    from tutor.selectors import turn_inputs
    from tutor.worker.turn_stream import TurnStream

    session = session_for(student=cast.alice, problem=cast.problem)
    answer = "So 3x = 15 and x = 5. " * 900  # about 7,000 tokens of answer each
    for index in range(20):
        Turn.objects.create(
            session=session,
            index=index,
            mode="solve",
            status=Turn.Status.DONE,
            question=f"question {index}",
            text="<think>\n" + "hmm, 2 + 2 = 4.\n" * 5000 + "</think>\n" + answer,
        )
    turn = Turn.objects.create(session=session, index=20, mode="solve")
    stream = TurnStream.__new__(TurnStream)  # the prompt only: no stream is started
    stream.inputs = turn_inputs(turn=turn)
    messages = stream.messages(model=object())  # type: ignore[arg-type]
    budget = settings.TUTOR_CONTEXT_TOKENS - settings.TUTOR_MAX_NEW_TOKENS
    assert prompt_tokens(messages) <= budget
    contents = [m["content"] for m in messages]
    assert not any("hmm, 2 + 2" in c for c in contents), "thinking went back into the prompt"
    kept = [
        int(c.rsplit(" ", 1)[1]) for c in contents if c.rsplit("\n", 1)[-1].startswith("question ")
    ]
    assert kept and kept == list(range(20 - len(kept), 20)), "the newest kept, the oldest dropped"
    assert len(kept) < 20
