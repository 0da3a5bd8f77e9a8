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
from lti_tool.models import LtiLaunch

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
