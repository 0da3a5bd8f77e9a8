"""Student pages: sign-up with a join code, the dashboard, the workspace and its endpoints."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.conftest import Cast, Login
from tutor.models import Attempt, Enrolment, Flag, StepVerdict, User
from tutor.services.turns import session_for

pytestmark = pytest.mark.django_db


def _post_json(client: Client, url: str, data: object) -> object:
    return client.post(url, json.dumps(data), content_type="application/json")


def test_it_signs_up_a_student_into_the_class_of_the_code(cast: Cast) -> None:
    """A new student types the join code and lands on the class's assignments."""
    client = Client()
    response = client.post(
        "/signup/",
        {
            "username": "carol",
            "first_name": "Carol",
            "last_name": "C",
            "password": "a-long-enough-pass-42",
            "join_code": cast.classroom.join_code.lower(),
        },
    )
    assert response.status_code == 302
    carol = User.objects.get(username="carol")
    assert carol.role == User.Role.STUDENT
    assert Enrolment.objects.filter(student=carol, classroom=cast.classroom).exists()
    assert "Algebra basics" in client.get("/").content.decode()


def test_it_refuses_a_bad_join_code_and_creates_no_account(cast: Cast) -> None:
    """A wrong code shows a clear error next to the code, and no account is made."""
    response = Client().post(
        "/signup/",
        {
            "username": "dave",
            "first_name": "D",
            "password": "a-long-enough-pass-42",
            "join_code": "NOPE",
        },
    )
    assert response.status_code == 200
    assert "does not match any class" in response.content.decode()
    assert not User.objects.filter(username="dave").exists()


def test_an_existing_student_joins_another_class(cast: Cast, login: Login) -> None:
    """A student already signed up joins a second class with its code."""
    from tutor.models import Classroom

    other = Classroom.objects.create(teacher=cast.other_teacher, name="Period 5")
    client = login(cast.alice)
    response = client.post("/join/", {"join_code": other.join_code}, follow=True)
    assert "You joined Period 5" in response.content.decode()
    assert Enrolment.objects.filter(student=cast.alice, classroom=other).exists()


def test_the_dashboard_shows_due_date_progress_and_score(cast: Cast, login: Login) -> None:
    """Each assignment shows its due date, problems done out of total, and the score."""
    Attempt.objects.create(student=cast.alice, problem=cast.problem, status="correct", score=1)
    page = login(cast.alice).get("/").content.decode()
    assert "Algebra basics" in page and "due" in page
    assert "1 of 2 problems done" in page
    assert "Score: <strong>1</strong> / 2" in page


def test_the_problem_page_renders_the_statement_and_work_area(cast: Cast, login: Login) -> None:
    """The problem page has the statement, the work area and the tutor panel."""
    page = login(cast.alice).get(f"/problems/{cast.problem.pk}/").content.decode()
    assert "Solve $3x + 5 = 20$." in page
    assert 'id="work-lines"' in page and 'id="tutor"' in page
    assert "katex.min.js" in page and "<script>" not in page


def test_a_student_outside_the_class_gets_404(cast: Cast, login: Login) -> None:
    """A student in no class that has the set cannot open its problems."""
    eve = User.objects.create_user("eve", password="x", role=User.Role.STUDENT)
    client = login(eve)
    assert client.get(f"/problems/{cast.problem.pk}/").status_code == 404
    assert client.get(f"/sets/{cast.problem_set.pk}/").status_code == 404
    url = f"/problems/{cast.problem.pk}/steps"
    assert _post_json(client, url, {"lines": ["1=1"]}).status_code == 404


def test_it_checks_each_line_and_saves_the_verdicts(cast: Cast, login: Login) -> None:
    """Posting the lines returns a verdict and a reading for each; a wrong line says so."""
    client = login(cast.alice)
    lines = ["3x + 5 = 20", "3x = 15", "x = 5", "2+2=5"]
    response = _post_json(client, f"/problems/{cast.problem.pk}/steps", {"lines": lines})
    assert response.status_code == 200
    steps = response.json()["steps"]
    assert [s["index"] for s in steps] == [0, 1, 2, 3]
    assert steps[1]["verdict"] == "ok" and steps[1]["read_as"]
    assert steps[3]["verdict"] == "wrong" and steps[3]["detail"]
    attempt = Attempt.objects.get(student=cast.alice, problem=cast.problem)
    assert attempt.steps == lines
    assert StepVerdict.objects.filter(attempt=attempt).count() == 4


def test_it_rejects_too_much_work_with_a_clear_error(cast: Cast, login: Login) -> None:
    """Over 20 KB is 413 and over 100 lines is 400, each with a readable message."""
    client = login(cast.alice)
    url = f"/problems/{cast.problem.pk}/steps"
    big = _post_json(client, url, {"lines": ["x" * 900] * 30})
    assert big.status_code == 413 and "20 KB" in big.json()["error"]
    many = _post_json(client, url, {"lines": ["x=1"] * 101})
    assert many.status_code == 400 and "100 lines" in many.json()["error"]
    bad = client.post(url, "not json", content_type="application/json")
    assert bad.status_code == 400


def test_the_steps_endpoint_needs_the_csrf_token(cast: Cast) -> None:
    """A cross-site post without the token is refused."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.alice)
    response = _post_json(client, f"/problems/{cast.problem.pk}/steps", {"lines": ["1=1"]})
    assert response.status_code == 403


def test_final_answers_are_checked_with_retries_and_history(cast: Cast, login: Login) -> None:
    """A wrong answer can be retried; the right one marks the problem correct; all are kept."""
    client = login(cast.alice)
    url = f"/problems/{cast.problem.pk}/answer"
    page = client.post(url, {"answer": "x = 4"}, follow=True).content.decode()
    assert "does not match" in page
    page = client.post(url, {"answer": "5"}, follow=True).content.decode()
    assert "Correct" in page and "Answer history (2)" in page
    attempt = Attempt.objects.get(student=cast.alice, problem=cast.problem)
    assert attempt.status == "correct" and attempt.score == 1 and attempt.tries == 2
    assert not Flag.objects.exists(), "a student's disagreement with the key is not flagged"


def test_a_student_disputes_a_tutor_step_and_only_their_own(cast: Cast, login: Login) -> None:
    """ "I think this is wrong" on a tutor step makes a dispute flag; another student's is 404."""
    session = session_for(student=cast.alice, problem=cast.problem)
    turn = session.turns.create(index=0, mode="hint", status="done", text="2+2=5")
    StepVerdict.objects.create(turn=turn, index=0, text="2+2=5", verdict="wrong")
    response = _post_json(login(cast.alice), "/disputes", {"turn": turn.pk, "index": 0})
    assert response.status_code == 201
    flag = Flag.objects.get()
    assert flag.kind == "dispute" and flag.step is not None and flag.raised_by == cast.alice
    assert flag.events.get().action == "raised"
    response = _post_json(login(cast.bob), "/disputes", {"turn": turn.pk, "index": 0})
    assert response.status_code == 404


def test_a_student_never_sees_another_students_work(cast: Cast, login: Login) -> None:
    """Bob's problem page shows Bob's lines, never Alice's, and the teacher pages are closed."""
    Attempt.objects.create(student=cast.alice, problem=cast.problem, steps=["alice-secret = 1"])
    client = login(cast.bob)
    assert "alice-secret" not in client.get(f"/problems/{cast.problem.pk}/").content.decode()
    a, p = cast.assignment.pk, cast.problem.pk
    url = f"/teach/assignments/{a}/students/{cast.alice.pk}/problems/{p}/"
    assert client.get(url).status_code == 403
    assert (
        _post_json(client, "/disputes", {"problem": cast.problem.pk, "index": 0}).status_code == 404
    )
