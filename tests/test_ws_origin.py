"""The websocket Origin must match an allowed origin in scheme, host and port (item 27)."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from tests.conftest import Cast, session_cookie
from tutor.asgi import application
from tutor.services.turns import session_for

pytestmark = pytest.mark.django_db(transaction=True)


def _opens(
    cast: Cast, origin: str, host: str = "127.0.0.1", extra: tuple[tuple[str, str], ...] = ()
) -> bool:
    """Whether alice's socket opens from a page on `origin`, sent to `host`."""
    session = session_for(student=cast.alice, problem=cast.problem)
    cookie = session_cookie(cast.alice)
    headers = [
        (b"host", host.encode()),
        (b"origin", origin.encode()),
        (b"cookie", f"sessionid={cookie}".encode()),
        *((name.encode(), value.encode()) for name, value in extra),
    ]

    async def run() -> bool:
        comm = WebsocketCommunicator(application, f"/ws/session/{session.pk}/", headers=headers)
        connected, _ = await comm.connect()
        await comm.disconnect()
        return bool(connected)

    return async_to_sync(run)()


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:9999",  # another port on the same host
        "https://127.0.0.1",  # another scheme
        "https://localhost",  # another host in ALLOWED_HOSTS, and another scheme
        "http://localhost",  # another host in ALLOWED_HOSTS
        "http://[::1]:1",
        "http://127.0.0.1.evil.example",
        "null",  # a sandboxed frame or a file: page
        "http://127.0.0.1/path",
    ],
)
def test_it_refuses_a_page_of_another_origin(cast: Cast, origin: str) -> None:
    """A page on another scheme, host or port cannot open the student's socket."""
    assert _opens(cast, origin) is False


def test_it_opens_for_the_sites_own_page(cast: Cast) -> None:
    """The site's own page, with the default port written or not, opens the socket."""
    assert _opens(cast, "http://127.0.0.1") is True
    assert _opens(cast, "http://127.0.0.1:80") is True
    assert _opens(cast, "http://127.0.0.1:8000", host="127.0.0.1:8000") is True
    assert _opens(cast, "http://[::1]:8000", host="[::1]:8000") is True


def test_it_compares_the_port_of_the_host_it_was_sent_to(cast: Cast) -> None:
    """Served on port 8000, a page on port 80 of the same host is another origin."""
    assert _opens(cast, "http://127.0.0.1", host="127.0.0.1:8000") is False


def test_it_refuses_a_host_it_does_not_serve(cast: Cast) -> None:
    """A matching Origin and Host that are not in ALLOWED_HOSTS (DNS rebinding) are refused."""
    assert _opens(cast, "http://rebind.example", host="rebind.example") is False


def test_it_follows_the_tls_proxy_for_the_scheme(cast: Cast, settings: object) -> None:
    """Behind the TLS proxy the page is https, as the proxy's header says, and http is not."""
    settings.ALLOWED_HOSTS = ["stepwise.example.org"]  # type: ignore[attr-defined]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # type: ignore[attr-defined]
    proto = (("x-forwarded-proto", "https"),)
    host = "stepwise.example.org"
    assert _opens(cast, "https://stepwise.example.org", host=host, extra=proto) is True
    assert _opens(cast, "http://stepwise.example.org", host=host, extra=proto) is False
    assert _opens(cast, "https://stepwise.example.org", host=host) is False


def test_it_admits_the_csrf_trusted_origins(cast: Cast, settings: object) -> None:
    """CSRF_TRUSTED_ORIGINS mean for sockets what they mean for POSTs: scheme, host and port."""
    settings.CSRF_TRUSTED_ORIGINS = [  # type: ignore[attr-defined]
        "https://app.example.org",
        "https://*.school.example",
    ]
    assert _opens(cast, "https://app.example.org") is True
    assert _opens(cast, "https://app.example.org:443") is True
    assert _opens(cast, "https://north.school.example") is True
    assert _opens(cast, "http://app.example.org") is False
    assert _opens(cast, "https://app.example.org:8443") is False
    assert _opens(cast, "https://school.example.evil") is False
