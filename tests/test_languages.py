"""Languages through the pages: the choice of language, Spanish pages and verdicts, and
numbers with a decimal comma where the page's language writes them so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import Cast, Login
from tutor.language import scope_language
from tutor.models import AnswerSubmission, Attempt, Problem, User

pytestmark = pytest.mark.django_db

CATALOG = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.mo"
needs_catalog = pytest.mark.skipif(not CATALOG.exists(), reason="no compiled Spanish catalog")


def _spanish(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    return client


def _steps(client: Client, problem: Problem, lines: list[str]) -> list[dict[str, object]]:
    response = client.post(
        f"/problems/{problem.pk}/steps", json.dumps({"lines": lines}), "application/json"
    )
    assert response.status_code == 200, response.content
    steps: list[dict[str, object]] = response.json()["steps"]
    return steps


def _answer(client: Client, problem: Problem, answer: str) -> AnswerSubmission:
    response = client.post(f"/problems/{problem.pk}/answer", {"answer": answer})
    assert response.status_code == 302
    return AnswerSubmission.objects.filter(attempt__problem=problem).latest("pk")


# The language form


def test_the_language_form_saves_a_users_choice_and_a_cookie(cast: Cast, login: Login) -> None:
    client = login(cast.alice)
    response = client.post("/language", {"language": "es", "next": "/sets/1/"})
    assert response.status_code == 302 and response["Location"] == "/sets/1/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    cast.alice.refresh_from_db()
    assert cast.alice.language == "es"


def test_an_unknown_language_or_a_foreign_next_changes_nothing(cast: Cast, login: Login) -> None:
    client = login(cast.alice)
    response = client.post("/language", {"language": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    cast.alice.refresh_from_db()
    assert cast.alice.language == ""


def test_choosing_a_language_needs_a_post() -> None:
    assert Client().get("/language?language=es").status_code == 405


def test_a_visitor_chooses_a_language_with_a_cookie_alone() -> None:
    response = Client().post("/language", {"language": "es", "next": "/login/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert not User.objects.filter(language="es").exists()


@needs_catalog
def test_the_login_page_follows_the_browsers_language() -> None:
    spanish = Client(headers={"accept-language": "es-ES,es;q=0.9"}).get("/login/")
    english = Client(headers={"accept-language": "en-GB,en;q=0.9"}).get("/login/")
    assert '<html lang="es"' in spanish.content.decode()
    assert '<html lang="en"' in english.content.decode()
    assert "Iniciar sesión" in spanish.content.decode()
    assert "Iniciar sesión" not in english.content.decode()


@needs_catalog
def test_a_saved_choice_beats_the_browser_on_every_device(cast: Cast) -> None:
    cast.alice.language = "es"
    cast.alice.save(update_fields=["language"])
    client = Client(headers={"accept-language": "en-US,en;q=0.9"})
    client.force_login(cast.alice)
    page = client.get("/").content.decode()
    assert '<html lang="es"' in page


def test_the_tutor_socket_speaks_the_pages_language(cast: Cast) -> None:
    browser = {"headers": [(b"accept-language", b"es-MX,es;q=0.8,en;q=0.5")], "cookies": {}}
    assert scope_language(browser, cast.alice) == "es"
    cookie = {"headers": [(b"accept-language", b"es")], "cookies": {"django_language": "en"}}
    assert scope_language(cookie, cast.alice) == "en"
    cast.alice.language = "es"
    assert scope_language({"headers": [], "cookies": {"django_language": "en"}}, cast.alice) == "es"
    assert scope_language({"headers": [(b"accept-language", b"fr, de")]}, None) == "en"


# Spanish verdicts


@needs_catalog
def test_a_spanish_page_gets_spanish_verdicts_and_english_is_stored(
    cast: Cast, login: Login
) -> None:
    lines = ["3x + 5 = 20", "3x = 16"]
    english = _steps(login(cast.bob), cast.problem, lines)[1]
    spanish = _steps(_spanish(login(cast.alice)), cast.problem, lines)[1]
    assert english["verdict"] == spanish["verdict"] == "wrong"
    assert spanish["detail"] != english["detail"]
    attempt = Attempt.objects.get(student=cast.alice, problem=cast.problem)
    # What is stored is the canonical verdict, so a teacher reads it in their own language.
    assert attempt.verdicts.get(index=1).detail == english["detail"]


@needs_catalog
def test_a_spanish_answer_message_is_spanish(cast: Cast, login: Login) -> None:
    client = _spanish(login(cast.alice))
    url = f"/problems/{cast.word_problem.pk}/answer"
    page = client.post(url, {"answer": "24"}, follow=True).content.decode()
    assert "Correcto: 24 coincide con la respuesta." in page
    assert "Correct: 24" not in page


# Decimal commas


def test_a_spanish_student_writes_decimals_with_a_comma(cast: Cast, login: Login) -> None:
    lines = ["x = 0,5 + 0,25", "x = 0,75"]
    steps = _steps(_spanish(login(cast.alice)), cast.problem, lines)
    assert steps[1]["verdict"] == "ok", steps
    # Saved as typed: the student sees their own commas when they come back.
    assert Attempt.objects.get(student=cast.alice, problem=cast.problem).steps == lines


def test_a_wrong_decimal_comma_step_is_still_wrong(cast: Cast, login: Login) -> None:
    steps = _steps(_spanish(login(cast.alice)), cast.problem, ["x = 0,5 + 0,25", "x = 0,9"])
    assert steps[1]["verdict"] == "wrong", steps


def test_an_english_page_does_not_read_a_comma_as_a_decimal_point(cast: Cast, login: Login) -> None:
    steps = _steps(login(cast.alice), cast.problem, ["x = 0,5 + 0,25", "x = 0,75"])
    assert steps[1]["verdict"] != "ok", steps


@pytest.fixture
def thousand(cast: Cast) -> Problem:
    return Problem.objects.create(
        problem_set=cast.problem_set,
        position=2,
        statement="How many is ten hundreds?",
        answer_key="1000",
    )


def test_a_thousand_with_a_comma_is_a_thousand_in_english(
    thousand: Problem, login: Login, cast: Cast
) -> None:
    assert _answer(login(cast.alice), thousand, "1,000").equivalent is True


def test_in_spanish_a_comma_is_the_decimal_point(
    thousand: Problem, login: Login, cast: Cast
) -> None:
    client = _spanish(login(cast.alice))
    assert _answer(client, thousand, "1,000").equivalent is False  # one
    submission = _answer(client, thousand, "1000,0")
    assert submission.equivalent is True
    assert submission.answer == "1000,0"  # saved as typed


def test_the_answer_preview_reads_a_decimal_comma_on_a_spanish_page(
    cast: Cast, login: Login
) -> None:
    url = f"/problems/{cast.word_problem.pk}/answer/read-as"
    body = json.dumps({"answer": "0,5"})
    spanish = _spanish(login(cast.alice)).post(url, body, "application/json").json()
    english = login(cast.bob).post(url, body, "application/json").json()
    assert spanish["reading"] in {"0.5", "1/2"}, spanish
    assert english["reading"] != spanish["reading"], english


# The tutor socket's events


@needs_catalog
def test_the_sockets_events_carry_verdicts_and_errors_in_the_pages_language() -> None:
    from django.utils import translation

    from tutor.checker_text import translate_detail
    from tutor.consumers import localized
    from tutor.turn_errors import cut_off

    detail = "not checked yet: the checker is busy; it is checked again in a moment"
    step = {"type": "turn.step", "step": {"index": 3, "text": "x = 2", "detail": detail}}
    done = {"type": "turn.done", "status": "done", "error": cut_off(32768)}
    with translation.override("en"):
        assert localized(step) == step and localized(done) == done
    with translation.override("es"):
        shown = localized(step)["step"]
        error = localized(done)["error"]
        assert shown["detail"] == translate_detail(detail) != detail
        assert shown["text"] == "x = 2"
        assert "32,768" in error and error != done["error"]
        assert localized({"type": "turn.done", "error": "something new"})["error"] == (
            "something new"
        )


# A Spanish teacher


def test_a_spanish_teachers_key_with_a_decimal_comma_is_a_decimal(cast: Cast, login: Login) -> None:
    teacher = _spanish(login(cast.teacher))
    response = teacher.post(
        f"/teach/sets/{cast.problem_set.pk}/problems/new",
        {"statement": "Half of one?", "answer_key": "x = 0,5", "skills": ""},
    )
    assert response.status_code == 302
    problem = Problem.objects.get(statement="Half of one?")
    assert problem.answer_key == "x = 0.5"
    assert _answer(_spanish(login(cast.alice)), problem, "x = 0,5").equivalent is True
    assert _answer(login(cast.bob), problem, "x = 0.5").equivalent is True


def test_a_spanish_teacher_assigns_with_the_date_picker(cast: Cast, login: Login) -> None:
    from tutor.models import Assignment, ProblemSet

    other = ProblemSet.objects.create(owner=cast.teacher, title="Decimales")
    Problem.objects.create(problem_set=other, position=0, statement="0,5 + 0,5", answer_key="1")
    teacher = _spanish(login(cast.teacher))
    teacher.post(
        f"/teach/classes/{cast.classroom.pk}/assign",
        {"problem_set": other.pk, "due_at": "2030-01-15T09:00"},
    )
    assignment = Assignment.objects.get(problem_set=other)
    assert (assignment.due_at.year, assignment.due_at.month, assignment.due_at.day) == (2030, 1, 15)


@needs_catalog
@pytest.mark.django_db(transaction=True)
def test_a_spanish_socket_receives_the_tutors_verdicts_in_spanish(cast: Cast) -> None:
    """Through the real channel layer: a streamed step's verdict arrives translated."""
    from typing import Any

    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer
    from channels.testing import WebsocketCommunicator
    from django.utils import translation

    from tests.conftest import session_cookie
    from tutor.asgi import application
    from tutor.checker_text import translate_detail
    from tutor.events import HANDLER, session_group
    from tutor.services.turns import session_for

    session = session_for(student=cast.alice, problem=cast.problem)
    detail = "not checked yet: the checker is busy; it is checked again in a moment"
    step = {"index": 0, "text": "x = 2", "verdict": "unchecked", "detail": detail}
    headers = [
        (b"host", b"127.0.0.1"),
        (b"origin", b"http://127.0.0.1"),
        (b"cookie", f"sessionid={session_cookie(cast.alice)}".encode()),
        (b"accept-language", b"es-ES,es;q=0.9"),
    ]

    async def run() -> dict[str, Any]:
        comm = WebsocketCommunicator(application, f"/ws/session/{session.pk}/", headers=headers)
        connected, _ = await comm.connect()
        assert connected
        # The first snapshot comes once the socket has joined its session's group.
        while (await comm.receive_json_from(timeout=5)).get("type") != "session.snapshot":
            pass
        layer = get_channel_layer()
        assert layer is not None
        await layer.group_send(
            session_group(session.pk),
            {"type": HANDLER, "event": {"type": "turn.step", "turn": 1, "step": step}},
        )
        try:
            while True:
                message: dict[str, Any] = await comm.receive_json_from(timeout=5)
                if message.get("type") == "turn.step":
                    return message
        finally:
            await comm.disconnect()

    received = async_to_sync(run)()
    with translation.override("es"):
        assert received["step"]["detail"] == translate_detail(detail) != detail


@needs_catalog
def test_a_fixed_sentence_stored_as_a_detail_is_translated_too() -> None:
    from django.utils import translation

    from tutor.checker_text import translate_detail
    from tutor.services.attempts import CHECKER_MISSING

    with translation.override("es"):
        assert translate_detail(CHECKER_MISSING) != CHECKER_MISSING
        assert translate_detail("x = 2, y = 3") == "x = 2, y = 3"
