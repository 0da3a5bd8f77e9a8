"""A check that hits the time cap costs its caller the cap, and nobody else anything."""

from __future__ import annotations

import http.cookiejar
import json
import threading
import time
import urllib.request

import pytest

from tests.conftest import Cast, LiveStack, session_cookie

pytestmark = pytest.mark.live

SLOW_WORK = ["(x+1)^9000 = (x+3)^9000", "(x+1)^9000 = (x+2)^9000"]


def _opener(live: LiveStack, cookie: str) -> tuple[urllib.request.OpenerDirector, str]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("Cookie", f"sessionid={cookie}")]
    opener.open(f"{live.url}/login/", timeout=10).read()  # sets the CSRF cookie
    token = next(c.value for c in jar if c.name == "csrftoken")
    opener.addheaders = [("Cookie", f"sessionid={cookie}; csrftoken={token}")]
    return opener, token


def test_it_keeps_answering_while_a_check_times_out(live: LiveStack, cast: Cast) -> None:
    """A pathological line comes back 'unknown'; meanwhile pages answer at normal speed."""
    opener, token = _opener(live, session_cookie(cast.alice))
    result: dict[str, object] = {}

    def post_slow_work() -> None:
        request = urllib.request.Request(
            f"{live.url}/problems/{cast.problem.pk}/steps",
            data=json.dumps({"lines": SLOW_WORK}).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": token},
            method="POST",
        )
        started = time.monotonic()
        with opener.open(request, timeout=30) as response:
            result["body"] = json.loads(response.read())
        result["elapsed"] = time.monotonic() - started

    worker = threading.Thread(target=post_slow_work)
    worker.start()
    page_times = []
    while worker.is_alive():
        started = time.monotonic()
        opener.open(f"{live.url}/problems/{cast.problem.pk}/", timeout=10).read()
        page_times.append(time.monotonic() - started)
        time.sleep(0.1)
    worker.join()
    body = result["body"]
    assert isinstance(body, dict)
    steps = body["steps"]
    assert len(steps) == len(SLOW_WORK), body
    # Which line hits the cap depends on the machine's speed: reading the first line alone
    # may already take longer than the cap. Either way, the line that ran out of time comes
    # back "unknown", and a line that ran out of time is never called wrong.
    timed_out = [s for s in steps if s["verdict"] == "unknown" and "timeout" in s["detail"]]
    assert timed_out, body
    assert all(s["verdict"] != "wrong" for s in steps), body
    # Two lines, each capped at CHECKER_TIMEOUT_S (2 s), plus overhead.
    assert float(result["elapsed"]) < 2 * 2.0 + 1.5  # type: ignore[arg-type]
    assert page_times and max(page_times) < 1.5, page_times
