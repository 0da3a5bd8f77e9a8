"""'Show me another': templated problems, each student's own variant, and the editor."""

from __future__ import annotations

import pytest

from tests.conftest import Cast, Login
from tutor import selectors
from tutor.models import Attempt, Problem
from tutor.problem_variants import shown_problem
from tutor.services import attempts

pytestmark = pytest.mark.django_db

SPEC = "a in 2..9\nb in 1..9\nk in 2..6\nc = a*k + b"
STATEMENT = "Solve ${a}x + {b} = {c}$."


@pytest.fixture
def template(cast: Cast) -> Problem:
    return Problem.objects.create(
        problem_set=cast.problem_set,
        position=9,
        statement=STATEMENT,
        answer_key="x = {k}",
        parameters=SPEC,
    )


def _key(problem: Problem, cast: Cast) -> str:
    return shown_problem(problem=problem, student=cast.alice).answer_key


def test_the_student_sees_their_own_numbers(cast: Cast, login: Login, template: Problem) -> None:
    page = login(cast.alice).get(f"/problems/{template.pk}/").content.decode()
    shown = shown_problem(problem=template, student=cast.alice)
    assert "{a}" not in page and shown.statement.replace("$", "") in page.replace("$", "")
    assert "Your own numbers" in page
    # Each student has a seeded variant of their own: across two students and ten variants
    # the statements are not all the same.
    statements = set()
    for student in (cast.alice, cast.bob):
        attempt = Attempt.objects.create(student=student, problem=template)
        for number in range(5):
            attempt.variant = number
            statements.add(
                shown_problem(problem=template, student=student, attempt=attempt).statement
            )
    assert len(statements) > 3


def test_answers_are_checked_against_the_variants_key(cast: Cast, template: Problem) -> None:
    right = _key(template, cast).split("=")[1].strip()
    wrong = str(int(right) + 1)
    assert (
        attempts.attempt_submit_answer(
            student=cast.alice, problem=template, answer=wrong
        ).equivalent
        is False
    )
    assert (
        attempts.attempt_submit_answer(
            student=cast.alice, problem=template, answer=f"x = {right}"
        ).equivalent
        is True
    )


def test_show_me_another_after_a_right_answer(cast: Cast, login: Login, template: Problem) -> None:
    client = login(cast.alice)
    client.post(
        f"/problems/{template.pk}/steps", {"lines": ["x = 1"]}, content_type="application/json"
    )
    page = client.get(f"/problems/{template.pk}/").content.decode()
    assert "Show me another" not in page
    refused = client.post(f"/problems/{template.pk}/another", follow=True).content.decode()
    assert "Another variant comes after a right answer" in refused
    first = _key(template, cast)
    client.post(f"/problems/{template.pk}/answer", {"answer": first})
    page = client.get(f"/problems/{template.pk}/").content.decode()
    assert "Show me another" in page
    client.post(f"/problems/{template.pk}/another")
    attempt = Attempt.objects.get(student=cast.alice, problem=template)
    assert attempt.variant == 1 and attempt.steps == [] and attempt.status == "correct"
    assert attempt.submissions.get().variant == 0  # the history keeps its variant
    second = shown_problem(problem=template, student=cast.alice)
    assert second.variant == 1


def test_show_me_another_after_three_tries(cast: Cast, template: Problem) -> None:
    for _ in range(attempts.ANOTHER_AFTER_TRIES):
        attempts.attempt_submit_answer(student=cast.alice, problem=template, answer="x = 1000")
    attempt = attempts.attempt_another_variant(student=cast.alice, problem=template)
    assert attempt.variant == 1 and attempt.status == "in_progress"
    # Three more tries at the new variant before the next one.
    with pytest.raises(Exception, match="after 3 tries"):
        attempts.attempt_another_variant(student=cast.alice, problem=template)


def test_the_tutor_explains_the_students_variant(cast: Cast, template: Problem) -> None:
    from tutor.services.turns import session_for

    session = session_for(student=cast.alice, problem=template)
    turn = session.turns.create(index=0, mode="hint", status="queued")
    inputs = selectors.turn_inputs(turn=turn)
    shown = shown_problem(problem=template, student=cast.alice)
    assert inputs.problem == shown.statement and inputs.answer_key == shown.answer_key
    assert "{" not in inputs.problem


def test_the_editor_previews_three_variants_and_refuses_a_broken_template(
    cast: Cast, login: Login
) -> None:
    client = login(cast.teacher)
    url = f"/teach/sets/{cast.problem_set.pk}/problems/new"
    data = {"statement": STATEMENT, "answer_key": "x = {k}", "parameters": SPEC, "answer_form": ""}
    preview = client.post(url, {**data, "action": "preview"}).content.decode()
    assert preview.count("<tr><td>") == 3 and "x = " in preview
    assert not Problem.objects.filter(parameters=SPEC).exists(), "a preview saves nothing"
    broken = client.post(url, {**data, "parameters": "a in 1..3\nrequire a > 7"}).content.decode()
    assert "no values met every condition" in broken
    unreadable = client.post(url, {**data, "answer_key": "x = {k} ^^"}).content.decode()
    assert "The template was not saved" in unreadable
    assert client.post(url, data).status_code == 302
    saved = Problem.objects.get(parameters=SPEC)
    edit = client.get(f"/teach/sets/{cast.problem_set.pk}/problems/{saved.pk}/").content.decode()
    assert edit.count("<tr><td>") == 3


def test_the_import_reads_templates_and_refuses_a_broken_one(cast: Cast) -> None:
    import json as jsonlib

    from tutor.services import problem_sets

    good = {"statement": STATEMENT, "answer_key": "x = {k}", "parameters": SPEC}
    data = (jsonlib.dumps(good) + "\n").encode()
    (made,) = problem_sets.problems_import(
        problem_set=cast.problem_set, data=data, filename="t.jsonl"
    )
    assert made.parameters == SPEC
    broken = {**good, "parameters": "a in 1..3\nrequire a > 9"}
    with pytest.raises(problem_sets.ImportFailed, match="no values met every condition"):
        problem_sets.problems_import(
            problem_set=cast.problem_set, data=jsonlib.dumps(broken).encode(), filename="t.jsonl"
        )
