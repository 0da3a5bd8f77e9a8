"""Log every denied request (403 or 404) without personal data (properties 7 and 22).

A denial is what an attacker probing other people's ids produces, so it is worth a log
line; but the line carries only the method, the path (ids, never the query string, which may
hold typed text) and the numeric user id. Usernames, emails and session keys never appear.

Install after AuthenticationMiddleware, so that request.user is known.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

log = logging.getLogger("tutor.denials")

DENIED = frozenset({401, 403, 404})


class DenialLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in DENIED:
            log_denial(request, response.status_code)
        return response


def log_denial(request: HttpRequest, status: int) -> None:
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    # The path is cut short: a path has no personal data here, but it is chosen by the caller.
    log.info(
        "denied %s %s %s user=%s",
        status,
        request.method,
        request.path[:200],
        user_id if user_id is not None else "-",
    )
