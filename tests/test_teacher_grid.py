"""Honest teacher views (issue 16, item 4): the grid keeps the student's own mistakes apart
from the tutor's, shows hints used, and the transcript hides lines with no checkable math."""

from __future__ import annotations

import pytest
from pytest_django import DjangoAssertNumQueries

from tests.conftest import Cast, Login
from tutor import selectors
from tutor.models import Attempt, Flag, StepVerdict
from tutor.services.turns import session_for

pytestmark = pytest.mark.django_db


def _alice_cell(cast: Cast) -> selectors.ProgressCell:
    _, rows = selectors.assignment_progress(assignment=cast.assignment)
    row = next(r for r in rows if r.student == cast.alice)
    return next(c for c in row.cells if c.problem == cast.problem)


def _tutor_turn_with_flagged_steps(cast: Cast, n: int) -> None:
    session = session_for(student=cast.alice, problem=cast.problem)
    turn = session.turns.create(index=0, mode="solve", status="done")
    for i in range(n):
        step = StepVerdict.objects.create(turn=turn, index=i, text="2+2=5", verdict="wrong")
        Flag.objects.create(
            kind="model_step", problem=cast.problem, turn=turn, step=step, reason="Tutor step"
        )


def test_the_tutors_flagged_steps_are_not_the_students(cast: Cast) -> None:
    """Four flagged tutor steps count as the tutor's; alice's own wrong line counts as hers."""
    attempt = Attempt.objects.create(student=cast.alice, problem=cast.problem)
    StepVerdict.objects.create(attempt=attempt, index=0, text="3x = 16", verdict="wrong")
    StepVerdict.objects.create(attempt=attempt, index=1, text="x = 5", verdict="ok")
    _tutor_turn_with_flagged_steps(cast, 4)
    cell = _alice_cell(cast)
    assert (cell.wrong_lines, cell.student_flags, cell.tutor_flags) == (1, 0, 4)


def test_a_dispute_the_student_raised_counts_as_theirs(cast: Cast) -> None:
    """A flag on alice's attempt is a flag on her work, not the tutor's."""
    attempt = Attempt.objects.create(student=cast.alice, problem=cast.problem)
    Flag.objects.create(
        kind="dispute", problem=cast.problem, attempt=attempt, raised_by=cast.alice, reason="s"
    )
    cell = _alice_cell(cast)
    assert (cell.student_flags, cell.tutor_flags) == (1, 0)


def test_the_grid_shows_wrong_lines_and_tutor_flags_apart(cast: Cast, login: Login) -> None:
    """The cell reads "✗ 1" for alice's line and "tutor ⚑ 4" for the tutor's, never "⚑ 5"."""
    attempt = Attempt.objects.create(student=cast.alice, problem=cast.problem)
    StepVerdict.objects.create(attempt=attempt, index=0, text="3x = 16", verdict="wrong")
    _tutor_turn_with_flagged_steps(cast, 4)
    page = login(cast.teacher).get(f"/teach/assignments/{cast.assignment.pk}/").content.decode()
    assert "✗ 1" in page and "tutor ⚑ 4" in page and "⚑ 5" not in page


def test_the_grid_counts_the_hints_the_tutor_gave(cast: Cast, login: Login) -> None:
    """Two hints given and one that failed: the cell says "hints 2"."""
    session = session_for(student=cast.alice, problem=cast.problem)
    for index, status in enumerate(("done", "done", "failed")):
        session.turns.create(index=index, mode="hint", hint_rung=index + 1, status=status)
    session.turns.create(index=3, mode="solve", status="done")
    assert _alice_cell(cast).hints == 2
    page = login(cast.teacher).get(f"/teach/assignments/{cast.assignment.pk}/").content.decode()
    assert "hints 2" in page


def test_the_grid_takes_a_fixed_number_of_queries(
    cast: Cast, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    """Attempts, flags and hints are read in bulk, not once per cell."""
    Attempt.objects.create(student=cast.alice, problem=cast.problem)
    Attempt.objects.create(student=cast.bob, problem=cast.word_problem)
    with django_assert_max_num_queries(6):
        selectors.assignment_progress(assignment=cast.assignment)


def _work_page(cast: Cast, login: Login, query: str = "") -> str:
    a, s, p = cast.assignment.pk, cast.alice.pk, cast.problem.pk
    url = f"/teach/assignments/{a}/students/{s}/problems/{p}/{query}"
    return login(cast.teacher).get(url).content.decode()


def test_the_transcript_hides_lines_with_no_checkable_math(cast: Cast, login: Login) -> None:
    """Prose lines are hidden by default, counted, with a link that shows them."""
    attempt = Attempt.objects.create(student=cast.alice, problem=cast.problem)
    StepVerdict.objects.create(attempt=attempt, index=0, text="first I think", verdict="none")
    StepVerdict.objects.create(attempt=attempt, index=1, text="3x = 15", verdict="ok")
    session = session_for(student=cast.alice, problem=cast.problem)
    turn = session.turns.create(index=0, mode="hint", status="done")
    StepVerdict.objects.create(turn=turn, index=0, text="Let us look again", verdict="none")
    StepVerdict.objects.create(turn=turn, index=1, text="3x = 20 - 5", verdict="ok")
    page = _work_page(cast, login)
    assert "<code>3x = 15</code>" in page and "<code>3x = 20 - 5</code>" in page
    assert "first I think" not in page and "Let us look again" not in page
    assert "2 lines with no checkable math hidden" in page and 'href="?lines=all"' in page


def test_the_toggle_shows_every_line(cast: Cast, login: Login) -> None:
    """?lines=all shows the prose lines too, with a link to hide them again."""
    attempt = Attempt.objects.create(student=cast.alice, problem=cast.problem)
    StepVerdict.objects.create(attempt=attempt, index=0, text="first I think", verdict="none")
    page = _work_page(cast, login, "?lines=all")
    assert "<code>first I think</code>" in page and "Hide lines with no checkable math" in page
