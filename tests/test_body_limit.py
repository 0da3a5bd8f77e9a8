"""Request bodies over the cap are refused before the application reads them."""

from __future__ import annotations

import asyncio
import http.client
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import LiveStack
from tutor.body_limit import BodyLimit

CAP = 1000


class App:
    def __init__(self) -> None:
        self.body = b""
        self.called = False

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.called = True
        while True:
            message = await receive()
            self.body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def _call(app: App, headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> tuple[int, int]:
    """The status sent, and how many chunks were read."""
    sent: list[dict[str, Any]] = []
    read = 0

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        if read > len(chunks):
            raise AssertionError("read past the end of the body")
        return {"type": "http.request", "body": chunks[read - 1], "more_body": read < len(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
    asyncio.run(BodyLimit(app, CAP)(scope, receive, send))
    return sent[0]["status"], read


def test_a_declared_length_over_the_cap_is_refused_unread() -> None:
    app = App()
    status, read = _call(app, [(b"content-length", b"5000")], [b"x" * 5000])
    assert (status, read, app.called) == (413, 0, False)


def test_a_chunked_body_is_refused_once_it_passes_the_cap() -> None:
    app = App()
    status, read = _call(app, [], [b"x" * 400] * 10)
    assert (status, read, app.called) == (413, 3, False)  # 1,200 bytes > 1,000 after three


def test_a_body_within_the_cap_reaches_the_application_whole() -> None:
    app = App()
    status, _ = _call(app, [(b"content-length", b"800")], [b"a" * 400, b"b" * 400])
    assert status == 200 and app.body == b"a" * 400 + b"b" * 400


@pytest.mark.live
def test_the_running_site_refuses_an_over_size_upload(live: LiveStack) -> None:
    host = urlsplit(live.url)
    for chunked in (False, True):
        connection = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        body = b"x" * (4 * 1024 * 1024)
        if chunked:
            connection.request(
                "POST",
                "/login/",
                body=iter([body[i : i + 65536] for i in range(0, len(body), 65536)]),
                encode_chunked=True,
            )
        else:
            connection.request("POST", "/login/", body=body)
        response = connection.getresponse()
        assert response.status == 413, (chunked, response.status)
        connection.close()
