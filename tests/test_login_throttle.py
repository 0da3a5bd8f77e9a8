"""Repeated failed logins are throttled, with a clear message, without locking others out."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.test import Client, RequestFactory

from tests.conftest import Cast


def _login(client: Client, username: str, password: str) -> bool:
    response = client.post("/login/", {"username": username, "password": password})
    return response.status_code == 302


def test_it_locks_a_username_after_repeated_failures(cast: Cast, settings: object) -> None:
    """After five wrong passwords even the right one is refused for a while."""
    settings.LOGIN_FAILURE_LIMIT = 5  # type: ignore[attr-defined]
    client = Client()
    for _ in range(5):
        assert not _login(client, "alice", "wrong-password")
    assert not _login(client, "alice", "pw-alice-1")
    page = client.post("/login/", {"username": "alice", "password": "pw-alice-1"})
    assert "Too many failed attempts" in page.content.decode()
    assert _login(Client(REMOTE_ADDR="10.9.9.9"), "bob", "pw-bob-1")


def test_it_forgets_failures_after_a_successful_login(cast: Cast) -> None:
    """A typo or two, then the right password, leaves no lasting count."""
    request = RequestFactory().post("/login/")
    for _ in range(3):
        assert authenticate(request, username="bob", password="nope") is None
    assert authenticate(request, username="bob", password="pw-bob-1") == cast.bob
    for _ in range(3):
        assert authenticate(request, username="bob", password="nope") is None
    assert authenticate(request, username="bob", password="pw-bob-1") == cast.bob
