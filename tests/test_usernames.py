"""Usernames are one spelling per person: NFKC, one alphabet, no look-alikes (finding 13)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tests.conftest import Cast, Login
from tutor.models import User
from tutor.usernames import skeleton, validate_person_name

CYRILLIC_A = "\u0430"
CYRILLIC_O = "\u043e"


def _sign_up(cast: Cast, username: str, first_name: str = "Sam") -> tuple[int, str]:
    response = Client().post(
        "/signup/",
        {"username": username, "first_name": first_name, "last_name": "", "join_code":
         cast.classroom.join_code, "password": "a-long-enough-password-42"},
    )  # fmt: skip
    return response.status_code, response.content.decode()


@pytest.mark.parametrize(
    "username",
    [
        CYRILLIC_A + "lice",  # a Cyrillic a, then Latin letters
        "aIice",  # a capital I where alice has an l
        "\uff41\uff4c\uff49\uff43\uff45",  # full-width alice
        "a1ice",  # a digit one where alice has an l
        "b" + CYRILLIC_O + "b",
    ],
    ids=["cyrillic-a", "capital-i", "full-width", "digit-one", "cyrillic-o"],
)
def test_sign_up_refuses_a_look_alike_of_a_classmate(cast: Cast, username: str) -> None:
    """A name that looks like alice's or bob's is refused with a message; no account is made."""
    status, page = _sign_up(cast, username)
    assert status == 200
    # Full-width alice is read (NFKC) as alice itself, which is taken.
    assert "looks too much like" in page or "one alphabet" in page or "is taken" in page
    assert User.objects.count() == 5


def test_sign_up_takes_a_name_in_another_alphabet(cast: Cast) -> None:
    """A username all in Cyrillic that looks like no one's is welcome."""
    status, _ = _sign_up(cast, "\u0430\u043b\u0435\u043a\u0441\u0435\u0439")  # алексей
    assert status == 302
    assert User.objects.filter(username="\u0430\u043b\u0435\u043a\u0441\u0435\u0439").exists()


def test_the_admin_refuses_a_look_alike_and_a_name_with_a_line_break(
    cast: Cast, login: Login
) -> None:
    """Creating bob with a Cyrillic o, or naming alice with a line break, is refused."""
    client = login(cast.admin)
    created = client.post(
        "/admin/tutor/user/add/",
        {"username": "b" + CYRILLIC_O + "b", "usable_password": "true",
         "password1": "a-long-enough-password-42", "password2": "a-long-enough-password-42"},
    )  # fmt: skip
    assert created.status_code == 200 and "one alphabet" in created.content.decode()
    assert not User.objects.filter(username="b" + CYRILLIC_O + "b").exists()
    change = client.get(f"/admin/tutor/user/{cast.alice.pk}/change/")
    assert change.status_code == 200
    data = {
        "username": "alice", "first_name": "Al\nice", "last_name": "", "email": "",
        "is_active": "on", "role": "student", "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00", "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "10:00:00",
    }  # fmt: skip
    renamed = client.post(f"/admin/tutor/user/{cast.alice.pk}/change/", data)
    assert renamed.status_code == 200 and "line breaks" in renamed.content.decode()
    cast.alice.refresh_from_db()
    assert cast.alice.first_name == ""


def test_look_alikes_share_a_skeleton() -> None:
    """The skeleton maps what reads the same to one spelling, and keeps what does not apart."""
    assert skeleton("aIice") == skeleton("alice") == skeleton(CYRILLIC_A + "lice")
    assert skeleton("rnary") == skeleton("mary")
    assert skeleton("ali") != skeleton("all")


@pytest.mark.parametrize("name", ["Al\nice", "Bob\r", "Eve\u202e", "Zo\u200be", "Tab\tby"])
def test_names_cannot_hold_line_breaks_or_invisible_characters(name: str) -> None:
    """A first or last name with a line break or an invisible character is refused."""
    with pytest.raises(ValidationError):
        validate_person_name(name)
    validate_person_name("Zoë O'Brien-Łukasz")
