"""The run command: the site survives a worker crash, and stopping it leaves nothing behind.

It runs the README's own command, ``./scripts/run.sh``, on its embedded defaults (SQLite and
an embedded Redis in a temporary folder), as a new user would.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.live


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _descendants(pid: int) -> set[int]:
    tree, found, todo = _children(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _cmdline(pid: int) -> str:
    try:
        return (Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")).decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _until(check: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.25)
    return False


def _workers(run: subprocess.Popen[bytes]) -> list[int]:
    return [
        pid
        for pid in _descendants(run.pid)
        if "celery" in _cmdline(pid) and "worker" in _cmdline(pid) and _alive(pid)
    ]


@pytest.fixture
def run_sh(tmp_path: Path, tiny_model_dir: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        PORT=str(port),
        STEPWISE_VAR_DIR=str(tmp_path),
        TUTOR_TINY_DIR=str(tiny_model_dir),  # built once for the whole suite
        HF_HUB_OFFLINE="1",
        OMP_NUM_THREADS="1",
    )
    log = (tmp_path / "run.log").open("wb")
    run = subprocess.Popen(
        ["./scripts/run.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        assert _until(lambda: _answers(url), 180), (tmp_path / "run.log").read_text()[-3000:]
        yield run, url
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
        log.close()


def test_the_site_survives_a_worker_crash_and_a_hangup_stops_everything(
    run_sh: tuple[subprocess.Popen[bytes], str],
) -> None:
    """kill -9 of the worker: the pages keep answering and a new worker starts. Closing the
    terminal (HUP) then stops every process the command started, Redis included."""
    run, url = run_sh
    assert _until(lambda: _workers(run), 60), "no worker started"
    started = _descendants(run.pid)
    assert any("valkey" in _cmdline(p) or "redis" in _cmdline(p) for p in started)
    first = _workers(run)[0]
    os.kill(first, signal.SIGKILL)
    for _ in range(8):  # the web tier keeps serving while the worker is down
        assert _answers(url)
        time.sleep(0.25)
    assert _until(lambda: [p for p in _workers(run) if p != first], 60), "no new worker"
    assert run.poll() is None

    everything = _descendants(run.pid)
    os.kill(run.pid, signal.SIGHUP)
    run.wait(60)
    assert _until(lambda: not [p for p in everything if _alive(p)], 30), [
        _cmdline(p) for p in everything if _alive(p)
    ]
    assert not _answers(url)
