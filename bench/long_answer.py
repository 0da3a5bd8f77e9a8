"""The tutor at real length: a 32,768-token reasoning answer through the whole stack.

    .venv/bin/python bench/long_answer.py [--tokens 32768] [--rate 150]
        [--postgres postgres://postgres@127.0.0.1:5432] [--redis-url URL]

A scripted backend streams a long answer (a <think> block, then the answer) at --rate chunks
a second through a real Celery worker, Redis, daphne and Debian's Chromium. The page is
instrumented before its own scripts run. It prints one table:

- verdict on screen: from a step's last token (the worker's clock) to the frame after the
  step's element was inserted (the page's clock; one machine, one wall clock), p50 and p99;
- the page's cost per message handled near 1k, 10k and 30k tokens, and its longest task;
- the largest websocket frame, the page's JS heap and DOM size, the worker's peak RSS;
- after the answer: a reload, until every answer step is back on screen (snapshot and
  steps read over HTTP), and the snapshot frame's size.

It runs against a throwaway PostgreSQL database (created and dropped here) and, unless
--redis-url names one (flushed first), an embedded Redis of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.load.run import _admin_sql, _free_port, _own_redis, _postgres_server  # noqa: E402
from inference.backends.scripted import chunk_text  # noqa: E402
from tutor.serve import daphne_command  # noqa: E402

VAR = ROOT / "var" / "long-answer"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Runs before the page's scripts: times every message handler, the frame after each step's
# insertion, long tasks and frame sizes.
INSTRUMENT = """
window.__bench = {handlers: [], steps: [], frames: 0, biggest: 0, longest: 0, tokens: 0};
new PerformanceObserver((list) => {
  const b = window.__bench;
  for (const e of list.getEntries()) b.longest = Math.max(b.longest, e.duration);
}).observe({type: 'longtask', buffered: true});
const add = WebSocket.prototype.addEventListener;
WebSocket.prototype.addEventListener = function (type, listener, options) {
  if (type !== 'message') return add.call(this, type, listener, options);
  return add.call(this, type, function (event) {
    const b = window.__bench;
    b.frames += 1;
    b.biggest = Math.max(b.biggest, event.data.length);
    let data = null;
    try { data = JSON.parse(event.data); } catch (err) {}
    if (data && data.type === 'turn.progress') b.tokens = data.tokens;
    const started = performance.now();
    listener.call(this, event);
    b.handlers.push([b.tokens, performance.now() - started]);
    if (data && data.type === 'turn.step' && data.step.completed_at) {
      const at = data.step.completed_at;
      requestAnimationFrame(() => b.steps.push(Date.now() - at));
    }
  }, options);
};
"""


def script(tokens: int) -> str:
    """A reasoning answer of about ``tokens`` chunks: a long <think> block, then the answer."""
    head, tail = (
        "<think>\n",
        "</think>\nSo 2x = 84.\nThen x = 42.\nThe answer is \\(\\boxed{42}\\).\n",
    )
    budget = tokens - len(chunk_text(head)) - len(chunk_text(tail))
    lines, used, n = [], 0, 1
    while True:
        line = f"Next, {n} + {2 * n} = {3 * n}, and we keep {3 * n} for the total.\n"
        cost = len(chunk_text(line))
        if used + cost > budget:
            break
        lines.append(line)
        used += cost
        n += 1
    return head + "".join(lines) + tail


def _script_file(text: str) -> Path:
    VAR.mkdir(parents=True, exist_ok=True)
    path = VAR / "script.txt"
    path.write_text(text, encoding="utf-8")
    return path


def _env(args: argparse.Namespace, database_url: str, text: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tutor.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": args.redis_url,
        "DEBUG": "0",
        # Production settings refuse to start without a key; a throwaway one per run.
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "SECURE_COOKIES": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TUTOR_BACKEND": "scripted",
        "TUTOR_SCRIPT_FILE": str(_script_file(text)),
        "TUTOR_SCRIPT_TOKENS_PER_S": str(args.rate),
        "TUTOR_MAX_NEW_TOKENS": "32768",
        "OMP_NUM_THREADS": "1",
        "PYTHONUNBUFFERED": "1",
        "LOG_LEVEL": "WARNING",
    }


def _prepare(env: dict[str, str]) -> dict[str, Any]:
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    code = """
import django, json
django.setup()
from datetime import timedelta
from django.test import Client
from django.utils import timezone
from tutor.models import Assignment, Classroom, Enrolment, Problem, ProblemSet, User
teacher = User.objects.create_user("bench-teacher", password="x", role="teacher")
student = User.objects.create_user("bench-student", password="x", role="student")
room = Classroom.objects.create(teacher=teacher, name="Bench")
Enrolment.objects.create(classroom=room, student=student)
ps = ProblemSet.objects.create(owner=teacher, title="Bench")
p = Problem.objects.create(problem_set=ps, position=0, statement="Solve 2x = 84.", answer_key="42")
Assignment.objects.create(problem_set=ps, classroom=room, due_at=timezone.now() + timedelta(7))
client = Client()
client.force_login(student)
print(json.dumps({"problem": p.pk, "cookie": client.cookies["sessionid"].value}))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _saved_answer_steps(env: dict[str, str]) -> int:
    code = (
        "import django; django.setup(); from tutor.models import StepVerdict;"
        "print(StepVerdict.objects.filter(turn__isnull=False, thinking=False).count())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return int(out.stdout.strip().splitlines()[-1])


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _near(handlers: list[list[float]], tokens: int) -> tuple[float, float]:
    """Median and p95 handler time of messages within 10% of ``tokens`` tokens."""
    times = [ms for at, ms in handlers if abs(at - tokens) <= tokens * 0.1]
    if not times:
        return float("nan"), float("nan")
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[int(q * (len(values) - 1))] if values else float("nan")


def run(args: argparse.Namespace) -> None:
    import redis
    from playwright.sync_api import sync_playwright

    text = script(args.tokens)
    name = f"stepwise_long_{os.getpid()}"
    _admin_sql(args.postgres, f"CREATE DATABASE {name}")
    own_redis = None
    if args.redis_url is None:
        own_redis, args.redis_url = _own_redis()
        time.sleep(0.5)
    redis.Redis.from_url(args.redis_url).flushdb()
    env = _env(args, f"{args.postgres}/{name}", text)
    VAR.mkdir(parents=True, exist_ok=True)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        world = _prepare(env)
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        procs.append(
            subprocess.Popen(
                daphne_command("127.0.0.1", port),
                cwd=ROOT,
                env=env,
                stdout=open(VAR / "daphne.log", "wb"),  # noqa: SIM115
                stderr=subprocess.STDOUT,
            )
        )
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tutor.celery", "worker", "-Q", "gpu",
             "--pool=solo", "--prefetch-multiplier=1", "--without-gossip", "--without-mingle",
             "--loglevel=WARNING", "-n", "long@%h"],
            cwd=ROOT, env=env, stdout=open(VAR / "worker.log", "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
        )  # fmt: skip
        procs.append(worker)
        time.sleep(4)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
            context.add_cookies([{"name": "sessionid", "value": world["cookie"], "url": url}])
            context.add_init_script(INSTRUMENT)
            page = context.new_page()
            page.goto(f"/problems/{world['problem']}/")
            page.locator("#tutor[data-connected='true']").wait_for(state="attached")
            started = time.monotonic()
            page.get_by_role("button", name="Show a full solution").click()
            page.locator("#turns .turn[data-status='done']").wait_for(timeout=args.timeout * 1000)
            streamed_s = time.monotonic() - started
            bench = page.evaluate("window.__bench")
            heap_mb = page.evaluate("performance.memory.usedJSHeapSize") / 2**20
            dom = page.evaluate("document.getElementsByTagName('*').length")
            answer_steps = _saved_answer_steps(env)
            reload_started = time.monotonic()
            page.reload()
            page.locator(".answer-steps .step").nth(answer_steps - 1).wait_for()
            resync_ms = (time.monotonic() - reload_started) * 1000
            snapshot = page.evaluate("window.__bench.biggest")
            browser.close()
        worker_mb = _peak_rss_mb(worker.pid)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(20)
        _admin_sql(args.postgres, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if own_redis is not None:
            own_redis.kill()
            own_redis.wait(10)

    rows = [
        ("tokens streamed", f"{len(chunk_text(text)):,} in {streamed_s:.0f} s"),
        ("verdict on screen after the step's last token, p50 / p99 (ms)",
         f"{_pct(bench['steps'], 0.5):.0f} / {_pct(bench['steps'], 0.99):.0f}"),
        ("steps shown", f"{len(bench['steps']):,}"),
    ]  # fmt: skip
    for tokens in (1000, 10000, 30000):
        p50, p95 = _near(bench["handlers"], tokens)
        rows.append((f"page cost per message near {tokens:,} tokens, p50 / p95 (ms)",
                     f"{p50:.2f} / {p95:.2f}"))  # fmt: skip
    rows += [
        ("longest main-thread task (ms)", f"{bench['longest']:.0f}"),
        ("largest websocket frame (bytes)", f"{bench['biggest']:,}"),
        ("messages received", f"{bench['frames']:,}"),
        ("reload until every answer step is back (ms)", f"{resync_ms:.0f}"),
        ("largest frame after the reload, i.e. the snapshot (bytes)", f"{snapshot:,}"),
        ("page JS heap at the end (MB)", f"{heap_mb:.1f}"),
        ("page DOM elements at the end", f"{dom:,}"),
        ("worker peak RSS (MB)", f"{worker_mb:.0f}"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"| {'measure'.ljust(width)} | value |")
    print(f"|{'-' * (width + 2)}|---|")
    for label, value in rows:
        print(f"| {label.ljust(width)} | {value} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=32768)
    parser.add_argument("--rate", type=float, default=150.0)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--postgres", default=_postgres_server())
    parser.add_argument("--redis-url", default=None, help="default: an embedded Redis of its own")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
