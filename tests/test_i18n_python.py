"""Text made in Python goes through translation: no bare literal reaches a user.

The static half reads the source: a message, a form label or help text, a validation error
or a service error written as a bare string (or an f-string) would be shown in English on a
Spanish page, and is listed. The behaviour half asks pages in Spanish and checks that what
the Python code says comes back in Spanish; it needs the compiled Spanish catalog and is
skipped where there is none yet.
"""

from __future__ import annotations

import ast
import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from tests.conftest import Cast, Login, session_cookie
from tutor.asgi import application
from tutor.models import User
from tutor.services.turns import session_for

ROOT = Path(settings.BASE_DIR)
TUTOR = ROOT / "tutor"
# Where Python makes text for users: the views, forms, services, LTI pages and the socket.
SCANNED = [
    *sorted((TUTOR / "views").glob("*.py")),
    *sorted((TUTOR / "services").glob("*.py")),
    *sorted((TUTOR / "lti").glob("*.py")),
    TUTOR / "forms.py",
    TUTOR / "consumers.py",
    TUTOR / "admin.py",
    TUTOR / "models.py",
    TUTOR / "usernames.py",
    TUTOR / "login_throttle.py",
    TUTOR / "text_input.py",
]
TRANSLATING = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
}
MESSAGE_LEVELS = {"debug", "info", "success", "warning", "error", "add_message"}
# Errors whose text is shown to the person who caused them.
SHOWN_ERRORS = {"ValidationError", "UserError", "RateLimited", "TurnBusy", "ImportFailed"}
SHOWN_KEYWORDS = {"label", "help_text"}
MO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.mo"
needs_catalog = pytest.mark.skipif(not MO.exists(), reason="no compiled Spanish catalog yet")


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _bare(node: ast.expr) -> bool:
    """A string literal or f-string, not passed through a translation function."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value.strip() != ""
    return isinstance(node, ast.JoinedStr)


def _untranslated(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        if (
            name in MESSAGE_LEVELS
            and isinstance(receiver, ast.Name)
            and receiver.id == "messages"
            and len(node.args) >= 2
            and _bare(node.args[-1])
        ):
            found.append((node.lineno, f"messages.{name} with a bare string"))
        if name in SHOWN_ERRORS and node.args and _bare(node.args[0]):
            found.append((node.lineno, f"{name} with a bare string"))
        if name == "json_error" and node.args and _bare(node.args[0]):
            found.append((node.lineno, "json_error with a bare string"))
        for keyword in node.keywords:
            if keyword.arg in SHOWN_KEYWORDS and _bare(keyword.value):
                found.append((node.lineno, f"{keyword.arg}= with a bare string"))
    return found


def test_no_bare_user_facing_strings_in_python() -> None:
    """Messages, labels, help texts and shown errors go through gettext (or a constant
    marked with gettext_noop and translated where it is used)."""
    problems = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in SCANNED
        for line, what in _untranslated(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not problems, "untranslated text:\n" + "\n".join(problems)


def test_the_scan_finds_what_it_looks_for() -> None:
    """The scanner itself: each kind of bare string is caught, and translated ones are not."""
    source = """
messages.error(request, "Bare.")
messages.success(request, f"Bare {x}.")
raise forms.ValidationError("Bare.")
raise UserError(f"Bare {x}.")
name = forms.CharField(label="Bare", help_text="Bare.")
messages.error(request, gettext("Fine."))
raise UserError(gettext("Fine %(x)s.") % {"x": x})
name = forms.CharField(label=_("Fine"), help_text=_("Fine."))
raise UserError(exc.message)
"""
    assert [line for line, _what in _untranslated(ast.parse(source))] == [2, 3, 4, 5, 6, 6]


def _spanish(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    return client


@needs_catalog
def test_a_spanish_page_says_the_answer_message_in_spanish(cast: Cast, login: Login) -> None:
    client = _spanish(login(cast.alice))
    response = client.post(f"/problems/{cast.problem.pk}/answer", {"answer": "x = 4"}, follow=True)
    page = response.content.decode()
    assert "Todavía no: x = 4 no coincide. Vuelve a intentarlo." in page
    assert "does not match" not in page


@needs_catalog
def test_a_spanish_page_gets_spanish_form_errors(cast: Cast) -> None:
    client = _spanish(Client())
    response = client.post(
        "/signup/",
        {
            "username": "alice",
            "first_name": "Alicia",
            "password": "a long enough passphrase 42",
            "join_code": cast.classroom.join_code,
        },
    )
    page = response.content.decode()
    assert "Ese nombre de usuario ya está en uso; elige otro." in page
    assert "That username is taken" not in page


@needs_catalog
def test_the_language_cookie_gives_spanish_json_errors(cast: Cast, login: Login) -> None:
    client = login(cast.alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = client.post(
        f"/problems/{cast.problem.pk}/steps", {"lines": "x"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"error": "Envía las líneas de tu trabajo como una lista."}


@needs_catalog
def test_a_saved_language_beats_the_browsers(cast: Cast, login: Login) -> None:
    """Saved Spanish, a browser asking for English: the message is Spanish; without the
    saved choice the same browser gets English."""
    User.objects.filter(pk=cast.bob.pk).update(language="es")
    answer = {"answer": "x = 4"}
    spanish = login(User.objects.get(pk=cast.bob.pk))
    page = spanish.post(
        f"/problems/{cast.problem.pk}/answer", answer, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    english = login(cast.alice)
    other = english.post(
        f"/problems/{cast.problem.pk}/answer", answer, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Todavía no: x = 4 no coincide." in page and "does not match" not in page
    assert "Not yet: x = 4 does not match. Try again." in other


async def _errors(comm: WebsocketCommunicator, wanted: int) -> list[str]:
    errors: list[str] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while len(errors) < wanted and loop.time() < deadline:
        if comm.output_queue.empty():
            await asyncio.sleep(0.02)
            continue
        output = comm.output_queue.get_nowait()
        if output["type"] == "websocket.send":
            message: dict[str, Any] = json.loads(output["text"])
            if message.get("type") == "error":
                errors.append(message["message"])
    return errors


@needs_catalog
@pytest.mark.django_db(transaction=True)
def test_the_tutor_socket_answers_in_the_pages_language(cast: Cast) -> None:
    """The socket's own errors and a service's (raised in a database thread) are Spanish."""
    session = session_for(student=cast.alice, problem=cast.problem)
    headers = [
        (b"host", b"127.0.0.1"),
        (b"origin", b"http://127.0.0.1"),
        (b"cookie", f"sessionid={session_cookie(cast.alice)}".encode()),
        (b"accept-language", b"es"),
    ]

    async def run() -> list[str]:
        comm = WebsocketCommunicator(application, f"/ws/session/{session.pk}/", headers=headers)
        await comm.connect()
        await comm.send_to(bytes_data=b"\x00")
        await comm.send_json_to({"type": "ask", "mode": "nonsense"})
        errors = await _errors(comm, 2)
        await comm.disconnect()
        return errors

    assert async_to_sync(run)() == [
        "Envía las solicitudes como texto JSON, no en binario.",
        "Elige una pista, revisar mi trabajo, una solución completa o haz una pregunta.",
    ]
