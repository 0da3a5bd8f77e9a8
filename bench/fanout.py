"""Fan-out: many concurrent token streams through one real daphne to real websocket clients.

    .venv/bin/python bench/fanout.py                       # 50 streams x 100 tok/s, 8 s a mode
    .venv/bin/python bench/fanout.py --streams 50 --seconds 8 --redis-url redis://127.0.0.1:6379/13

What runs: a throwaway SQLite database (or --database-url), one daphne process, 50 websocket
clients in this process (each logged in as its own student, subscribed to its own session),
and a separate producer process that publishes with the real publisher
(``tutor.events.publish_turn_event``) from one thread per stream, exactly as a worker does.
Every frame carries the producer's send time; clients record producer-to-client latency and
check that each stream's text arrives whole and in order (offsets contiguous, seq +1).

Two modes: ``coalesced`` runs each stream through the worker's real ``Coalescer`` (at most
about 20 frames a second per stream, the production path); ``per-token`` sends every token as
its own frame (5,000 frames/s for 50 x 100 tok/s), a stress case the worker never produces.
Loopback only; the producer, daphne, Redis and the clients share this machine's cores.
It flushes the channel layer's keys (``asgi:*``) in the Redis it is given: point it at a Redis
database of its own (default db 15).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from typing import Any

from tutor.serve import daphne_command

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The token stream each producer thread sends: short words, like a model's tokens.
TOKEN = " x"


@dataclass
class StreamResult:
    latencies_ms: list[float] = field(default_factory=list)
    text: str = ""
    frames: int = 0
    reordered: int = 0
    gaps: int = 0
    done: bool = False
    expected_chars: int = -1


@dataclass
class Row:
    mode: str
    streams: int
    tok_s_per_stream: float
    seconds: float
    frames: int
    lost_streams: int
    reordered: int
    gaps: int
    p50_ms: float
    p99_ms: float
    max_ms: float

    def render(self) -> str:
        return (
            f"{self.mode:<10} {self.streams:>7} {self.tok_s_per_stream:>9.0f} {self.frames:>8} "
            f"{self.frames / self.seconds:>9.0f} {self.lost_streams:>6} "
            f"{self.reordered + self.gaps:>9} "
            f"{self.p50_ms:>8.1f} {self.p99_ms:>8.1f} {self.max_ms:>8.1f}"
        )


HEADER = (
    f"{'mode':<10} {'streams':>7} {'tok/s/st':>9} {'frames':>8} {'frames/s':>9} {'lost':>6} "
    f"{'disorder':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"
)


# --- producer process ------------------------------------------------------------------------


def produce(session_ids: list[int], *, rate: float, seconds: float, coalesce: bool) -> None:
    """Publish ``rate`` tokens/s to each session for ``seconds``, one thread per stream."""
    import django

    django.setup()
    from inference.streaming import Coalescer
    from tutor import events

    start_at = time.monotonic() + 0.5  # every thread starts together
    from django.conf import settings

    FRAME_INTERVAL_S = settings.TUTOR_FRAME_INTERVAL_S
    tokens = int(rate * seconds)

    def stream(session_id: int) -> None:
        coalescer = Coalescer(FRAME_INTERVAL_S) if coalesce else None
        offset, seq = 0, 0

        def send(text: str) -> None:
            nonlocal offset, seq
            seq += 1
            event = {"type": "turn.delta", "turn": session_id, "seq": seq, "offset": offset}
            events.publish_turn_event(session_id, {**event, "text": text, "sent_at": time.time()})
            offset += len(text)

        for n in range(tokens):
            delay = start_at + n / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if coalescer is None:
                send(TOKEN)
            else:
                frame = coalescer.push(TOKEN, time.monotonic())
                if frame:
                    send(frame)
        tail = coalescer.flush() if coalescer is not None else ""
        if tail:
            send(tail)
        seq += 1
        done = {"type": "turn.done", "turn": session_id, "seq": seq, "length": offset}
        events.publish_turn_event(session_id, {**done, "sent_at": time.time()})

    threads = [threading.Thread(target=stream, args=(sid,)) for sid in session_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    events.flush(30)


# --- clients -----------------------------------------------------------------------------------


async def client(
    url: str, origin: str, cookie: str, result: StreamResult, ready: asyncio.Event
) -> None:
    import websockets

    headers = {"Cookie": f"sessionid={cookie}", "Origin": origin}
    async with websockets.connect(url, additional_headers=headers, max_queue=None) as ws:
        json.loads(await ws.recv())  # session.snapshot
        ready.set()
        last_seq = 0
        async for raw in ws:
            received = time.time()
            event: dict[str, Any] = json.loads(raw)
            if event.get("type") not in ("turn.delta", "turn.done"):
                continue
            result.latencies_ms.append((received - event["sent_at"]) * 1000)
            if event["seq"] != last_seq + 1:
                result.reordered += 1
            last_seq = event["seq"]
            if event["type"] == "turn.done":
                result.expected_chars = event["length"]
                result.done = True
                return
            if event["offset"] != len(result.text):
                result.gaps += 1
            result.text = result.text[: event["offset"]] + event["text"]
            result.frames += 1


async def run_mode(
    stack: Stack,
    *,
    mode: str,
    rate: float,
    seconds: float,
    producers_count: int,
    env: dict[str, str],
) -> Row:
    results = [StreamResult() for _ in stack.sessions]
    readies = [asyncio.Event() for _ in stack.sessions]
    tasks = [
        asyncio.create_task(
            client(f"{stack.ws_url}/ws/session/{sid}/", stack.url, cookie, result, ready)
        )
        for (sid, cookie), result, ready in zip(stack.sessions, results, readies, strict=True)
    ]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 60)
    ids = [sid for sid, _ in stack.sessions]
    producers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--produce",
            ",".join(str(sid) for sid in ids[k::producers_count]),
            "--rate",
            str(rate),
            "--seconds",
            str(seconds),
            "--mode",
            mode,
            cwd=ROOT,
            env=env,
        )
        for k in range(producers_count)
    ]
    _, pending = await asyncio.wait(tasks, timeout=seconds + 60)
    for task in pending:
        task.cancel()
    for producer in producers:
        await producer.wait()
    latencies = [ms for r in results for ms in r.latencies_ms]
    lost = sum(1 for r in results if not r.done or len(r.text) != r.expected_chars)
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Row(
        mode=mode,
        streams=len(results),
        tok_s_per_stream=rate,
        seconds=seconds,
        frames=sum(r.frames for r in results),
        lost_streams=lost,
        reordered=sum(r.reordered for r in results),
        gaps=sum(r.gaps for r in results),
        p50_ms=statistics.median(latencies) if latencies else 0.0,
        p99_ms=quantiles[98],
        max_ms=max(latencies, default=0.0),
    )


# --- the stack ---------------------------------------------------------------------------------


@dataclass
class Stack:
    url: str
    ws_url: str
    sessions: list[tuple[int, str]]  # (session id, session cookie)


def prepare_database(streams: int) -> list[tuple[int, str]]:
    """Migrate, then create one student and one tutoring session per stream."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from tutor.models import Problem, ProblemSet, User
    from tutor.services.turns import session_for

    call_command("migrate", verbosity=0)
    # A throwaway database numbers sessions from 1 again, and groups left in Redis by an
    # earlier run still hold that run's dead channels; drop the channel layer's keys.
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    async_to_sync(get_channel_layer().flush)()
    teacher, _ = User.objects.get_or_create(username="bench-teacher", role=User.Role.TEACHER)
    problem_set, _ = ProblemSet.objects.get_or_create(owner=teacher, title="Fan-out bench")
    problem, _ = Problem.objects.get_or_create(
        problem_set=problem_set, position=0, defaults={"statement": "x + 1 = 2", "answer_key": "1"}
    )
    sessions = []
    for n in range(streams):
        # No password: hashing costs about a second a user here, and force_login needs none.
        student, _ = User.objects.get_or_create(username=f"bench{n}", role=User.Role.STUDENT)
        client = Client()
        client.force_login(student)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        sessions.append((session_for(student=student, problem=problem).pk, cookie))
    return sessions


def start_daphne(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    out = open(log, "ab")  # noqa: SIM115  (lives as long as the process)
    proc = subprocess.Popen(
        daphne_command("127.0.0.1", port),
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"daphne exited with {proc.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("daphne did not answer in 60 s")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=50)
    parser.add_argument("--rate", type=float, default=100.0, help="tokens/s per stream")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each stream")
    parser.add_argument("--modes", default="coalesced", help="coalesced and/or per-token")
    parser.add_argument(
        "--producers", type=int, default=1, help="producer processes (workers) sharing the streams"
    )
    parser.add_argument("--database-url", help="default: a throwaway SQLite file")
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    )
    parser.add_argument("--out", type=Path, help="write results as .json and .md here")
    parser.add_argument("--produce", help=argparse.SUPPRESS)  # internal: the producer process
    parser.add_argument("--mode", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tutor.settings")
    if args.produce:
        ids = [int(x) for x in args.produce.split(",")]
        produce(ids, rate=args.rate, seconds=args.seconds, coalesce=args.mode == "coalesced")
        return

    workdir = Path(tempfile.mkdtemp(prefix="stepwise-fanout-"))
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
        "REDIS_URL": args.redis_url,
        "DEBUG": "0",
        # Production settings refuse to start without a key; a throwaway one per run.
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "WARNING",
        "STEPWISE_VAR_DIR": str(workdir),
        "PYTHONUNBUFFERED": "1",
    }
    os.environ.update(env)  # this process migrates and logs the students in
    sessions = prepare_database(args.streams)
    port = free_port()
    daphne = start_daphne(env, port, workdir / "daphne.log")
    stack = Stack(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", sessions)
    rows: list[Row] = []
    try:
        print(
            f"{args.streams} streams x {args.rate:.0f} tok/s for {args.seconds:.0f} s; one daphne"
        )
        print(HEADER, flush=True)
        for mode in args.modes.split(","):
            try:
                row = asyncio.run(
                    run_mode(
                        stack,
                        mode=mode,
                        rate=args.rate,
                        seconds=args.seconds,
                        producers_count=args.producers,
                        env=env,
                    )
                )
            except Exception as exc:  # keep the other mode's numbers
                print(f"{mode:<10} FAILED: {type(exc).__name__}: {exc}", flush=True)
                continue
            rows.append(row)
            print(row.render(), flush=True)
    finally:
        daphne.terminate()
        daphne.wait(10)
    if args.out:
        write_results(args.out, rows)


def write_results(out: Path, rows: list[Row]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps([asdict(r) for r in rows], indent=2))
    lines = [f"    {HEADER}", *(f"    {r.render()}" for r in rows)]
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
