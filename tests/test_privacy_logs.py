"""Property 22: no personal data, session ids or secrets in logs or error pages."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path

from tests.conftest import ROOT, Cast, session_cookie

# At import, not inside a test: importing it runs django.setup() again, which reapplies
# LOGGING and would detach caplog's handler in the middle of the test.
from tutor.asgi import application
from tutor.services.turns import session_for

DENIAL_MIDDLEWARE = "tutor.middleware_denials.DenialLogMiddleware"


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("something broke")


# This module doubles as a URL conf: the real routes plus one that fails, for the 500 page.
urlpatterns = [path("boom/", _boom), path("", include("tutor.urls"))]


def _secrets(cast: Cast, cookie: str) -> list[str]:
    return [
        cast.alice.username,
        cast.alice.email,
        cookie,
        django_settings.SECRET_KEY,
        cast.alice.password,
    ]


@pytest.fixture
def alice_client(cast: Cast) -> tuple[Client, str]:
    cast.alice.email = "alice.private@example.com"
    cast.alice.save()
    client = Client(raise_request_exception=False)
    client.force_login(cast.alice)
    return client, client.cookies[django_settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def denials(settings: Any, caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    if DENIAL_MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, DENIAL_MIDDLEWARE]
    caplog.set_level(logging.INFO)
    return caplog


def test_it_defaults_debug_to_false() -> None:
    """Without DEBUG in the environment, error pages are the plain production ones."""
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env["DJANGO_SETTINGS_MODULE"] = "tutor.settings"
    code = "from django.conf import settings; print(settings.DEBUG)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


@pytest.mark.urls("tests.test_privacy_logs")
@pytest.mark.parametrize(
    ("url", "status"),
    [("/problems/987654/", 404), ("/teach/", 403), ("/boom/", 500)],
)
def test_it_shows_error_pages_without_personal_data(
    alice_client: tuple[Client, str],
    cast: Cast,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
    url: str,
    status: int,
) -> None:
    """A 404, 403 or 500 page names no user, email, session id or secret, nor does its log."""
    settings.DEBUG = False
    client, cookie = alice_client
    caplog.set_level(logging.INFO)
    response = client.get(url)
    assert response.status_code == status
    body = response.content.decode()
    for secret in _secrets(cast, cookie):
        assert secret not in body, f"{secret[:6]}... on the {status} page"
        assert secret not in caplog.text, f"{secret[:6]}... in the log of a {status}"
    assert "Traceback" not in body and "something broke" not in body


def test_it_logs_view_denials_by_user_id_only(
    alice_client: tuple[Client, str], cast: Cast, denials: pytest.LogCaptureFixture
) -> None:
    """A denied page is logged with the path and the user id, never the username."""
    client, cookie = alice_client
    assert client.get("/teach/").status_code == 403
    assert client.get(f"/review/flags/{cast.problem.pk}/").status_code == 403
    assert Client().get("/teach/").status_code == 302  # anonymous: a login redirect
    lines = [r.getMessage() for r in denials.records if r.name == "tutor.denials"]
    assert f"denied 403 GET /teach/ user={cast.alice.pk}" in lines
    for secret in _secrets(cast, cookie):
        assert secret not in denials.text


def test_it_keeps_usernames_out_of_failed_login_logs(
    cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    """A failed login (a typo in a child's username) leaves no username in the log."""
    caplog.set_level(logging.DEBUG)
    client = Client()
    for name in ("alice", "alice.typo"):
        client.post("/login/", {"username": name, "password": "wrong-password"})
    assert "alice" not in caplog.text


def test_it_logs_denials_in_the_real_configuration() -> None:
    """The denial log is switched on in the settings the site runs with."""
    assert DENIAL_MIDDLEWARE in django_settings.MIDDLEWARE
    auth = django_settings.MIDDLEWARE.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )
    assert django_settings.MIDDLEWARE.index(DENIAL_MIDDLEWARE) > auth


@pytest.mark.django_db(transaction=True)
def test_it_logs_websocket_denials_without_personal_data(
    cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    """A refused websocket subscription is logged by session id, not by who asked."""
    cast.bob.email = "bob.private@example.com"
    cast.bob.save()
    session = session_for(student=cast.alice, problem=cast.problem)
    cookie = session_cookie(cast.bob)

    async def run() -> dict[str, Any]:
        comm = WebsocketCommunicator(
            application,
            f"/ws/session/{session.pk}/",
            headers=[
                (b"host", b"testserver"),
                (b"origin", b"http://testserver"),
                (b"cookie", f"sessionid={cookie}".encode()),
            ],
        )
        await comm.connect(timeout=10)
        output = await comm.receive_output(timeout=10)
        await comm.disconnect()
        return dict(output)

    caplog.set_level(logging.DEBUG)
    output = async_to_sync(run)()
    assert output == {"type": "websocket.close", "code": 4403}
    assert "denied" in caplog.text
    for secret in ("bob", "bob.private@example.com", cookie, django_settings.SECRET_KEY):
        assert secret not in caplog.text
