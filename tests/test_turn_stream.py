"""Checked before shown: the worker's stream of one turn, run in-process on a scripted model.

The scripted backend is the real interface with exact text. Events go to the capture
fixture instead of the channel layer, so each test can say what the page would have seen.
"""

from __future__ import annotations

import pytest

from inference.backends import GenerationParams, ScriptedBackend
from tests.conftest import Cast, PublishedEvents
from tutor.models import Flag, Problem, StepVerdict, Turn
from tutor.selectors import turn_inputs, turn_snapshot_event, turn_steps_page
from tutor.services import turn_runs, turns
from tutor.worker.turn_stream import TurnStream

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def kept_from_the_broker(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """These tests run the stream themselves. A queued turn is not sent to the broker, where
    a live worker started by another test in the session would claim it first."""
    sent: list[int] = []
    monkeypatch.setattr(turns, "_enqueue", lambda turn: sent.append(turn.pk))
    return sent


PARAMS = GenerationParams(max_new_tokens=4096, temperature=0.0, wall_clock_s=60)


def _run(cast: Cast, script: str, *, mode: str = "solve", key: str = "5", retries: int = 2) -> Turn:
    problem = Problem.objects.create(
        problem_set=cast.problem_set, position=9, statement="Solve 3x + 5 = 20.", answer_key=key
    )
    session = turns.session_for(student=cast.alice, problem=problem)
    turn = turns.turn_request(session=session, mode=mode)
    model = ScriptedBackend(script)
    started = turn_runs.turn_start(turn_id=turn.pk, model_name=model.name, is_demo=True)
    assert started is not None
    stream = TurnStream(turn=started, inputs=turn_inputs(turn=started), retries=retries)
    stats = stream.run(model, PARAMS)
    stream.finish(stats)
    return Turn.objects.get(pk=turn.pk)


def _steps(published: PublishedEvents) -> list[dict[str, object]]:
    return [e["step"] for e in published.of_type("turn.step")]


def test_no_text_reaches_the_page_before_its_verdict(
    cast: Cast, published: PublishedEvents
) -> None:
    """Every event that carries the tutor's words is a checked step with its verdict."""
    turn = _run(cast, "3x + 5 = 20\n3x = 15\nSo x = 5.\n")
    for event in published.to_session(turn.session_id):
        if event["type"] == "turn.step":
            assert event["step"]["verdict"] in StepVerdict.Verdict.values
        else:
            assert "text" not in event and "step" not in event, event
    assert [s["text"] for s in _steps(published)] == ["3x + 5 = 20", "3x = 15", "So x = 5."]
    assert published.of_type("turn.progress"), "a live count while each step is written"


def test_a_wrong_answer_step_is_written_again_and_the_draft_kept(
    cast: Cast, published: PublishedEvents
) -> None:
    """A step proven wrong is taken back; the corrected one is shown; the reviewer sees both."""
    turn = _run(cast, "3x + 5 = 20\n3x = 16<<retry>>3x = 15\nx = 5\n")
    shown = [s["text"] for s in _steps(published)]
    assert shown == ["3x + 5 = 20", "3x = 15", "x = 5"]
    assert "3x = 16" not in " ".join(shown)
    rewrite = published.of_type("turn.rewrite")
    assert [(e["index"], e["attempt"], e["of"]) for e in rewrite] == [(1, 2, 3)]
    step = turn.verdicts.get(index=1)
    assert step.verdict == "ok" and [d["text"] for d in step.drafts] == ["3x = 16"]
    assert step.drafts[0]["detail"]
    assert turn.text == "3x + 5 = 20\n3x = 15\nx = 5\n" and turn.rewrites == 1
    flag = Flag.objects.get(turn=turn, kind=Flag.Kind.MODEL_STEP)
    assert flag.step == step and "written again" in flag.reason


def test_a_step_still_wrong_after_every_retry_is_marked_and_flagged(
    cast: Cast, published: PublishedEvents
) -> None:
    """After the allowed retries the step stays wrong, is shown with its reason, and is flagged."""
    turn = _run(cast, "3x + 5 = 20\n3x = 16<<retry>>3x = 17<<retry>>3x = 18\n", key="")
    wrong = [s for s in _steps(published) if s["verdict"] == "wrong"]
    assert [s["text"] for s in wrong] == ["3x = 18"] and wrong[0]["rewritten"] == 2
    step = turn.verdicts.get(index=1)
    assert [d["text"] for d in step.drafts] == ["3x = 16", "3x = 17"]
    flag = Flag.objects.get(turn=turn, kind=Flag.Kind.MODEL_STEP)
    assert "after 2 rewrites" in flag.reason


def test_retries_off_shows_the_first_draft_marked_wrong(
    cast: Cast, published: PublishedEvents
) -> None:
    """With no retries allowed, the wrong step is shown as written, marked, and flagged."""
    _run(cast, "3x + 5 = 20\n3x = 16<<retry>>3x = 15\n", retries=0, key="")
    assert [(s["text"], s["verdict"]) for s in _steps(published)][1] == ("3x = 16", "wrong")
    assert not published.of_type("turn.rewrite")


def test_a_slip_in_the_thinking_is_marked_but_not_flagged(
    cast: Cast, published: PublishedEvents
) -> None:
    """Reasoning models correct themselves: a wrong thinking line is shown ✗, not sent to review."""
    turn = _run(cast, "<think>\n2 + 2 = 5\nno: 2 + 2 = 4\n</think>\n3x = 15\nSo x = 5.\n")
    steps = _steps(published)
    assert [(s["text"], s["thinking"]) for s in steps[:2]] == [
        ("2 + 2 = 5", True),
        ("no: 2 + 2 = 4", True),
    ]
    assert steps[0]["verdict"] == "wrong" and not steps[0]["rewritten"]
    assert turn.verdicts.get(index=0).thinking
    assert not Flag.objects.filter(turn=turn, kind=Flag.Kind.MODEL_STEP).exists()
    assert [s["index"] for s in steps] == sorted(s["index"] for s in steps)


def test_the_final_answer_is_shown_only_after_the_key_check(
    cast: Cast, published: PublishedEvents
) -> None:
    """The boxed answer comes with the key's verdict; a disagreeing one says a reviewer looks."""
    turn = _run(cast, "3x = 15\nSo \\(\\boxed{6}\\).\n", key="5")
    kinds = [e["type"] for e in published.to_session(turn.session_id)]
    boxed = next(s for s in _steps(published) if "boxed" in str(s["text"]))
    assert boxed["final"] == Turn.Final.DISAGREES
    # The boxed step and the verdict on the answer come after every other step, together.
    assert kinds.index("turn.final") > max(i for i, k in enumerate(kinds) if k == "turn.step")
    final = published.of_type("turn.final")[0]
    assert final["verdict"] == "disagrees" and final["answer"] == "6"
    assert turn.final_verdict == Turn.Final.DISAGREES and turn.final_answer == "6"
    assert Flag.objects.filter(turn=turn, kind=Flag.Kind.ANSWER_MISMATCH).exists()


def test_an_agreeing_final_answer_is_marked_so(cast: Cast, published: PublishedEvents) -> None:
    """The right boxed answer is shown with "agrees with the key", and nothing is flagged."""
    turn = _run(cast, "3x = 15\nSo \\(\\boxed{5}\\).\n", key="x = 5")
    assert published.of_type("turn.final")[0]["verdict"] == "agrees"
    assert turn.final_verdict == Turn.Final.AGREES
    assert not Flag.objects.filter(turn=turn).exists()


def test_an_answer_cut_off_by_the_cap_can_be_continued(
    cast: Cast, published: PublishedEvents
) -> None:
    """The student is told the answer was cut off; continuing carries on from where it stopped."""
    script = "".join(f"Step {n}: {n} + {n} = {2 * n}\n" for n in range(1, 30))
    problem = Problem.objects.create(
        problem_set=cast.problem_set, position=9, statement="Add.", answer_key=""
    )
    session = turns.session_for(student=cast.alice, problem=problem)
    turn = turns.turn_request(session=session, mode="solve")
    model = ScriptedBackend(script)
    for cap in (40, 4096):
        started = turn_runs.turn_start(turn_id=turn.pk, model_name=model.name, is_demo=True)
        assert started is not None
        stream = TurnStream(turn=started, inputs=turn_inputs(turn=started))
        params = GenerationParams(max_new_tokens=cap, temperature=0.0, wall_clock_s=60)
        stream.finish(stream.run(model, params))
        turn.refresh_from_db()
        if cap == 40:
            assert turn.finish_reason == "length" and "continue" in turn.error
            turns.turn_continue(turn=turn)
    assert turn.finish_reason == "stop" and turn.text == script
    indices = list(turn.verdicts.order_by("index").values_list("index", flat=True))
    assert indices == list(range(len(indices)))
    assert "".join(t + "\n" for t in turn.verdicts.values_list("text", flat=True)).replace(
        "\n", ""
    ) == script.replace("\n", "")


def test_a_long_session_snapshot_stays_small(cast: Cast) -> None:
    """Twenty answers of thousands of steps each: the snapshot is summaries, steps come in pages."""
    session = turns.session_for(student=cast.alice, problem=cast.problem)
    line = "Then we compute 12 + 30 = 42 and carry it to the next part of the argument.\n"
    for index in range(20):
        turn = Turn.objects.create(
            session=session, index=index, mode="solve", status="done", text=line * 1500
        )
        StepVerdict.objects.bulk_create(
            StepVerdict(turn=turn, index=i, text=line.strip(), verdict="ok", thinking=i < 1400)
            for i in range(1500)
        )
    import json

    from tutor.selectors import session_snapshot

    frame = json.dumps({"type": "session.snapshot", "turns": session_snapshot(session=session)})
    assert len(frame.encode()) < 32 * 1024
    last = session.turns.get(index=19)
    assert turn_snapshot_event(last)["counts"] == {
        "answer": 100,
        "thinking": 1400,
        "answer_wrong": 0,
        "thinking_wrong": 0,
    }
    page = turn_steps_page(turn=last, thinking=True, after=-1)
    assert len(page["steps"]) == 200 and page["more"]
    assert len(json.dumps(page).encode()) < 64 * 1024
    rest = turn_steps_page(turn=last, thinking=False, after=-1)
    assert [s["index"] for s in rest["steps"]][:2] == [1400, 1401] and rest["more"] is False
