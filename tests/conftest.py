"""Shared fixtures: one cast of users, and a live stack of real processes.

The live stack is a real daphne and a real Celery worker, both pointed at the test
database and the test Redis. Tests that use it need committed data, so they take
`transactional_db` (through the `live` fixture).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.wsclient import TutorSocket, is_done
from tutor import events
from tutor.models import Assignment, Classroom, Enrolment, Problem, ProblemSet, Turn, User
from tutor.serve import daphne_command

ROOT = Path(__file__).resolve().parent.parent

# Tests import tutor.asgi for in-process sockets; a reaper thread in this process would race
# the tests' own turns. The live daphne processes reap as in production.
settings.TURN_REAPER_IN_WEB = False
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session", autouse=True)
def clean_redis() -> None:
    """Start each run from an empty Redis database (the test one, never the app's)."""
    redis.Redis.from_url(settings.REDIS_URL).flushdb()


@pytest.fixture(autouse=True)
def forget_failed_logins() -> None:
    """Each test starts with no login lockouts left over from another (they live in Redis)."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(match="*stepwise:login-fail:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: object) -> None:
    """Hashing passwords properly costs a second a user on these machines; tests need none."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def tiny_model_dir() -> Path:
    from inference.loading import resolve_model

    # The same path the worker takes when the real weights are absent.
    path, is_demo = resolve_model("microsoft/Phi-4-mini-reasoning", ROOT / "var" / "test-tiny")
    assert is_demo
    return Path(path)


@dataclass
class Cast:
    teacher: User
    other_teacher: User
    alice: User
    bob: User
    admin: User
    classroom: Classroom
    problem_set: ProblemSet
    problem: Problem
    word_problem: Problem
    assignment: Assignment


@pytest.fixture
def cast(db: None) -> Cast:
    teacher = User.objects.create_user("teacher", password="pw-teacher-1", role=User.Role.TEACHER)
    other = User.objects.create_user("other", password="pw-other-1", role=User.Role.TEACHER)
    alice = User.objects.create_user("alice", password="pw-alice-1", role=User.Role.STUDENT)
    bob = User.objects.create_user("bob", password="pw-bob-1", role=User.Role.STUDENT)
    admin = User.objects.create_user(
        "admin", password="pw-admin-1", role=User.Role.ADMIN, is_staff=True, is_superuser=True
    )
    classroom = Classroom.objects.create(teacher=teacher, name="Period 3")
    Enrolment.objects.create(classroom=classroom, student=alice)
    Enrolment.objects.create(classroom=classroom, student=bob)
    problem_set = ProblemSet.objects.create(owner=teacher, title="Algebra basics")
    problem = Problem.objects.create(
        problem_set=problem_set, position=0, statement="Solve $3x + 5 = 20$.", answer_key="x = 5"
    )
    word = Problem.objects.create(
        problem_set=problem_set,
        position=1,
        statement="A baker makes 48 muffins and sells half. How many are left?",
        answer_key="24",
    )
    assignment = Assignment.objects.create(
        problem_set=problem_set, classroom=classroom, due_at=timezone.now() + timedelta(days=7)
    )
    return Cast(
        teacher, other, alice, bob, admin, classroom, problem_set, problem, word, assignment
    )


Login = Callable[[User], Client]


@pytest.fixture
def login(db: None) -> Login:
    """A test client already logged in as the given user: ``login(cast.teacher).get(...)``."""

    def logged_in(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return logged_in


@dataclass(frozen=True)
class Published:
    group: str
    event: events.Event


class PublishedEvents(list[Published]):
    """What was handed to the one publisher, in order, instead of the channel layer."""

    def of_type(self, kind: str) -> list[events.Event]:
        return [p.event for p in self if p.event.get("type") == kind]

    def to_session(self, session_id: int) -> list[events.Event]:
        return [p.event for p in self if p.group == events.session_group(session_id)]


class _RecordingPublisher:
    def __init__(self, record: PublishedEvents) -> None:
        self.record = record

    def publish(self, group: str, event: events.Event) -> None:
        self.record.append(Published(group, dict(event)))

    def flush(self, timeout: float = 5.0) -> None:
        return None


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> PublishedEvents:
    """Capture every event a service publishes, for "this service published that" asserts.

    Only for tests of services and the worker's stream in-process; live tests go through the
    real channel layer.
    """
    record = PublishedEvents()
    monkeypatch.setattr(events, "publisher", lambda: _RecordingPublisher(record))
    return record


def shown_text(turn: Turn) -> str:
    """A turn's saved steps as the page shows them, in order, one per line."""
    return "\n".join(turn.verdicts.order_by("index").values_list("text", flat=True))


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@dataclass
class LiveStack:
    url: str
    ws_url: str
    env: dict[str, str]
    worker: subprocess.Popen[bytes]
    web: subprocess.Popen[bytes]
    log_dir: Path

    def restart_worker(self) -> None:
        self.worker = start_worker(self.env, self.log_dir)

    def socket(self, user: User, session_id: int) -> TutorSocket:
        """The session's websocket, logged in as ``user``, opened as the page opens it.

        Call it outside the event loop (it logs in through the database), then enter it there.
        """
        return TutorSocket(self.ws_url, session_id, session_cookie(user), self.url)

    def ask(
        self, user: User, session_id: int, mode: str = "hint", timeout: float = 60
    ) -> Coroutine[Any, Any, TutorSocket]:
        """Open the session's socket as ``user``, ask the tutor, return once it is done."""
        return _ask(self.socket(user, session_id), mode, timeout)


async def _ask(socket: TutorSocket, mode: str, timeout: float) -> TutorSocket:
    async with socket as ws:
        first = await ws.next_event()
        assert first["type"] == "session.snapshot"
        await ws.send({"type": "ask", "mode": mode})
        await ws.until(is_done(), timeout=timeout)
        await ws.settle()
        return ws


def start_worker(
    env: dict[str, str], log_dir: Path, name: str = "worker"
) -> subprocess.Popen[bytes]:
    log = open(log_dir / f"{name}.log", "ab")  # noqa: SIM115  (lives as long as the process)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tutor.celery",
            "worker",
            "-Q",
            "gpu",
            "--pool=solo",
            "--prefetch-multiplier=1",
            "-O",
            "fair",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{name}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def start_web(env: dict[str, str], log_dir: Path, port: int) -> subprocess.Popen[bytes]:
    log = open(log_dir / "daphne.log", "ab")  # noqa: SIM115  (lives as long as the process)
    return subprocess.Popen(
        daphne_command("127.0.0.1", port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )


def _wait_for_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"daphne exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("daphne did not answer in time")


@pytest.fixture(scope="session")
def live_stack(
    django_db_setup: None, django_db_blocker: object, tiny_model_dir: Path
) -> Iterator[LiveStack]:
    log_dir = ARTIFACTS / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DEBUG": "1",
        "SECURE_COOKIES": "0",
        "TUTOR_BACKEND": "transformers",
        "TUTOR_MODEL": "microsoft/Phi-4-mini-reasoning",
        "TUTOR_TINY_DIR": str(tiny_model_dir),
        "TUTOR_MAX_NEW_TOKENS": "120",
        "HF_HUB_OFFLINE": "1",
        "OMP_NUM_THREADS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    web = start_web(env, log_dir, port)
    stack = LiveStack(
        url=f"http://127.0.0.1:{port}",
        ws_url=f"ws://127.0.0.1:{port}",
        env=env,
        worker=start_worker(env, log_dir),
        web=web,
        log_dir=log_dir,
    )
    try:
        _wait_for_http(stack.url, web)
        yield stack
    finally:
        stop(stack.worker, stack.web)


@pytest.fixture
def live(live_stack: LiveStack, transactional_db: None) -> LiveStack:
    if live_stack.worker.poll() is not None:
        live_stack.restart_worker()
    return live_stack


# A deterministic answer, streamed slowly enough that a test can act in the middle of it.
# One line in it is wrong on purpose (7 x 8 = 54), for the checker to catch.
SCRIPT = (
    "".join(
        f"Step {n}: {3 * n} + {n} = {4 * n}, so we carry {4 * n} forward.\n" for n in range(1, 41)
    )
    + "Then \\(7 \\times 8 = 54\\).\n"
    + "The answer is \\boxed{5}."
)
SCRIPT_TOKENS_PER_S = 60


def stop(*procs: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """Terminate, then kill whatever has not exited in time."""
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def scripted_env(
    base: dict[str, str], script: str = SCRIPT, tokens_per_s: float = SCRIPT_TOKENS_PER_S
) -> dict[str, str]:
    """A worker environment running the scripted backend, with the default heartbeat."""
    return {
        **base,
        "TUTOR_BACKEND": "scripted",
        "TUTOR_SCRIPT": script,
        "TUTOR_SCRIPT_TOKENS_PER_S": str(tokens_per_s),
        "TUTOR_MAX_NEW_TOKENS": "4096",
        "TURN_HEARTBEAT_TTL_S": "6",
    }


@contextlib.contextmanager
def worker_parked(stack: LiveStack) -> Iterator[None]:
    """Stop the shared stack's worker while other workers serve the queue, then restart it.

    Two workers on one database must share one Redis: each reaps running turns whose
    heartbeat it cannot see.
    """
    stop(stack.worker)
    try:
        yield
    finally:
        stack.restart_worker()


@pytest.fixture(scope="module")
def scripted_stack(live_stack: LiveStack) -> Iterator[LiveStack]:
    """The live stack with its worker swapped for one running the scripted backend."""
    default_env = live_stack.env
    with worker_parked(live_stack):
        live_stack.env = scripted_env(default_env)
        live_stack.restart_worker()
        try:
            yield live_stack
        finally:
            stop(live_stack.worker)
            live_stack.env = default_env


@pytest.fixture
def scripted(scripted_stack: LiveStack, transactional_db: None) -> LiveStack:
    if scripted_stack.worker.poll() is not None:
        scripted_stack.restart_worker()
    return scripted_stack
