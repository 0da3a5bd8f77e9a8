"""Each bad launch is refused with a clear page and one log line with no personal data."""

from __future__ import annotations

import base64
import json
import logging
import time
from typing import Any

import pytest
from django.test import Client
from jwcrypto.jwk import JWK

from tests.lti_platform import (
    DEPLOYMENT_ID,
    LTI,
    Platform,
    login_initiation,
    platform,
    registration,
)
from tutor.models import User

__all__ = ["platform", "registration"]  # fixtures


def _post(client: Client, platform: Platform, registration: Any, **overrides: Any) -> Any:
    flow = login_initiation(client, platform, registration)
    extra = overrides.pop("claims", {})
    claims = platform.claims(nonce=extra.pop("nonce", flow["nonce"]), **extra)
    token = platform.id_token(claims, key=overrides.pop("key", None))
    data = {"id_token": token, "state": overrides.pop("state", flow["state"])}
    return client.post("/lti/launch/", {k: v for k, v in data.items() if v is not None})


def _assert_refused(response: Any, caplog: pytest.LogCaptureFixture, reason: str) -> None:
    assert response.status_code == 403
    assert b"Stepwise could not open this activity" in response.content
    assert reason.encode() in response.content
    lines = [r.getMessage() for r in caplog.records if r.name == "tutor.lti"]
    assert lines == [f"LTI launch refused: {reason}"]
    for secret in ("learner-1", "Ada", "Lovelace", "shared@example.com"):
        assert secret not in caplog.text
    assert not User.objects.filter(lti_users__sub="learner-1").exists()


@pytest.fixture
def lti_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO)
    return caplog


def test_it_refuses_a_bad_signature(
    platform: Platform, registration: Any, lti_log: pytest.LogCaptureFixture
) -> None:
    """A token signed with a key that is not the platform's is refused."""
    forged = JWK.generate(kty="RSA", size=2048)
    response = _post(Client(), platform, registration, key=forged)
    _assert_refused(response, lti_log, "bad_signature")


def test_it_refuses_a_wrong_audience(
    platform: Platform, registration: Any, lti_log: pytest.LogCaptureFixture
) -> None:
    """A token for another tool's client id is refused."""
    response = _post(Client(), platform, registration, claims={"aud": "some-other-tool"})
    _assert_refused(response, lti_log, "wrong_audience")


def test_it_refuses_an_expired_token(
    platform: Platform, registration: Any, lti_log: pytest.LogCaptureFixture
) -> None:
    """A token past its exp is refused."""
    past = int(time.time()) - 3600
    response = _post(Client(), platform, registration, claims={"iat": past - 60, "exp": past})
    _assert_refused(response, lti_log, "expired_token")


def test_it_refuses_a_replayed_nonce(
    platform: Platform, registration: Any, lti_log: pytest.LogCaptureFixture
) -> None:
    """The same id_token posted twice opens the activity once."""
    client = Client()
    flow = login_initiation(client, platform, registration)
    token = platform.id_token(platform.claims(nonce=flow["nonce"]))
    client.post("/lti/launch/", {"id_token": token, "state": flow["state"]})
    User.objects.filter(lti_users__sub="learner-1").delete()
    lti_log.clear()
    replay = client.post("/lti/launch/", {"id_token": token, "state": flow["state"]})
    _assert_refused(replay, lti_log, "replayed_nonce")


def test_it_refuses_a_nonce_stepwise_never_issued(
    platform: Platform, registration: Any, lti_log: pytest.LogCaptureFixture
) -> None:
    """A token whose nonce no login initiation handed out is refused as a replay."""
    response = _post(Client(), platform, registration, claims={"nonce": "made-up"})
    _assert_refused(response, lti_log, "replayed_nonce")


def test_it_refuses_an_unknown_deployment(
    platform: Platform, registration: Any, lti_log: pytest.LogCaptureFixture
) -> None:
    """A deployment id the admin has not enabled is refused (and recorded, disabled)."""
    claims = {LTI + "deployment_id": "not-" + DEPLOYMENT_ID}
    response = _post(Client(), platform, registration, claims=claims)
    _assert_refused(response, lti_log, "unknown_deployment")
    assert not registration.deployments.get(deployment_id="not-" + DEPLOYMENT_ID).is_active


def test_it_refuses_a_missing_state(
    platform: Platform, registration: Any, lti_log: pytest.LogCaptureFixture
) -> None:
    """A launch without the state parameter is refused."""
    response = _post(Client(), platform, registration, state=None)
    _assert_refused(response, lti_log, "missing_state")


def test_it_refuses_a_state_without_its_cookie(
    platform: Platform, registration: Any, lti_log: pytest.LogCaptureFixture
) -> None:
    """A state the browser holds no cookie for (another browser's launch) is refused."""
    flow = login_initiation(Client(), platform, registration)
    token = platform.id_token(platform.claims(nonce=flow["nonce"]))
    response = Client().post("/lti/launch/", {"id_token": token, "state": flow["state"]})
    _assert_refused(response, lti_log, "missing_state")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unsigned(header: object, body: object) -> str:
    return ".".join([_b64(json.dumps(header).encode()), _b64(json.dumps(body).encode()), "c2ln"])


@pytest.mark.parametrize(
    "token",
    [
        "a.b.c",  # not base64 JSON
        "\x00.\x00.\x00",  # NUL bytes
        "only-one-part",
        _unsigned({"alg": "RS256"}, ["a", "list"]),  # a body that is not an object
        _unsigned({"alg": "RS256", "kid": 5}, {"nonce": 5, "iss": ["x"], "aud": {}}),  # wrong types
        _unsigned({"alg": "none"}, {"nonce": "n", "iss": "x", "aud": "y"}),  # unsigned
    ],
)
def test_it_refuses_a_malformed_token_without_an_error_page(
    platform: Platform, registration: Any, lti_log: pytest.LogCaptureFixture, token: str
) -> None:
    """Garbage in the id_token is a refusal page, never a server error."""
    client = Client()
    flow = login_initiation(client, platform, registration)
    response = client.post("/lti/launch/", {"id_token": token, "state": flow["state"]})
    assert response.status_code == 403
    assert b"Stepwise could not open this activity" in response.content
