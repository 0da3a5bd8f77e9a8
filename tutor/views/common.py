"""What every view module needs: the typed user, role gates and JSON errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext

from tutor.models import User

View = Callable[..., HttpResponse]
MAX_JSON_BYTES = 20 * 1024


def current_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _role_required(check: Callable[[User], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(current_user(request)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


teacher_required = _role_required(lambda user: user.is_teacher)
reviewer_required = _role_required(lambda user: user.is_reviewer)
student_required = _role_required(lambda user: user.role == User.Role.STUDENT)


def json_error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


class BadJson(Exception):
    def __init__(self, response: JsonResponse) -> None:
        self.response = response


def read_json(request: HttpRequest) -> dict[str, Any]:
    """The request's JSON object, or BadJson carrying the 413/400 to send back.

    The size is checked from Content-Length before the body is read, so an over-size
    request costs nothing beyond its headers.
    """
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = 0
    if length > MAX_JSON_BYTES:
        raise BadJson(
            json_error(gettext("That is too much text to check at once (limit 20 KB)."), 413)
        )
    body = request.body
    if len(body) > MAX_JSON_BYTES:
        raise BadJson(
            json_error(gettext("That is too much text to check at once (limit 20 KB)."), 413)
        )
    try:
        data = json.loads(body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadJson(json_error(gettext("The request was not valid JSON."))) from None
    except RecursionError:
        # Nested deeper than the parser goes: a few thousand brackets fit in 20 KB.
        raise BadJson(json_error(gettext("The request was nested too deeply."))) from None
    if not isinstance(data, dict):
        raise BadJson(json_error(gettext("The request was not a JSON object.")))
    return data
