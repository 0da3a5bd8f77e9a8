"""The review queue: only reviewers, filters and counts, resolution with a note and a trail."""

from __future__ import annotations

import pytest

from tests.conftest import Cast, Login
from tutor.models import Flag, FlagEvent, StepVerdict
from tutor.services.turns import session_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def model_flag(cast: Cast) -> Flag:
    session = session_for(student=cast.alice, problem=cast.problem)
    turn = session.turns.create(index=0, mode="solve", status="done", text="3x = 25\nx = 5")
    StepVerdict.objects.create(turn=turn, index=0, text="3x = 25", verdict="ok")
    step = StepVerdict.objects.create(
        turn=turn, index=1, text="x = 5", verdict="wrong", detail="3x = 25 gives x = 25/3"
    )
    return Flag.objects.create(
        kind=Flag.Kind.MODEL_STEP,
        reason="The checker marked step 2 wrong",
        problem=cast.problem,
        turn=turn,
        step=step,
    )


def test_only_reviewers_open_the_queue(cast: Cast, model_flag: Flag, login: Login) -> None:
    """Students and teachers get 403 on the queue and on a flag."""
    for user in (cast.alice, cast.teacher):
        client = login(user)
        assert client.get("/review/").status_code == 403
        assert client.get(f"/review/flags/{model_flag.pk}/").status_code == 403
        assert (
            client.post(
                f"/review/flags/{model_flag.pk}/", {"action": "dismiss", "note": "x"}
            ).status_code
            == 403
        )
    model_flag.refresh_from_db()
    assert model_flag.status == "open"


def test_the_queue_filters_and_counts(cast: Cast, model_flag: Flag, login: Login) -> None:
    """Counts by kind and status; filtering by kind hides the other kinds."""
    Flag.objects.create(kind=Flag.Kind.DISPUTE, reason="Step 1: dispute me", problem=cast.problem)
    client = login(cast.admin)
    page = client.get("/review/").content.decode()
    assert "Model step marked wrong: 1" in page and "Student dispute: 1" in page
    page = client.get("/review/?kind=dispute&status=open").content.decode()
    assert "dispute me" in page and "The checker marked step 2 wrong" not in page


def test_the_flag_page_shows_the_step_in_context_and_evidence(
    cast: Cast, model_flag: Flag, login: Login
) -> None:
    """The flagged step is marked, with the step before it and the checker's detail."""
    page = login(cast.admin).get(f"/review/flags/{model_flag.pk}/").content.decode()
    assert "3x = 25 gives x = 25/3" in page and "3x = 25" in page and "flagged step" in page
    assert "Solve $3x + 5 = 20$." in page


def test_resolving_needs_a_note_and_is_audited(cast: Cast, model_flag: Flag, login: Login) -> None:
    """No note, no resolution; with a note the flag is dismissed and the trail says who."""
    client = login(cast.admin)
    url = f"/review/flags/{model_flag.pk}/"
    response = client.post(url, {"action": "dismiss", "note": ""})
    assert response.status_code == 200
    model_flag.refresh_from_db()
    assert model_flag.status == "open"
    response = client.post(url, {"action": "dismiss", "note": "The step is right."})
    assert response.status_code == 302
    model_flag.refresh_from_db()
    assert model_flag.status == "dismissed" and model_flag.reviewer == cast.admin
    assert model_flag.resolved_at is not None
    event = FlagEvent.objects.get(flag=model_flag, action="dismissed")
    assert event.actor == cast.admin and event.note == "The step is right."
    again = client.post(url, {"action": "confirm", "note": "second go"})
    assert "already resolved" in again.content.decode() or again.status_code == 200
    model_flag.refresh_from_db()
    assert model_flag.status == "dismissed"


def test_fixing_the_key_edits_the_problem_and_records_both_keys(
    cast: Cast, model_flag: Flag, login: Login
) -> None:
    """ "Fix the answer key" changes Problem.answer_key; the trail keeps the old and new key."""
    client = login(cast.admin)
    response = client.post(
        f"/review/flags/{model_flag.pk}/",
        {"action": "fix_key", "note": "Key was a typo.", "new_key": "x = 5.0"},
    )
    assert response.status_code == 302
    cast.problem.refresh_from_db()
    assert cast.problem.answer_key == "x = 5.0"
    event = FlagEvent.objects.get(flag=model_flag, action="key_fixed")
    assert (event.old_value, event.new_value) == ("x = 5", "x = 5.0")
    page = client.get(f"/review/flags/{model_flag.pk}/").content.decode()
    assert "Key was a typo." in page


def test_the_review_pages_carry_csrf_and_no_inline_script(
    cast: Cast, model_flag: Flag, login: Login
) -> None:
    """The resolve form has a CSRF token and the page obeys the strict CSP."""
    response = login(cast.admin).get(f"/review/flags/{model_flag.pk}/")
    page = response.content.decode()
    assert "csrfmiddlewaretoken" in page and "<script>" not in page and "style=" not in page
    assert "script-src 'self'" in response["Content-Security-Policy"]
