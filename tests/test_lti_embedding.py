"""Pages an LMS frames keep working there, and no other page becomes frameable."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.test import Client

from tests.lti_platform import Platform, login_initiation, platform, registration
from tutor.models import Problem, ProblemSet, User

__all__ = ["platform", "registration"]  # fixtures


def _secure_launch(client: Client, platform: Platform, registration: Any) -> Any:
    """A learner's launch over HTTPS, as in production."""
    teacher = User.objects.create_user("set_owner", role=User.Role.TEACHER)
    registration.users.create(sub="owner-sub", auth_user=teacher)  # teaches on this platform
    problem_set = ProblemSet.objects.create(owner=teacher, title="Set")
    Problem.objects.create(problem_set=problem_set, statement="2x=4", answer_key="x=2")
    response = client.get(
        f"/lti/login/{registration.uuid}/",
        {
            "iss": platform.issuer,
            "client_id": "stepwise-client",
            "login_hint": "h",
            "target_link_uri": "https://testserver/lti/launch/",
        },
        secure=True,
    )
    state_cookie = next(c for c in response.cookies.values() if c.key.startswith("lti1p3-state"))
    assert state_cookie["samesite"] == "None" and state_cookie["secure"]
    query = parse_qs(urlsplit(response["Location"]).query)
    claims = platform.claims(nonce=query["nonce"][0], custom={"stepwise_set": str(problem_set.pk)})
    token = platform.id_token(claims)
    launched = client.post(
        "/lti/launch/", {"id_token": token, "state": query["state"][0]}, secure=True
    )
    assert launched.status_code == 302
    return launched


def test_it_sends_lti_session_cookies_with_samesite_none(
    platform: Platform, registration: Any
) -> None:
    """In the LMS's iframe the session survives the next click: SameSite=None; Secure."""
    client = Client()
    launched = _secure_launch(client, platform, registration)
    session = launched.cookies["sessionid"]
    assert session["samesite"] == "None" and session["secure"] and session["httponly"]
    page = client.get(launched["Location"], secure=True)
    assert page.status_code == 200
    assert page.cookies["csrftoken"]["samesite"] == "None"


def test_it_lets_only_the_registered_platform_frame_an_lti_session(
    platform: Platform, registration: Any
) -> None:
    """frame-ancestors names the platform's origin; X-Frame-Options is left off."""
    client = Client()
    launched = _secure_launch(client, platform, registration)
    page = client.get(launched["Location"], secure=True)
    policy = page["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {platform.url}" in policy
    assert "X-Frame-Options" not in page.headers


def test_it_keeps_other_sessions_unframeable_and_lax(db: None) -> None:
    """A password login's pages stay DENY / frame-ancestors 'none' with Lax cookies."""
    User.objects.create_user("plain_pupil", password="pw-plain-1", role=User.Role.STUDENT)
    client = Client()
    response = client.post(
        "/login/", {"username": "plain_pupil", "password": "pw-plain-1"}, secure=True
    )
    assert response.cookies["sessionid"]["samesite"] == "Lax"
    page = client.get("/", secure=True)
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_it_lets_a_registered_platform_frame_the_refusal_page(
    platform: Platform, registration: Any
) -> None:
    """A refused launch is readable inside the LMS: only registered platforms may frame it."""
    client = Client()
    flow = login_initiation(client, platform, registration)
    response = client.post("/lti/launch/", {"id_token": "x.y.z", "state": flow["state"]})
    assert response.status_code == 403
    assert f"frame-ancestors 'self' {platform.url}" in response["Content-Security-Policy"]
