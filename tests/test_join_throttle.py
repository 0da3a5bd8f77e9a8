"""Join codes cannot be guessed, and sign-ups are bounded per address (finding 13)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.conftest import Cast, Login
from tutor.models import Enrolment, User

pytestmark = pytest.mark.django_db


def _sign_up(client: Client, code: str, username: str, **extra: str) -> str:
    data = {"username": username, "first_name": "Sam", "last_name": "", "join_code": code,
            "password": "a-long-enough-password-42", **extra}  # fmt: skip
    response = client.post("/signup/", data)
    return "home" if response.status_code == 302 else response.content.decode()


@override_settings(JOIN_CODE_FAILURE_LIMIT=3)
def test_wrong_codes_at_sign_up_stop_after_the_limit(cast: Cast) -> None:
    """Past the limit even the right code is not tried from that address; the message says so.
    Another address still signs up."""
    client = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(3):
        assert "does not match any class" in _sign_up(client, "WRONG000", f"guess{n}")
    page = _sign_up(client, cast.classroom.join_code, "sam")
    assert "Too many join codes" in page
    assert not User.objects.filter(username="sam").exists()
    other = Client(REMOTE_ADDR="198.51.100.8")
    assert _sign_up(other, cast.classroom.join_code, "sam") == "home"


@override_settings(JOIN_CODE_FAILURE_LIMIT=3)
def test_a_right_code_never_counts_so_a_whole_class_signs_up(cast: Cast) -> None:
    """Thirty students behind one school address sign up with the right code."""
    for n in range(30):
        assert (
            _sign_up(Client(REMOTE_ADDR="203.0.113.1"), cast.classroom.join_code, f"s{n}") == "home"
        )
    assert Enrolment.objects.filter(classroom=cast.classroom).count() == 32


@override_settings(JOIN_CODE_FAILURE_LIMIT=2)
def test_wrong_codes_when_joining_are_counted_per_student(cast: Cast, login: Login) -> None:
    alice, bob = login(cast.alice), login(cast.bob)
    for _ in range(2):
        alice.post("/join/", {"join_code": "WRONG000"})
    page = alice.post("/join/", {"join_code": "WRONG000"}, follow=True).content.decode()
    assert "Too many join codes" in page
    page = bob.post("/join/", {"join_code": "WRONG000"}, follow=True).content.decode()
    assert "does not match any class" in page


@override_settings(SIGNUPS_PER_HOUR_PER_ADDRESS=2)
def test_new_accounts_per_address_are_bounded(cast: Cast) -> None:
    code = cast.classroom.join_code
    assert _sign_up(Client(REMOTE_ADDR="192.0.2.5"), code, "one") == "home"
    assert _sign_up(Client(REMOTE_ADDR="192.0.2.5"), code, "two") == "home"
    assert "Too many new accounts" in _sign_up(Client(REMOTE_ADDR="192.0.2.5"), code, "three")
    assert not User.objects.filter(username="three").exists()


def test_sign_up_reads_the_username_as_it_is_stored(cast: Cast) -> None:
    """A full-width spelling of a taken name is the taken name; a name with a line break is
    refused at sign-up, with a message."""
    page = _sign_up(Client(), cast.classroom.join_code, "\uff42\uff4f\uff42")
    assert "taken" in page or "looks too much like" in page
    page = _sign_up(Client(), cast.classroom.join_code, "newbie", first_name="Sam\nRow")
    assert "line breaks" in page
    assert not User.objects.filter(username="newbie").exists()
