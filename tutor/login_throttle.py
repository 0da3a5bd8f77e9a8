"""Repeated failed logins are throttled per username and per client address.

A small authentication backend rather than a package: it has to hold for every caller of
`authenticate()`, including the ones that pass no request, and it keeps its counters in the
Redis cache that Stepwise already runs.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest


def _key(kind: str, value: str) -> str:
    # Hashed: the cache holds no usernames or addresses in clear.
    digest = hashlib.sha256(value.lower().encode()).hexdigest()[:32]
    return f"stepwise:login-fail:{kind}:{digest}"


def _limits(request: HttpRequest | None, username: str | None) -> dict[str, int]:
    """Cache key -> failures allowed. One address may try a few usernames, not hundreds."""
    limits = {_key("user", username or ""): settings.LOGIN_FAILURE_LIMIT}
    if request is not None:
        address = request.META.get("REMOTE_ADDR", "")
        limits[_key("addr", address)] = settings.LOGIN_FAILURE_LIMIT * 4
    return limits


def is_locked(request: HttpRequest | None, username: str | None) -> bool:
    return any((cache.get(k) or 0) >= limit for k, limit in _limits(request, username).items())


def record_failure(request: HttpRequest | None, username: str | None) -> None:
    for k in _limits(request, username):
        cache.add(k, 0, settings.LOGIN_LOCKOUT_S)
        cache.incr(k)


def clear(username: str | None) -> None:
    cache.delete(_key("user", username or ""))


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if is_locked(request, username):
            # PermissionDenied stops authenticate() at once: no other backend is tried.
            raise PermissionDenied("too many failed logins")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_failure(request, username)
        else:
            clear(username)
        return user


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form, saying plainly when a username is locked rather than 'wrong password'."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": "Too many failed attempts. Wait 15 minutes, then try again.",
    }

    def clean(self) -> dict[str, Any]:
        if is_locked(self.request, self.cleaned_data.get("username")):
            raise ValidationError(self.error_messages["locked"], code="locked")
        return super().clean()
