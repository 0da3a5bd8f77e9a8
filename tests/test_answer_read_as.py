"""The final answer's "read as" preview: how the checker reads an answer before it is sent."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from tests.conftest import Cast, Login
from tutor.models import AnswerSubmission, Attempt

pytestmark = pytest.mark.django_db


def _preview(client: Client, cast: Cast, body: object) -> Any:
    url = f"/problems/{cast.problem.pk}/answer/read-as"
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("answer", "reading"),
    [
        ("3/4", "3/4"),
        (r"\frac{3}{4}", "3/4"),  # what the keypad's LaTeX would be, read the same way
        ("sqrt(2)", "sqrt(2)"),
        ("√2", "sqrt(2)"),
        (r"\sqrt{2}", "sqrt(2)"),
        ("x = 5", "x = 5"),
        ("2pi", "2*pi"),
    ],
)
def test_it_shows_how_the_answer_is_read(
    cast: Cast, login: Login, answer: str, reading: str
) -> None:
    """A student sees the answer as the checker will read it."""
    response = _preview(login(cast.alice), cast, {"answer": answer})
    assert response.status_code == 200
    assert response.json() == {"reading": reading, "note": ""}


def test_an_unreadable_answer_says_so_without_the_key(cast: Cast, login: Login) -> None:
    """A word with no math gets a note, and nothing about the key (x = 5) is in the reply."""
    response = _preview(login(cast.alice), cast, {"answer": "hello"})
    assert response.status_code == 200
    body = response.json()
    assert body["reading"] is None and "cannot read" in body["note"]
    assert "5" not in json.dumps(body) and "key" not in json.dumps(body)


def test_a_preview_is_not_a_try(cast: Cast, login: Login) -> None:
    """Previewing records nothing: no attempt, no submission, no try used."""
    client = login(cast.alice)
    for answer in ("x = 4", "x = 5"):
        assert _preview(client, cast, {"answer": answer}).status_code == 200
    assert not Attempt.objects.filter(student=cast.alice).exists()
    assert not AnswerSubmission.objects.exists()


def test_an_empty_answer_has_no_reading(cast: Cast, login: Login) -> None:
    response = _preview(login(cast.alice), cast, {"answer": "   "})
    assert response.json() == {"reading": None, "note": ""}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"answer": "1" * 501}, "limited to 500"),
        ({"answer": "x\x00"}, "NUL"),
        ({"answer": ["3/4"]}, "as text"),
        ({}, "as text"),
    ],
)
def test_bad_input_is_refused_clearly(
    cast: Cast, login: Login, body: dict[str, object], message: str
) -> None:
    """Too long, NUL bytes or no text: a 400 with a message, never a 500."""
    response = _preview(login(cast.alice), cast, body)
    assert response.status_code == 400
    assert message in response.json()["error"]


@override_settings(STEP_CHECKS_PER_MINUTE=2)
def test_previews_are_limited_per_minute(cast: Cast, login: Login) -> None:
    """Past the per-minute budget a preview is a 429 with a message; sending still works."""
    client = login(cast.alice)
    codes = [_preview(client, cast, {"answer": "3/4"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
