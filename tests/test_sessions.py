"""Sessions rotate at login, slide while used, and end when left idle."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.conftest import Cast


def test_it_rotates_the_session_key_at_login(cast: Cast) -> None:
    """A session id planted before login is worthless after it (no session fixation)."""
    client = Client()
    session = client.session
    session["planted"] = True
    session.save()
    before = session.session_key
    response = client.post("/login/", {"username": "alice", "password": "pw-alice-1"})
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != before
    assert not Session.objects.filter(session_key=before).exists()


def test_it_deletes_the_session_at_logout(cast: Cast) -> None:
    """After logging out, the old session id opens nothing."""
    client = Client()
    client.force_login(cast.alice)
    key = client.cookies["sessionid"].value
    client.post("/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    stale = Client()
    stale.cookies["sessionid"] = key
    assert stale.get("/").status_code == 302


def test_it_ends_a_session_left_idle(cast: Cast, settings: object) -> None:
    """Past the idle timeout the student is sent back to the login page."""
    client = Client()
    client.force_login(cast.alice)
    assert client.get("/").status_code == 200
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_it_extends_the_session_while_it_is_used(cast: Cast) -> None:
    """Each request pushes the expiry forward: only idleness ends a session."""
    client = Client()
    client.force_login(cast.alice)
    key = client.cookies["sessionid"].value
    soon = timezone.now() + timedelta(minutes=5)
    Session.objects.filter(session_key=key).update(expire_date=soon)
    client.get("/")
    assert Session.objects.get(session_key=key).expire_date > soon + timedelta(minutes=30)
