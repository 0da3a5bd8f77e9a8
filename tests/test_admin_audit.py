"""The Django admin cannot get around the audit trail (item 25)."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.test import Client

from tests.conftest import Cast, Login
from tutor.models import (
    AnswerSubmission,
    Attempt,
    Flag,
    FlagEvent,
    StepVerdict,
    Turn,
    User,
)
from tutor.services.turns import session_for

DEFAULT_STR = re.compile(r"\bobject \(\d+\)")


@pytest.fixture
def record(cast: Cast) -> dict[str, object]:
    """One of everything the admin lists: a transcript, an attempt, a flag and its trail."""
    session = session_for(student=cast.alice, problem=cast.problem)
    turn = Turn.objects.create(session=session, index=0, mode="solve", status="done", text="x=5")
    step = StepVerdict.objects.create(turn=turn, index=0, text="3x = 15", verdict="ok")
    attempt = Attempt.objects.create(student=cast.alice, problem=cast.problem, steps=["3x = 15"])
    answer = AnswerSubmission.objects.create(attempt=attempt, answer="5", equivalent=True)
    flag = Flag.objects.create(
        kind="dispute", problem=cast.problem, turn=turn, step=step, raised_by=cast.alice,
        reason="Step 1: hmm",
    )  # fmt: skip
    event = FlagEvent.objects.create(flag=flag, actor=cast.alice, action="raised", note="hmm")
    return {
        "session": session, "turn": turn, "step": step, "attempt": attempt, "answer": answer,
        "flag": flag, "event": event,
    }  # fmt: skip


def _admin(login: Login, cast: Cast) -> Client:
    return login(cast.admin)


def test_a_flag_cannot_be_decided_in_the_admin(
    cast: Cast, record: dict[str, object], login: Login
) -> None:
    """Dismissing a flag from the admin is refused; the flag stays open with its one event."""
    flag = record["flag"]
    assert isinstance(flag, Flag)
    client = _admin(login, cast)
    response = client.post(
        f"/admin/tutor/flag/{flag.pk}/change/",
        {"kind": "dispute", "status": "dismissed", "reason": flag.reason,
         "problem": cast.problem.pk, "resolution": ""},
    )  # fmt: skip
    assert response.status_code == 403
    flag.refresh_from_db()
    assert flag.status == Flag.Status.OPEN and flag.events.count() == 1
    assert client.get(f"/admin/tutor/flag/{flag.pk}/change/").status_code == 200
    assert f"/review/flags/{flag.pk}/" in client.get("/admin/tutor/flag/").content.decode()


def test_audit_events_cannot_be_deleted_or_edited(
    cast: Cast, record: dict[str, object], login: Login
) -> None:
    """An audit event survives a delete or an edit from the admin."""
    event = record["event"]
    assert isinstance(event, FlagEvent)
    client = _admin(login, cast)
    assert (
        client.post(f"/admin/tutor/flagevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    changed = client.post(f"/admin/tutor/flagevent/{event.pk}/change/", {"note": "rewritten"})
    assert changed.status_code == 403
    event.refresh_from_db()
    assert event.note == "hmm"
    assert client.get(f"/admin/tutor/flagevent/{event.pk}/change/").status_code == 200


def test_a_saved_transcript_cannot_be_edited(
    cast: Cast, record: dict[str, object], login: Login
) -> None:
    """The tutor's saved text and steps are shown read-only and a tampered save is refused."""
    turn, step = record["turn"], record["step"]
    assert isinstance(turn, Turn) and isinstance(step, StepVerdict)
    client = _admin(login, cast)
    response = client.post(
        f"/admin/tutor/turn/{turn.pk}/change/",
        {"session": turn.session_id, "index": 0, "mode": "solve", "status": "done",
         "text": "TAMPERED TRANSCRIPT", "last_seq": 0, "token_count": 0, "rewrites": 0,
         "attempts": 0},
    )  # fmt: skip
    assert response.status_code == 403
    step_response = client.post(
        f"/admin/tutor/stepverdict/{step.pk}/change/", {"text": "TAMPERED", "verdict": "wrong"}
    )
    assert step_response.status_code == 403
    turn.refresh_from_db()
    step.refresh_from_db()
    assert turn.text == "x=5" and step.text == "3x = 15"
    page = client.get(f"/admin/tutor/tutoringsession/{turn.session_id}/change/").content.decode()
    assert "x=5" in page and 'name="turns-0-text"' not in page


def test_an_answer_key_cannot_be_changed_in_the_admin(
    cast: Cast, record: dict[str, object], login: Login
) -> None:
    """The set's page shows the key read-only; a posted new key is ignored."""
    client = _admin(login, cast)
    url = f"/admin/tutor/problemset/{cast.problem_set.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="problems-0-answer_key"' not in page and "x = 5" in page
    problems = list(cast.problem_set.problems.order_by("position", "id"))
    data = {
        "title": cast.problem_set.title,
        "description": "",
        "problems-TOTAL_FORMS": str(len(problems)),
        "problems-INITIAL_FORMS": str(len(problems)),
        "problems-MIN_NUM_FORMS": "0",
        "problems-MAX_NUM_FORMS": "1000",
    }
    for i, problem in enumerate(problems):
        data |= {
            f"problems-{i}-id": str(problem.pk),
            f"problems-{i}-problem_set": str(cast.problem_set.pk),
            f"problems-{i}-position": str(problem.position),
            f"problems-{i}-statement": problem.statement,
            f"problems-{i}-answer_key": "x = 6",
            f"problems-{i}-reference_solution": "",
            f"problems-{i}-topic": "",
        }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    cast.problem.refresh_from_db()
    assert cast.problem.answer_key == "x = 5"


def test_a_student_cannot_be_deleted_from_a_page(
    cast: Cast, record: dict[str, object], login: Login
) -> None:
    """Deleting alice from the admin is refused, one by one or in bulk; her work stays."""
    client = _admin(login, cast)
    single = client.post(f"/admin/tutor/user/{cast.alice.pk}/delete/", {"post": "yes"})
    assert single.status_code == 403
    bulk = client.post(
        "/admin/tutor/user/",
        {"action": "delete_selected", "_selected_action": [cast.alice.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert User.objects.filter(pk=cast.alice.pk).exists()
    assert Attempt.objects.filter(student=cast.alice).exists()


def test_records_owned_by_retention_have_no_delete(
    cast: Cast, record: dict[str, object], login: Login
) -> None:
    """Sessions, turns, attempts, verdicts and flags are deleted only by the commands."""
    client = _admin(login, cast)
    for name, obj in (
        ("tutoringsession", record["session"]),
        ("turn", record["turn"]),
        ("attempt", record["attempt"]),
        ("stepverdict", record["step"]),
        ("flag", record["flag"]),
    ):
        url = f"/admin/tutor/{name}/{obj.pk}/delete/"  # type: ignore[attr-defined]
        assert client.post(url, {"post": "yes"}).status_code == 403, name
        assert type(obj).objects.filter(pk=obj.pk).exists(), name  # type: ignore[attr-defined]


def test_an_assignment_keeps_to_the_sets_own_teacher(cast: Cast, login: Login) -> None:
    """The admin cannot assign one teacher's set to another teacher's class."""
    from tutor.models import Assignment, Classroom

    other_class = Classroom.objects.create(teacher=cast.other_teacher, name="Period 9")
    response = _admin(login, cast).post(
        "/admin/tutor/assignment/add/",
        {"problem_set": cast.problem_set.pk, "classroom": other_class.pk,
         "due_at_0": "2030-01-01", "due_at_1": "10:00"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "its own teacher" in response.content.decode()
    assert not Assignment.objects.filter(classroom=other_class).exists()


def test_every_record_has_a_readable_name(
    cast: Cast, record: dict[str, object], login: Login
) -> None:
    """No admin row reads "TutoringSession object (2)", and no name carries a username."""
    client = _admin(login, cast)
    for model in apps.get_app_config("tutor").get_models():
        for obj in model.objects.all()[:3]:
            name = str(obj)
            assert not DEFAULT_STR.search(name), (model.__name__, name)
            if model is not User:
                assert "alice" not in name, (model.__name__, name)
        listing = client.get(f"/admin/tutor/{model._meta.model_name}/")
        if listing.status_code == 200:
            assert not DEFAULT_STR.search(listing.content.decode()), model.__name__
