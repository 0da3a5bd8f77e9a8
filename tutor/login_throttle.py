"""Failed logins are throttled per account, and per client on each account.

A client (an address, as the trusted proxy reports it) may fail LOGIN_FAILURE_LIMIT times on
one account; all clients together LOGIN_ACCOUNT_FAILURE_LIMIT times, which bounds guessing
spread over many addresses. Nothing is limited per address alone: behind a school's NAT, or
a proxy whose address every client shares, that would lock out every account at once.

Every attempt is counted before its password is checked (an atomic INCR), and is refused
once the count passes a limit, so twelve wrong passwords at once against a limit of five
check five. A successful login forgets the account's count.

A small authentication backend rather than a package: it has to hold for every caller of
`authenticate()`, including the ones that pass no request, and it keeps its counters in the
Redis cache that Stepwise already runs.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tutor import counters


def _key(kind: str, value: str) -> str:
    return counters.hashed_key(f"login-fail:{kind}", value)


def _account(username: str | None) -> str:
    # As the login form reads a username (NFKC), and in any case.
    return unicodedata.normalize("NFKC", username or "").casefold()


def client_address(request: HttpRequest | None) -> str:
    """The client's address: from LOGIN_CLIENT_ADDRESS_HEADER when set, else the peer's.

    In a list (X-Forwarded-For) the last entry is the one the trusted proxy added; anything
    before it came from the client. An IPv6 client holds a whole /64, so that is its address.
    """
    if request is None:
        return "none"
    value = ""
    header = settings.LOGIN_CLIENT_ADDRESS_HEADER
    if header:
        value = request.headers.get(header, "").split(",")[-1].strip()
    value = value or request.META.get("REMOTE_ADDR", "")
    try:
        address = ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _limits(request: HttpRequest | None, username: str | None) -> list[tuple[str, int]]:
    """(cache key, failures allowed): this client on this account, then the account."""
    account = _account(username)
    return [
        (_key("client", f"{client_address(request)} {account}"), settings.LOGIN_FAILURE_LIMIT),
        (_key("account", account), settings.LOGIN_ACCOUNT_FAILURE_LIMIT),
    ]


def reserve_attempt(request: HttpRequest | None, username: str | None) -> bool:
    """Count this attempt as a failure until it succeeds; False when a limit is passed."""
    return all(
        counters.count(key, settings.LOGIN_LOCKOUT_S) <= limit
        for key, limit in _limits(request, username)
    )


def is_locked(request: HttpRequest | None, username: str | None) -> bool:
    """Whether an attempt was refused (a count past its limit), without counting one."""
    return any(counters.total(key) > limit for key, limit in _limits(request, username))


def clear(request: HttpRequest | None, username: str | None) -> None:
    counters.forget(*(key for key, _ in _limits(request, username)))


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if not reserve_attempt(request, username):
            # PermissionDenied stops authenticate() at once: no other backend is tried.
            raise PermissionDenied("too many failed logins")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            clear(request, username)
        return user


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form, saying plainly when a login was refused rather than 'wrong password'."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("Too many failed attempts. Wait %(minutes)s minutes, then try again."),
    }

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            if is_locked(self.request, self.cleaned_data.get("username")):
                minutes = max(1, settings.LOGIN_LOCKOUT_S // 60)
                raise ValidationError(
                    self.error_messages["locked"], code="locked", params={"minutes": minutes}
                ) from None
            raise
