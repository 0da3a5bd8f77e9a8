"""Load scenario: students log in, open problems, check steps and ask the tutor.

Started by bench/load/run.py, which sets up the server, the worker and the students and
passes them in through the environment:

    LOAD_USERNAMES   comma-separated usernames (each simulated user takes the next one)
    LOAD_PASSWORD    their password
    LOAD_PROBLEMS    comma-separated problem ids assigned to them
    LOAD_SUMMARY     where to write the JSON summary when locust stops
    LOAD_ASK_EVERY_S the least time between two tutor requests from one student
    LOAD_THINK_S     "min,max" seconds a student waits between two actions

The tutor request goes over the real websocket and counts as done when the turn's
`turn.done` event (or a final snapshot) arrives. Page latencies and tutor outcomes are also
collected here, so run.py can print one p95 over all pages.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from typing import Any

import websocket
from locust import HttpUser, between, events, task

USERNAMES = [u for u in os.environ.get("LOAD_USERNAMES", "").split(",") if u]
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
PROBLEMS = [int(p) for p in os.environ.get("LOAD_PROBLEMS", "0").split(",") if p]
ASK_EVERY_S = float(os.environ.get("LOAD_ASK_EVERY_S", "45"))
TUTOR_TIMEOUT_S = float(os.environ.get("LOAD_TUTOR_TIMEOUT_S", "80"))
THINK_S = [float(x) for x in os.environ.get("LOAD_THINK_S", "1,3").split(",")]
FINISHED = {"done", "failed", "cancelled"}

_next_user = itertools.count()
_page_ms: list[float] = []
_tutor = {"asked": 0, "done": 0, "failed": 0, "timeout": 0, "refused": 0}
_tutor_ms: list[float] = []
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_SESSION = re.compile(r'data-session="(\d+)"')


@events.request.add_listener
def _collect(request_type: str, name: str, response_time: float, **_: Any) -> None:
    if name.startswith("page:"):
        _page_ms.append(response_time)


def _p(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@events.quitting.add_listener
def _write_summary(environment: Any, **_: Any) -> None:
    path = os.environ.get("LOAD_SUMMARY")
    if not path:
        return
    stats = environment.stats.total
    summary = {
        "requests": stats.num_requests,
        "failures": stats.num_failures,
        "page_requests": len(_page_ms),
        "page_p50_ms": _p(_page_ms, 0.50),
        "page_p95_ms": _p(_page_ms, 0.95),
        "tutor": _tutor,
        "tutor_p50_ms": _p(_tutor_ms, 0.50),
        "tutor_p95_ms": _p(_tutor_ms, 0.95),
        "errors": {
            f"{e.method} {e.name}: {str(e.error)[:160]}": e.occurrences
            for e in environment.stats.errors.values()
        },
    }
    with open(path, "w") as out:
        json.dump(summary, out, indent=2)


class Student(HttpUser):
    wait_time = between(THINK_S[0], THINK_S[1])

    def on_start(self) -> None:
        self.username = USERNAMES[next(_next_user) % len(USERNAMES)]
        self.problem = random.choice(PROBLEMS)
        self.sessions: dict[int, int] = {}
        # Spread the first tutor requests over the first interval, as a class would.
        self.last_ask = time.monotonic() - random.uniform(0, ASK_EVERY_S)
        page = self.client.get("/login/", name="page: login")
        token = _CSRF_INPUT.search(page.text)
        with self.client.post(
            "/login/",
            {
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/login/"},
            name="login",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 302 or "sessionid" not in self.client.cookies:
                response.failure(f"login failed ({response.status_code})")

    def _csrf(self) -> dict[str, str]:
        return {
            "X-CSRFToken": self.client.cookies.get("csrftoken", ""),
            "Referer": f"{self.host}/",
        }

    @task(1)
    def dashboard(self) -> None:
        self.client.get("/", name="page: home")

    @task(3)
    def open_problem(self) -> None:
        self.problem = random.choice(PROBLEMS)
        page = self.client.get(f"/problems/{self.problem}/", name="page: problem")
        found = _SESSION.search(page.text)
        if found:
            self.sessions[self.problem] = int(found.group(1))

    @task(3)
    def submit_steps(self) -> None:
        lines = random.choice([["3x + 5 = 20", "3x = 15", "x = 5"], ["3x = 15", "x = 4"]])
        self.client.post(
            f"/problems/{self.problem}/steps",
            json.dumps({"lines": lines}),
            headers={**self._csrf(), "Content-Type": "application/json"},
            name="steps",
        )

    @task(2)
    def ask_tutor(self) -> None:
        if time.monotonic() - self.last_ask < ASK_EVERY_S:
            return
        if self.problem not in self.sessions:
            self.open_problem()
        session = self.sessions.get(self.problem)
        if session is None:
            return
        self.last_ask = time.monotonic()
        started = time.perf_counter()
        outcome, detail = self._ask(session)
        elapsed_ms = (time.perf_counter() - started) * 1000
        _tutor[outcome] += 1
        if outcome == "done":
            _tutor_ms.append(elapsed_ms)
        self.environment.events.request.fire(
            request_type="WS",
            name="tutor answer",
            response_time=elapsed_ms,
            response_length=0,
            exception=None if outcome == "done" else RuntimeError(f"{outcome}: {detail}"),
            context={},
        )

    def _ask(self, session: int) -> tuple[str, str]:
        url = self.host.replace("http", "ws", 1) + f"/ws/session/{session}/"
        cookie = "; ".join(f"{k}={v}" for k, v in self.client.cookies.items())
        try:
            ws = websocket.create_connection(
                url, header=[f"Cookie: {cookie}"], origin=self.host, timeout=TUTOR_TIMEOUT_S
            )
        except (OSError, websocket.WebSocketException) as exc:
            return "failed", f"connect: {type(exc).__name__} {str(exc)[:60]}"
        try:
            known = {t["turn"] for t in json.loads(ws.recv()).get("turns", [])}
            ws.send(json.dumps({"type": "ask", "mode": "hint"}))
            _tutor["asked"] += 1
            deadline = time.monotonic() + TUTOR_TIMEOUT_S
            while time.monotonic() < deadline:
                ws.settimeout(max(0.1, deadline - time.monotonic()))
                event = json.loads(ws.recv())
                kind, turn = event.get("type"), event.get("turn")
                if kind == "error":
                    return "refused", str(event.get("message"))[:80]
                if turn in known:
                    continue
                if kind == "turn.done" or (
                    kind == "turn.snapshot" and event.get("status") in FINISHED
                ):
                    status = event.get("status")
                    return ("done", "") if status == "done" else ("failed", str(status))
            return "timeout", f"no answer in {TUTOR_TIMEOUT_S:.0f} s"
        except websocket.WebSocketTimeoutException:
            return "timeout", f"no answer in {TUTOR_TIMEOUT_S:.0f} s"
        except (OSError, websocket.WebSocketException) as exc:
            return "failed", type(exc).__name__
        finally:
            ws.close()
