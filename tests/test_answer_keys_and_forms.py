"""Answer keys the checker reads before they are saved, answer forms, and a history that never
shows the key."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import Cast, Login
from tutor.errors import UserError
from tutor.models import Problem
from tutor.services import attempts
from tutor.services.problem_sets import ImportFailed, import_parse, problem_save

pytestmark = pytest.mark.django_db


def test_the_editor_refuses_a_key_the_checker_cannot_read(cast: Cast) -> None:
    """ "x = = 3 ))" is refused with the reason, and nothing is saved."""
    with pytest.raises(UserError) as caught:
        problem_save(problem_set=cast.problem_set, statement="Solve it.", answer_key="x = = 3 ))")
    assert "every answer to it would be undecided" in caught.value.message.lower()
    assert cast.problem_set.problems.count() == 2


def test_the_editor_page_shows_the_refusal(cast: Cast) -> None:
    """The teacher sees why the key was refused, on the form."""
    client = Client()
    client.force_login(cast.teacher)
    response = client.post(
        f"/teach/sets/{cast.problem_set.pk}/problems/new",
        {"statement": "Expand (x+3)^2.", "answer_key": "seventy two", "answer_form": ""},
    )
    assert response.status_code == 200
    assert "was not saved" in response.content.decode()


def test_the_editor_saves_the_form_and_suggests_one(cast: Cast) -> None:
    """The chosen form is saved; the statement's verb suggests one."""
    client = Client()
    client.force_login(cast.teacher)
    page = client.get(f"/teach/sets/{cast.problem_set.pk}/problems/{cast.problem.pk}/")
    assert page.status_code == 200 and 'name="answer_form"' in page.content.decode()
    client.post(
        f"/teach/sets/{cast.problem_set.pk}/problems/new",
        {"statement": "Expand (x+3)^2.", "answer_key": "x^2 + 6x + 9", "answer_form": "expanded"},
    )
    saved = Problem.objects.get(statement="Expand (x+3)^2.")
    assert saved.answer_form == "expanded"
    response = client.post(
        f"/teach/sets/{cast.problem_set.pk}/problems/new",
        {"statement": "Factor x^2 - 1.", "answer_key": "", "answer_form": ""},
    )
    assert "Suggested from the statement: fully factored" in response.content.decode()


def test_the_import_refuses_unreadable_keys_and_reads_forms() -> None:
    """An import with a key the checker cannot read names the line; a form column is read."""
    with pytest.raises(ImportFailed) as caught:
        import_parse(data=b'{"statement": "q", "answer_key": "x = = 3 ))"}\n', filename="a.jsonl")
    assert any("line 1" in e and "cannot be used" in e for e in caught.value.errors)
    [draft] = import_parse(
        data=b'{"statement": "Expand (x+1)^2", "answer_key": "x^2+2x+1", '
        b'"answer_form": "expanded"}\n',
        filename="a.jsonl",
    )
    assert draft.answer_form == "expanded"


def test_a_right_value_in_the_wrong_form_is_not_marked_wrong(cast: Cast) -> None:
    """ "(x+3)(x+3)" for "Expand (x+3)^2" is right value, wrong form: not correct, not wrong."""
    problem = Problem.objects.create(
        problem_set=cast.problem_set,
        position=5,
        statement="Expand (x+3)^2.",
        answer_key="x^2 + 6x + 9",
        answer_form="expanded",
    )
    submission = attempts.attempt_submit_answer(
        student=cast.alice, problem=problem, answer="(x+3)(x+3)"
    )
    assert submission.equivalent is None
    assert submission.detail == "right value, but the question asks for it expanded"
    assert submission.attempt.status == "in_progress"
    right = attempts.attempt_submit_answer(student=cast.alice, problem=problem, answer="x^2+6x+9")
    assert right.equivalent is True


def test_the_answer_history_never_shows_the_key(cast: Cast) -> None:
    """A wrong answer's history line says it is not the answer, and no value of the key."""
    cast.word_problem.answer_key = "14"
    cast.word_problem.save()
    attempts.attempt_submit_answer(student=cast.alice, problem=cast.word_problem, answer="12")
    client = Client()
    client.force_login(cast.alice)
    page = client.get(f"/problems/{cast.word_problem.pk}/").content.decode()
    history = page[page.index('class="history"') :].split("</details>")[0]
    history = re.sub(r"<time[^>]*>.*?</time>", "", history)  # "23:14" is a time, not the key
    assert "not the answer" in history and "14" not in history


def test_editing_a_problem_keeps_its_saved_form(cast: Cast, login: Login) -> None:
    """The editor opens with the form the problem already has selected, not a fresh guess."""
    Problem.objects.filter(pk=cast.problem.pk).update(answer_form="exact")
    page = login(cast.teacher).get(f"/teach/sets/{cast.problem_set.pk}/problems/{cast.problem.pk}/")
    html = page.content.decode()
    assert '<option value="exact" selected>' in html


def test_the_student_is_told_which_form_is_asked_for(cast: Cast, login: Login) -> None:
    """A right value in another form says what the question asks for, not 'could not decide'."""
    problem = cast.problem_set.problems.create(
        position=5, statement="Expand (x+3)^2.", answer_key="x^2 + 6x + 9", answer_form="expanded"
    )
    client = login(cast.alice)
    page = client.post(f"/problems/{problem.pk}/answer", {"answer": "(x+3)^2"}, follow=True)
    text = page.content.decode()
    assert "asks for it expanded" in text
    assert "could not decide" not in text
