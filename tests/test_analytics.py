"""The teacher's class analytics: what the class got wrong, how hard each problem was, time,
hints and mastery; as tables, chart hooks and CSV, for the teacher's own class only."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import Cast, Login
from tutor.models import Turn, TutoringSession
from tutor.services import attempts
from tutor.services.skills import problem_skills_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked(cast: Cast) -> Cast:
    """Alice moves +5 across without changing its sign, then answers wrong and right; bob
    answers right at once and asks for two hints on the word problem."""
    problem_skills_set(problem=cast.problem, names=["linear equations"])
    attempts.attempt_check_steps(
        student=cast.alice, problem=cast.problem, lines=["3x + 5 = 20", "3x = 25"]
    )
    attempts.attempt_submit_answer(student=cast.alice, problem=cast.problem, answer="x = 25/3")
    attempts.attempt_submit_answer(student=cast.alice, problem=cast.problem, answer="x = 5")
    attempts.attempt_submit_answer(student=cast.bob, problem=cast.problem, answer="x = 5")
    session = TutoringSession.objects.create(student=cast.bob, problem=cast.word_problem)
    for index, rung in enumerate((1, 2)):
        Turn.objects.create(
            session=session, index=index, mode=Turn.Mode.HINT, hint_rung=rung, status="done"
        )
    return cast


def _url(cast: Cast, suffix: str = "analytics/") -> str:
    return f"/teach/assignments/{cast.assignment.pk}/{suffix}"


def _csv(login: Login, cast: Cast, table: str) -> list[list[str]]:
    response = login(cast.teacher).get(_url(cast, f"analytics.csv?table={table}"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_page_shows_the_misconception_alice_made(worked: Cast, login: Login) -> None:
    """The misconception table names sign_error_moving_term, with a chart drawn from it."""
    page = login(worked.teacher).get(_url(worked)).content.decode()
    assert "Misconceptions by frequency" in page
    assert '<th scope="row">sign_error_moving_term</th>' in page
    assert "changes its sign" in page  # what it means, for the teacher
    assert 'data-chart-for="misconceptions-table"' in page
    assert 'id="misconceptions-table" data-chart="bar"' in page
    assert "chartjs/chart.umd.min.js" in page and "js/analytics.js" in page


def test_item_difficulty_counts_first_tries_and_mean_tries(worked: Cast, login: Login) -> None:
    """Problem 1: two answered, half right at the first try, both solved, 1.5 tries."""
    rows = _csv(login, worked, "difficulty")
    assert rows[0][:5] == ["Problem", "Answered", "Right at first try", "Solved", "Mean tries"]
    assert rows[1][:5] == ["1", "2", "0.5", "1", "1.5"]
    assert rows[2][:3] == ["2", "0", "—"], "nobody answered the word problem"


def test_hints_are_counted_by_rung(worked: Cast, login: Login) -> None:
    """Bob's two hints on problem 2 are one at rung 1 and one at rung 2, from one student."""
    rows = _csv(login, worked, "hints")
    assert rows[0] == ["Problem", "Rung 1", "Rung 2", "Rung 3", "Students who asked"]
    assert rows[2] == ["2", "1", "1", "0", "1"]


def test_mastery_across_the_roster(worked: Cast, login: Login) -> None:
    """Both students answered on linear equations; the per-student grid has their P(known)."""
    rows = _csv(login, worked, "mastery")
    assert rows[1][:2] == ["linear equations", "2"]
    grid = {row[0]: row[1] for row in _csv(login, worked, "mastery_by_student")[1:]}
    assert float(grid["alice"]) == pytest.approx(0.5909, abs=1e-4)
    assert float(grid["bob"]) == pytest.approx(0.7098, abs=1e-4)


def test_misconceptions_per_student_and_problem_in_csv(worked: Cast, login: Login) -> None:
    """One column per misconception: alice's one step, bob's none; problem 1's one step."""
    assert _csv(login, worked, "misconceptions_by_student") == [
        ["Student", "sign_error_moving_term", "Total"],
        ["alice", "1", "1"],
        ["bob", "0", "0"],
    ]
    assert _csv(login, worked, "misconceptions_by_problem")[1:] == [
        ["1", "1", "1"],
        ["2", "0", "0"],
    ]


def test_a_csv_cell_cannot_start_a_formula(worked: Cast, login: Login) -> None:
    """A student named '=HYPERLINK(...)' is written with a leading apostrophe."""
    worked.alice.first_name = "=HYPERLINK(1)"
    worked.alice.save()
    names = [row[0] for row in _csv(login, worked, "misconceptions_by_student")[1:]]
    assert sorted(names) == ["'=HYPERLINK(1)", "bob"]


def test_another_teacher_and_students_get_nothing(worked: Cast, login: Login) -> None:
    """Another teacher gets a 404 for the page and the CSV; a student is not let in."""
    other = login(worked.other_teacher)
    assert other.get(_url(worked)).status_code == 404
    assert other.get(_url(worked, "analytics.csv?table=misconceptions")).status_code == 404
    assert login(worked.alice).get(_url(worked)).status_code in (302, 403, 404)
    assert login(worked.teacher).get(_url(worked, "analytics.csv?table=nope")).status_code == 404


def test_the_query_count_does_not_grow_with_the_class(worked: Cast, login: Login) -> None:
    """The page takes the same number of queries with 2 students as with 12 and more work."""
    client = login(worked.teacher)
    with CaptureQueriesContext(connection) as small:
        client.get(_url(worked))
    from tutor.models import Enrolment, User

    for i in range(10):
        student = User.objects.create_user(f"s{i}")
        Enrolment.objects.create(classroom=worked.classroom, student=student)
        attempts.attempt_submit_answer(student=student, problem=worked.problem, answer="x = 4")
    with CaptureQueriesContext(connection) as large:
        client.get(_url(worked))
    assert len(large) == len(small) <= 15


def test_the_class_and_progress_pages_link_to_analytics(worked: Cast, login: Login) -> None:
    """Both the class page and the progress grid link to the analytics page."""
    client = login(worked.teacher)
    for page in (f"/teach/classes/{worked.classroom.pk}/", _url(worked, "")):
        assert _url(worked) in client.get(page).content.decode()


def test_a_mistake_the_student_fixed_still_counts(worked: Cast, login: Login) -> None:
    """Alice fixes her line, and checks it twice more: the saved verdicts no longer name the
    mistake, but the class's analytics still count it, once."""
    from tutor.models import NamedMisconception, StepVerdict

    for _ in range(2):
        attempts.attempt_check_steps(
            student=worked.alice, problem=worked.problem, lines=["3x + 5 = 20", "3x = 15"]
        )
    assert not StepVerdict.objects.exclude(rule="").exists()
    assert NamedMisconception.objects.filter(rule="sign_error_moving_term").count() == 1
    rows = _csv(login, worked, "misconceptions")
    assert any(row[0] == "sign_error_moving_term" for row in rows[1:]), rows
