"""Item 26 over HTTP, fuzzed: whatever a page's JSON endpoints are sent, they answer 4xx or
2xx with a JSON body, never 500, and the saved work is never lost.

Bodies of hostile JSON (NUL, lone surrogates, huge numbers, wrong types), JSON nested past
the parser's limit, over-size bodies and bytes that are not UTF-8 go to the steps, answer
preview and dispute endpoints through Django's whole middleware stack, as a logged-in student.

Profiles: "ci" (200 examples, the default) and "fuzz" (10,000):
    HYPOTHESIS_PROFILE=fuzz pytest --timeout=0 tests/test_fuzz_http.py
"""

from __future__ import annotations

import json
import os

import pytest
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Cast
from tests.test_fuzz_websocket import HOSTILE_TEXT, VALUES
from tutor.models import Attempt

pytestmark = pytest.mark.django_db

settings.register_profile(
    "http-ci",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "http-fuzz",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PROFILE = settings.get_profile(
    "http-fuzz" if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else "http-ci"
)
SAVED = ["3x + 5 = 20", "3x = 15"]

STEP_BODIES = st.fixed_dictionaries(
    {},
    optional={"lines": st.lists(HOSTILE_TEXT, max_size=5) | VALUES, "version": VALUES},
)
ANSWER_BODIES = st.fixed_dictionaries({}, optional={"answer": HOSTILE_TEXT | VALUES})
DISPUTE_BODIES = st.fixed_dictionaries(
    {},
    optional={"problem": VALUES, "turn": VALUES, "index": VALUES, "reason": VALUES},
)


def _encoded(value: object) -> bytes:
    # Lone surrogates cannot be UTF-8: sent as JSON escapes ("\ud800"), as a browser would.
    return json.dumps(value, ensure_ascii=True).encode()


RAW = st.one_of(
    st.binary(max_size=200),  # mostly not UTF-8, mostly not JSON
    st.integers(1, 6000).map(lambda n: b'{"lines": ' + b"[" * n + b"]" * n + b"}"),
    st.integers(1, 6000).map(lambda n: b'{"reason": ' + b'{"a":' * n + b"1" + b"}" * n + b"}"),
    st.sampled_from([b"", b"{", b"null", b"[]", b'"text"', b"\xff\xfe", b'{"lines": ["\\u0000"]}']),
    st.integers(20_000, 60_000).map(lambda n: b'{"lines": ["' + b"1" * n + b'"]}'),
)


def _check(response: object, student_client: Client, cast: Cast) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    assert status < 500, response
    assert "error" in response.json() or status in (200, 201)  # type: ignore[attr-defined]


@pytest.fixture
def student(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.alice)
    reply = client.post(
        f"/problems/{cast.problem.pk}/steps",
        json.dumps({"lines": SAVED, "version": 1}),
        content_type="application/json",
    )
    assert reply.status_code == 200
    return client


@override_settings(STEP_CHECKS_PER_MINUTE=10**9)
@PROFILE
@given(body=st.one_of(STEP_BODIES.map(_encoded), RAW))
def test_the_steps_endpoint_never_fails(student: Client, cast: Cast, body: bytes) -> None:
    url = f"/problems/{cast.problem.pk}/steps"
    before = Attempt.objects.get(student=cast.alice, problem=cast.problem).steps
    response = student.post(url, body, content_type="application/json")
    _check(response, student, cast)
    if response.status_code != 200:
        after = Attempt.objects.get(student=cast.alice, problem=cast.problem).steps
        assert after == before, "a refused request leaves the saved work as it was"


@PROFILE
@given(body=st.one_of(DISPUTE_BODIES.map(_encoded), RAW))
def test_the_dispute_endpoint_never_fails(student: Client, cast: Cast, body: bytes) -> None:
    response = student.post("/disputes", body, content_type="application/json")
    _check(response, student, cast)


@override_settings(STEP_CHECKS_PER_MINUTE=10**9)
@PROFILE
@given(body=st.one_of(ANSWER_BODIES.map(_encoded), RAW))
def test_the_answer_preview_endpoint_never_fails(student: Client, cast: Cast, body: bytes) -> None:
    response = student.post(f"/problems/{cast.problem.pk}/answer/read-as", body, "application/json")
    _check(response, student, cast)
