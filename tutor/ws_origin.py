"""The websocket Origin check: the page that opens a socket must be this site's own page.

Channels' AllowedHostsOriginValidator compares the Origin's host with ALLOWED_HOSTS and
ignores its scheme and port, so a page on http://127.0.0.1:9999 could open a student's
socket on port 8000 with their cookie. Here the Origin must equal, in scheme, host and port,
the origin of the request itself (its Host header, itself in ALLOWED_HOSTS, and http or
https as Django decides for a POST), or one of CSRF_TRUSTED_ORIGINS: the same rule Django's
CSRF check applies to a form POST.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str  # lower case; an IPv6 address without its brackets
    port: int


def parse_origin(value: str) -> Origin | None:
    """`scheme://host[:port]` as an Origin, or None for anything else ("null", a path)."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/"):
        return None
    return Origin(parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme])


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin1")
    return None


def _is_secure(scope: dict[str, Any]) -> bool:
    """As Django's request.is_secure(): wss, or the trusted proxy's header says https."""
    if scope.get("scheme") == "wss":
        return True
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if not proxy:
        return False
    meta_name, expected = proxy
    header = meta_name.removeprefix("HTTP_").lower().replace("_", "-").encode("latin1")
    value = _header(scope, header)
    return value is not None and value.split(",")[0].strip() == expected


def own_origin(scope: dict[str, Any]) -> Origin | None:
    """The origin of the page this socket belongs to, if its Host is one we serve."""
    host = _header(scope, b"host")
    if not host:
        return None
    domain, _ = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    return parse_origin(f"{'https' if _is_secure(scope) else 'http'}://{host}")


def _trusted(origin: Origin) -> bool:
    """CSRF_TRUSTED_ORIGINS, as Django reads them: exact, or `scheme://*.domain[:port]`."""
    for entry in settings.CSRF_TRUSTED_ORIGINS:
        wildcard = "://*." in entry
        pattern = parse_origin(entry.replace("://*.", "://", 1))
        if pattern is None or (pattern.scheme, pattern.port) != (origin.scheme, origin.port):
            continue
        if origin.host == pattern.host or (wildcard and origin.host.endswith("." + pattern.host)):
            return True
    return False


def origin_allowed(scope: dict[str, Any]) -> bool:
    value = _header(scope, b"origin")
    origin = parse_origin(value) if value is not None else None
    if origin is None:
        return False
    return origin == own_origin(scope) or _trusted(origin)


class SameOriginValidator:
    """ASGI middleware: refuse the handshake (HTTP 403) unless origin_allowed(scope)."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if origin_allowed(scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
