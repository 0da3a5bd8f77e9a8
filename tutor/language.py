"""Which language a page speaks: the user's saved choice, else the browser's.

Django's LocaleMiddleware reads the language cookie and Accept-Language first; this one runs
after authentication so a signed-in user's saved choice wins on every device they use.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import trans_real
from django.views.decorators.http import require_POST

SUPPORTED = {code for code, _ in settings.LANGUAGES}


def user_language(user: object) -> str:
    """The language the user saved, or "" when they follow the browser."""
    language = getattr(user, "language", "") or ""
    return language if language in SUPPORTED else ""


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = user_language(request.user) if request.user.is_authenticated else ""
        if chosen and chosen != translation.get_language():
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        return self.get_response(request)


@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """Save the chosen language (in the user's account and a cookie) and go back."""
    language = request.POST.get("language", "")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "/"
    response = redirect(back)
    if language not in SUPPORTED:
        return response
    if request.user.is_authenticated and getattr(request.user, "language", None) != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


def scope_language(scope: dict[str, object], user: object) -> str:
    """The language of a websocket, in the order pages use: the user's saved choice, the
    language cookie, then the browser's Accept-Language; else the default."""
    if chosen := user_language(user):
        return chosen
    cookies = scope.get("cookies")
    if isinstance(cookies, dict):
        cookie = cookies.get(settings.LANGUAGE_COOKIE_NAME, "")
        if isinstance(cookie, str) and cookie in SUPPORTED:
            return cookie
    headers = scope.get("headers")
    accept = ""
    if isinstance(headers, list | tuple):
        for name, value in headers:
            if name == b"accept-language":
                accept = value.decode("latin-1")
                break
    for code, _quality in trans_real.parse_accept_lang_header(accept):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return translation.get_supported_language_variant(settings.LANGUAGE_CODE)
