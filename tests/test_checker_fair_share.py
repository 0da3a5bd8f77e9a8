"""One student's pathological lines cannot take the step-checker from the others."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.conftest import Cast, LiveStack, session_cookie
from tests.test_responsive_checker import _opener
from tutor.checker import NOT_CHECKED_YET
from tutor.models import Attempt
from tutor.services.attempts import SLOW_LINES_PER_REQUEST

pytestmark = pytest.mark.live

# Sixteen lines that each run past the cap, under "x = 1".
GREEDY = ["x = 1", *(f"(x+1)^{8000 + k} = (x+2)^{8000 + k}" for k in range(16))]
WORK = ["3x + 5 = 20", "3x = 15", "x = 5"]


def _post(
    live: LiveStack, opener: urllib.request.OpenerDirector, token: str, url: str, lines: list[str]
) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{live.url}{url}",
        data=json.dumps({"lines": lines}).encode(),
        headers={"Content-Type": "application/json", "X-CSRFToken": token},
        method="POST",
    )
    try:
        with opener.open(request, timeout=60) as response:
            return {"status": response.status, **json.loads(response.read())}
    except urllib.error.HTTPError as error:
        return {"status": error.code, **json.loads(error.read())}


def test_two_greedy_tabs_do_not_starve_another_student(live: LiveStack, cast: Cast) -> None:
    """Bob's two tabs post sixteen slow lines each; meanwhile alice's correct lines come back
    judged, never 'unknown', and each of bob's requests stops after its slow budget."""
    url = f"/problems/{cast.problem.pk}/steps"
    bob_tabs = [_opener(live, session_cookie(cast.bob)) for _ in range(2)]
    greedy: list[dict[str, Any]] = []

    def hog(opener: urllib.request.OpenerDirector, token: str) -> None:
        greedy.append(_post(live, opener, token, url, GREEDY))

    threads = [threading.Thread(target=hog, args=tab) for tab in bob_tabs]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # both of bob's checks hold a worker now
    alice, token = _opener(live, session_cookie(cast.alice))
    started = time.monotonic()
    mine = _post(live, alice, token, url, WORK)
    waited = time.monotonic() - started
    for thread in threads:
        thread.join(60)

    assert mine["status"] == 200, mine
    assert [s["verdict"] for s in mine["steps"]] == ["none", "ok", "ok"], mine
    # Bob holds each worker for at most his slow budget: two caps of 2 s, plus overhead.
    assert waited < SLOW_LINES_PER_REQUEST * 2.0 + 3.0, waited
    for reply in greedy:
        assert reply["status"] == 200, reply
        verdicts = [s["verdict"] for s in reply["steps"]]
        assert verdicts.count("unknown") <= SLOW_LINES_PER_REQUEST, verdicts
        unchecked = [s for s in reply["steps"] if s["verdict"] == "unchecked"]
        assert unchecked and all(s["detail"] == NOT_CHECKED_YET for s in unchecked)
    saved = Attempt.objects.get(student=cast.alice, problem=cast.problem)
    assert list(saved.verdicts.values_list("verdict", flat=True)) == ["none", "ok", "ok"]
