"""Login throttling locks an account, not a site (item 28)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.db import connections
from django.test import Client, RequestFactory

from tests.conftest import Cast
from tutor.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def _login(username: str, password: str, address: str = "10.0.0.1", **headers: str) -> bool:
    client = Client(REMOTE_ADDR=address, headers=headers)
    response = client.post("/login/", {"username": username, "password": password})
    return response.status_code == 302


def test_parallel_wrong_passwords_are_not_all_checked(
    cast: Cast, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twelve wrong passwords at once against a limit of five: five are checked, no more."""
    settings.LOGIN_FAILURE_LIMIT = 5
    checked: list[str] = []
    original = User.check_password

    def slow_check(self: User, raw_password: str) -> bool:
        checked.append(raw_password)
        time.sleep(0.3)  # as long as a real password hash, so that the twelve overlap
        return original(self, raw_password)

    monkeypatch.setattr(User, "check_password", slow_check)
    start = threading.Barrier(12)

    def guess(n: int) -> None:
        request = RequestFactory().post("/login/", REMOTE_ADDR="10.0.0.7")
        start.wait()
        try:
            authenticate(request, username="alice", password=f"guess-{n}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(checked) == 5


def test_a_flood_from_one_address_locks_no_other_account(cast: Cast) -> None:
    """Thirty failures on many usernames from a school's one address; bob still logs in."""
    for n in range(30):
        assert not _login(f"student{n % 6}", "wrong-password")
    assert _login("bob", "pw-bob-1")


def test_one_client_cannot_lock_the_account_for_others(cast: Cast, settings: Any) -> None:
    """Five failures from one client lock the account there; alice elsewhere still gets in."""
    settings.LOGIN_FAILURE_LIMIT = 5
    for _ in range(5):
        assert not _login("alice", "wrong-password", address="198.51.100.9")
    assert not _login("alice", "pw-alice-1", address="198.51.100.9")
    assert _login("alice", "pw-alice-1", address="203.0.113.4")


def test_failures_from_many_clients_lock_the_account(cast: Cast, settings: Any) -> None:
    """Guesses spread over twenty addresses lock the account for everyone."""
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 20
    for n in range(20):
        assert not _login("alice", "wrong-password", address=f"198.51.100.{n + 1}")
    assert not _login("alice", "pw-alice-1", address="203.0.113.4")
    assert _login("bob", "pw-bob-1", address="203.0.113.4")


def test_a_forwarded_header_is_ignored_unless_configured(cast: Cast, settings: Any) -> None:
    """Without a trusted proxy, a client cannot pick a fresh address with X-Forwarded-For."""
    settings.LOGIN_CLIENT_ADDRESS_HEADER = ""
    for n in range(5):
        assert not _login("alice", "wrong", x_forwarded_for=f"192.0.2.{n + 1}")
    assert not _login("alice", "pw-alice-1", x_forwarded_for="192.0.2.99")


def test_clients_behind_the_trusted_proxy_are_told_apart(cast: Cast, settings: Any) -> None:
    """Behind the proxy every peer address is the proxy's; its header names the client."""
    settings.LOGIN_CLIENT_ADDRESS_HEADER = "X-Forwarded-For"
    proxy = "10.0.0.100"
    for _ in range(5):
        # The first entry is the client's own claim; the proxy appended the last one.
        assert not _login("alice", "wrong", proxy, x_forwarded_for="192.0.2.2, 192.0.2.1")
    assert not _login("alice", "pw-alice-1", proxy, x_forwarded_for="192.0.2.1")
    assert _login("alice", "pw-alice-1", proxy, x_forwarded_for="192.0.2.2")


def test_a_refused_login_says_so_and_for_how_long(cast: Cast, settings: Any) -> None:
    """The page says the account is locked for a while, not that the password is wrong."""
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_LOCKOUT_S = 600
    client = Client(REMOTE_ADDR="10.0.0.3")
    for _ in range(2):
        page = client.post("/login/", {"username": "alice", "password": "wrong"})
        assert "Too many failed attempts" not in page.content.decode()
    page = client.post("/login/", {"username": "alice", "password": "pw-alice-1"})
    assert "Too many failed attempts. Wait 10 minutes" in page.content.decode()
