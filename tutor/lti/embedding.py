"""What lets an LMS show Stepwise in an iframe, for LTI sessions only (docs/lti.md).

Every other page keeps `frame-ancestors 'none'` and X-Frame-Options DENY. A session that
began with a validated launch remembers the origins of the platform it came from (taken from
the admin's registration, never from the request), and only its pages may be framed, only by
those origins.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.csp import CSP
from lti_tool.models import LtiLaunch, LtiRegistration

SESSION_ORIGINS = "stepwise_lti_frame_ancestors"


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def remember_platform(request: HttpRequest, lti_launch: LtiLaunch) -> None:
    registration = lti_launch.registration
    origins = {origin_of(registration.issuer), origin_of(registration.auth_url)}
    request.session[SESSION_ORIGINS] = sorted(o for o in origins if o)


def _policy_with(directive: str, sources: list[str]) -> dict[str, list[str]]:
    csp: dict[str, list[str]] = dict(settings.SECURE_CSP)  # type: ignore[arg-type]
    policy = {key: list(value) for key, value in csp.items()}
    policy[directive] = sources
    return policy


def registered_origins() -> list[str]:
    """The origins of every active registration: who may frame a page with no session yet."""
    origins: set[str] = set()
    for issuer, auth_url in LtiRegistration.objects.active().values_list("issuer", "auth_url"):
        origins |= {origin_of(issuer), origin_of(auth_url)}
    return sorted(o for o in origins if o)


def allow_framing(response: HttpResponse, origins: list[str]) -> None:
    policy = getattr(response, "_csp_config", None) or _policy_with("frame-ancestors", [])
    policy["frame-ancestors"] = [CSP.SELF, *origins]
    response._csp_config = policy  # type: ignore[attr-defined]  # read by Django's CSP middleware
    # CSP frame-ancestors supersedes X-Frame-Options in every current browser; the old
    # header has no "allow this origin" form, so it is left off these responses.
    response.xframe_options_exempt = True


def allow_form_action(response: HttpResponse, url: str) -> None:
    """Let this response's form post to `url`'s origin (the deep-linking reply)."""
    policy = getattr(response, "_csp_config", None) or _policy_with("form-action", [CSP.SELF])
    policy["form-action"] = [CSP.SELF, origin_of(url)]
    response._csp_config = policy  # type: ignore[attr-defined]  # read by Django's CSP middleware


class LtiFramingMiddleware:
    """Framing by the session's platform. Last in MIDDLEWARE, so it marks the response
    before XFrameOptionsMiddleware and the CSP middleware (both above it) write headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        origins = request.session.get(SESSION_ORIGINS) if hasattr(request, "session") else None
        if origins:
            policy = getattr(response, "_csp_config", None) or _policy_with("frame-ancestors", [])
            policy["frame-ancestors"] = [CSP.SELF, *origins]
            response._csp_config = policy  # type: ignore[attr-defined]
            # CSP frame-ancestors supersedes X-Frame-Options in every current browser; the
            # old header has no "allow this origin" form, so it is left off these responses.
            response.xframe_options_exempt = True
        return response


class LtiCookieMiddleware:
    """SameSite=None on the session and CSRF cookies of LTI sessions served over HTTPS.

    In an LMS's iframe every request to Stepwise is cross-site, and a Lax cookie is not sent
    with it: the student would be signed out on the first click. Placed above the session
    middleware, so it sees both cookies after they are set. Other sessions keep Lax.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        embedded = session is not None and bool(session.get(SESSION_ORIGINS))
        if embedded and request.is_secure():
            for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
                if name in response.cookies:
                    response.cookies[name]["samesite"] = "None"
                    response.cookies[name]["secure"] = True
        return response
