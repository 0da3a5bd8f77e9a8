"""Teacher pages: classes and codes, the set editor, assigning, progress, CSV, and isolation."""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import Cast, Login
from tutor.models import Assignment, Attempt, Classroom, Flag, ProblemSet, StepVerdict
from tutor.services.turns import session_for

pytestmark = pytest.mark.django_db


def test_a_teacher_creates_a_class_and_regenerates_its_code(cast: Cast, login: Login) -> None:
    """A new class gets a join code; a new code replaces it and the old one stops working."""
    client = login(cast.teacher)
    response = client.post("/teach/classes/new", {"name": "Period 7"})
    classroom = Classroom.objects.get(name="Period 7")
    assert response.url == f"/teach/classes/{classroom.pk}/"
    old = classroom.join_code
    client.post(f"/teach/classes/{classroom.pk}/code")
    classroom.refresh_from_db()
    assert classroom.join_code != old
    page = client.get(f"/teach/classes/{classroom.pk}/").content.decode()
    assert classroom.join_code in page and "No students yet" in page


def test_the_roster_lists_the_students(cast: Cast, login: Login) -> None:
    """The class page lists every enrolled student."""
    page = login(cast.teacher).get(f"/teach/classes/{cast.classroom.pk}/").content.decode()
    assert "alice" in page and "bob" in page and "Roster (2)" in page


def test_a_teacher_edits_reorders_and_assigns_a_set(cast: Cast, login: Login) -> None:
    """Create a set, add two problems, move the second up, then assign it with a due date."""
    client = login(cast.teacher)
    client.post("/teach/sets/new", {"title": "Fractions", "description": ""})
    problem_set = ProblemSet.objects.get(title="Fractions")
    for statement, key in (("First $\\frac{1}{2}$", "1/2"), ("Second", "2")):
        response = client.post(
            f"/teach/sets/{problem_set.pk}/problems/new",
            {"statement": statement, "answer_key": key, "skills": "fractions"},
        )
        assert response.status_code == 302
    first, second = problem_set.problems.all()
    client.post(f"/teach/problems/{second.pk}/move", {"direction": "up"})
    assert [p.statement for p in problem_set.problems.all()] == ["Second", "First $\\frac{1}{2}$"]
    client.post(
        f"/teach/sets/{problem_set.pk}/problems/{first.pk}/",
        {"statement": "First, edited", "answer_key": "0.5", "reference_solution": "Half."},
    )
    first.refresh_from_db()
    assert first.answer_key == "0.5" and first.reference_solution == "Half."
    response = client.post(
        f"/teach/classes/{cast.classroom.pk}/assign",
        {"problem_set": problem_set.pk, "due_at": "2030-01-15T09:00"},
    )
    assert Assignment.objects.filter(problem_set=problem_set, classroom=cast.classroom).exists()
    assert "Fractions" in login(cast.alice).get("/").content.decode()


def test_the_editor_page_has_a_live_preview(cast: Cast, login: Login) -> None:
    """The problem editor carries preview areas for the statement and the solution."""
    url = f"/teach/sets/{cast.problem_set.pk}/problems/{cast.problem.pk}/"
    page = login(cast.teacher).get(url).content.decode()
    assert 'id="statement-preview"' in page and "editor.js" in page


def test_progress_shows_status_score_time_and_wrong_lines(cast: Cast, login: Login) -> None:
    """The grid has a cell per student and problem, with status, score and wrong lines."""
    attempt = Attempt.objects.create(
        student=cast.alice, problem=cast.problem, status="correct", score=1
    )
    StepVerdict.objects.create(attempt=attempt, index=0, text="2+2=5", verdict="wrong")
    page = login(cast.teacher).get(f"/teach/assignments/{cast.assignment.pk}/").content.decode()
    assert "Correct" in page and "Not started" in page and "✗ 1" in page


def test_the_gradebook_exports_as_csv_and_defuses_formulas(cast: Cast, login: Login) -> None:
    """The CSV has a row per student with each problem's score; formula-like names are quoted."""
    cast.bob.first_name = "=HYPERLINK(1)"
    cast.bob.save()
    Attempt.objects.create(student=cast.alice, problem=cast.problem, status="correct", score=1)
    response = login(cast.teacher).get(f"/teach/assignments/{cast.assignment.pk}/gradebook.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["username", "name", "problem 1 score"]
    by_user = {r[0]: r for r in rows[1:]}
    assert by_user["alice"][2] == "1" and by_user["alice"][-2] == "1"
    assert by_user["bob"][1].startswith("'=")


def test_a_teacher_drills_into_a_students_attempt_and_transcript(cast: Cast, login: Login) -> None:
    """The teacher sees the student's lines, answers and tutor transcript."""
    Attempt.objects.create(student=cast.alice, problem=cast.problem, steps=["3x = 15"])
    session = session_for(student=cast.alice, problem=cast.problem)
    session.turns.create(index=0, mode="hint", status="done", text="Subtract five first.")
    a, s, p = cast.assignment.pk, cast.alice.pk, cast.problem.pk
    page = login(cast.teacher).get(f"/teach/assignments/{a}/students/{s}/problems/{p}/")
    assert "Subtract five first." in page.content.decode()


def test_another_teacher_sees_nothing_of_this_class(cast: Cast, login: Login) -> None:
    """Every class, set, problem, assignment and student URL is 404 for another teacher."""
    client = login(cast.other_teacher)
    a, s, p, c = cast.assignment.pk, cast.alice.pk, cast.problem.pk, cast.classroom.pk
    ps = cast.problem_set.pk
    for url in (
        f"/teach/classes/{c}/",
        f"/teach/sets/{ps}/",
        f"/teach/sets/{ps}/problems/{p}/",
        f"/teach/sets/{ps}/import",
        f"/teach/assignments/{a}/",
        f"/teach/assignments/{a}/gradebook.csv",
        f"/teach/assignments/{a}/students/{s}/problems/{p}/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/teach/classes/{c}/code",
        f"/teach/problems/{p}/move",
        f"/teach/classes/{c}/assign",
    ):
        assert client.post(url, {"direction": "up"}).status_code == 404, url
    assert "Period 3" not in client.get("/teach/").content.decode()


def test_a_teacher_cannot_assign_someone_elses_set(cast: Cast, login: Login) -> None:
    """Posting another teacher's set id to one's own class is a 404 and assigns nothing."""
    mine = Classroom.objects.create(teacher=cast.other_teacher, name="Mine")
    client = login(cast.other_teacher)
    response = client.post(
        f"/teach/classes/{mine.pk}/assign",
        {"problem_set": cast.problem_set.pk, "due_at": "2030-01-15T09:00"},
    )
    # 200: the class page again, the form saying the set is not one of the choices.
    assert response.status_code in (200, 302, 404)
    assert not Assignment.objects.filter(classroom=mine).exists()


def test_students_cannot_open_teacher_pages(cast: Cast, login: Login) -> None:
    """A student gets 403 on the teacher pages."""
    client = login(cast.alice)
    assert client.get("/teach/").status_code == 403
    assert client.get(f"/teach/assignments/{cast.assignment.pk}/").status_code == 403


def test_the_teacher_sees_flags_of_their_classes_only(cast: Cast, login: Login) -> None:
    """A flag on a student's attempt shows in that teacher's flag list, not another's."""
    attempt = Attempt.objects.create(student=cast.alice, problem=cast.problem)
    Flag.objects.create(kind="dispute", reason="Step 1: hmm", problem=cast.problem, attempt=attempt)
    assert "Step 1: hmm" in login(cast.teacher).get("/teach/flags/").content.decode()
    assert "Step 1: hmm" not in login(cast.other_teacher).get("/teach/flags/").content.decode()
