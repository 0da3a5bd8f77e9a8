"""Deep linking: a teacher picks a Stepwise problem set and the LMS gets a signed link to it."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import jwt
from django.test import Client
from lti_tool.models import Key

from tests.lti_platform import (
    CLIENT_ID,
    DL,
    INSTRUCTOR,
    LEARNER,
    LTI,
    Platform,
    launch,
    platform,
    registration,
)
from tutor.models import Problem, ProblemSet, User

__all__ = ["platform", "registration"]  # fixtures

DEEP_LINK = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def _deep_link_launch(client: Client, platform: Platform, registration: Any, **kw: Any) -> Any:
    claims = {
        LTI + "message_type": "LtiDeepLinkingRequest",
        DL: {
            "deep_link_return_url": f"{platform.url}/deep-link-return",
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "data": "platform-opaque",
        },
    }
    return launch(client, platform, registration, sub="teacher-1", **claims, **kw)


def test_it_sends_the_lms_a_signed_link_to_the_chosen_set(
    platform: Platform, registration: Any
) -> None:
    """The reply is a JWT signed with Stepwise's published key, naming the set picked."""
    client = Client()
    response = _deep_link_launch(client, platform, registration, roles=(INSTRUCTOR,))
    assert response.status_code == 302
    assert response["Location"] == "/lti/deep-link/"
    teacher = User.objects.get(lti_users__sub="teacher-1")
    assert teacher.is_teacher
    chosen = ProblemSet.objects.create(owner=teacher, title="Fractions")
    Problem.objects.create(problem_set=chosen, statement="1/2+1/2", answer_key="1")
    Problem.objects.create(problem_set=chosen, statement="1/3+2/3", answer_key="1")
    page = client.get("/lti/deep-link/")
    assert b"Fractions" in page.content

    reply = client.post("/lti/deep-link/", {"set_id": chosen.pk})
    assert reply.status_code == 200
    html = reply.content.decode()
    assert f'action="{platform.url}/deep-link-return"' in html
    assert platform.url in reply["Content-Security-Policy"].split("form-action")[1]
    token = unescape(re.search(r'name="JWT" value="([^"]+)"', html).group(1))
    published = {k["kid"] for k in client.get("/lti/jwks.json").json()["keys"]}
    assert jwt.get_unverified_header(token)["kid"] in published  # the platform can find it
    body = jwt.decode(
        token,
        Key.objects.active().latest().public_key,
        algorithms=["RS256"],
        audience=platform.issuer,
    )
    assert body["iss"] == CLIENT_ID
    assert body[DEEP_LINK + "data"] == "platform-opaque"
    (item,) = body[DEEP_LINK + "content_items"]
    assert item["type"] == "ltiResourceLink"
    assert item["custom"] == {"stepwise_set": str(chosen.pk)}
    assert item["lineItem"]["scoreMaximum"] == 2
    assert item["url"] == "http://testserver/lti/launch/"


def test_it_offers_only_the_teachers_own_sets(platform: Platform, registration: Any) -> None:
    """Another teacher's set cannot be picked, even by id."""
    client = Client()
    _deep_link_launch(client, platform, registration, roles=(INSTRUCTOR,))
    other = User.objects.create_user("someone_else", role=User.Role.TEACHER)
    foreign = ProblemSet.objects.create(owner=other, title="Not yours")
    assert b"Not yours" not in client.get("/lti/deep-link/").content
    assert client.post("/lti/deep-link/", {"set_id": foreign.pk}).status_code == 400


def test_it_refuses_deep_linking_to_a_learner(platform: Platform, registration: Any) -> None:
    """A learner cannot add activities to the course."""
    response = _deep_link_launch(Client(), platform, registration, roles=(LEARNER,))
    assert response.status_code == 403
