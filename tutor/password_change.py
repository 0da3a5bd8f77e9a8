"""A student given a temporary password must choose their own before anything else.

The middleware sends every request of such a user to the password-change page; only that
page, logging out and the health check stay open. A JSON endpoint gets the same redirect:
the page that would call it cannot be reached first anyway.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

OPEN_NAMES = ("password_change", "logout", "healthz")


class ForcePasswordChangeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and request.path not in {reverse(name) for name in OPEN_NAMES}
        ):
            return redirect("password_change")
        return self.get_response(request)
