"""The teacher's page for one student's work on one problem: each checked line with its verdict."""

from __future__ import annotations

from django.test import Client

from tests.conftest import Cast
from tutor.models import Attempt, StepVerdict
from tutor.services.turns import session_for


def _page(cast: Cast) -> str:
    client = Client()
    client.force_login(cast.teacher)
    a, s, p = cast.assignment.pk, cast.alice.pk, cast.problem.pk
    response = client.get(f"/teach/assignments/{a}/students/{s}/problems/{p}/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_the_verdict_of_each_line_of_the_attempt_and_the_transcript(cast: Cast) -> None:
    """The student's lines and the tutor's steps are listed with their verdicts and details."""
    attempt = Attempt.objects.create(student=cast.alice, problem=cast.problem, steps=["3x = 15"])
    StepVerdict.objects.create(attempt=attempt, index=0, text="3x = 15", verdict="ok")
    StepVerdict.objects.create(
        attempt=attempt, index=1, text="x = 3", verdict="wrong", detail="15 / 3 is 5", rule="div"
    )
    session = session_for(student=cast.alice, problem=cast.problem)
    turn = session.turns.create(index=0, mode="hint", status="done", text="Subtract five first.")
    StepVerdict.objects.create(turn=turn, index=0, text="3x = 20 - 5", verdict="weaker")
    page = _page(cast)
    assert page.count('<ol class="steps static-steps">') == 2
    assert '<li class="step verdict-ok">' in page and "<code>3x = 15</code>" in page
    assert "15 / 3 is 5" in page and "(div)" in page
    assert '<li class="step verdict-weaker">' in page and "<code>3x = 20 - 5</code>" in page


def test_it_says_so_when_there_are_no_lines(cast: Cast) -> None:
    """An attempt and a tutor answer with no checked lines each read "No steps."."""
    Attempt.objects.create(student=cast.alice, problem=cast.problem, steps=[])
    session = session_for(student=cast.alice, problem=cast.problem)
    session.turns.create(index=0, mode="hint", status="done", text="Think first.")
    assert _page(cast).count('<p class="empty">No steps.</p>') == 2
