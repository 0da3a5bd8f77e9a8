"""Configuration that the reliability properties depend on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tutor.celery import GENERATE_TURN
from tutor.worker.tasks import generate_turn

ROOT = Path(__file__).resolve().parent.parent


def test_it_never_hands_a_running_turn_to_a_second_worker() -> None:
    """The broker's visibility timeout outlasts the longest allowed generation."""
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert timeout > settings.TUTOR_WALL_CLOCK_S + 30


def test_it_acknowledges_turns_only_after_they_finish() -> None:
    """A worker killed mid-turn leaves the message for redelivery; prefetch is one."""
    assert generate_turn.acks_late and generate_turn.reject_on_worker_lost
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert generate_turn.name == GENERATE_TURN
    assert settings.CELERY_TASK_ROUTES["tutor.worker.*"]["queue"]


def test_it_passes_the_deploy_checks_with_production_settings() -> None:
    """`manage.py check --deploy --fail-level WARNING` passes as .env.example configures it."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "-production-secret-that-is-long-and-random-0123456789",
        "ALLOWED_HOSTS": "stepwise.example.org",
        "SECURE_COOKIES": "1",
        "SECURE_SSL_REDIRECT": "1",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
        "SECURE_HSTS_PRELOAD": "1",
        "BEHIND_TLS_PROXY": "1",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_does_not_initialise_cuda_in_the_parent_before_a_fork() -> None:
    """Importing the web app, the Celery app and the task module leaves CUDA untouched."""
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','tutor.settings');"
        "django.setup(); import tutor.asgi, tutor.celery, tutor.worker.tasks, sys;"
        "torch = sys.modules.get('torch');"
        "busy = torch is not None and torch.cuda.is_initialized();"
        "print('cuda-initialised' if busy else 'clean')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.strip().endswith("clean"), result.stderr


def test_deployments_on_one_redis_server_never_share_pub_sub_names() -> None:
    """Pub/sub names are server-wide: each Redis database gets its own prefix for the channel
    layer and for cancel requests, so a test run on /15 cannot stream into the app on /0."""
    script = (
        "import django, json; django.setup(); from django.conf import settings;"
        "from tutor import turn_state;"
        "print(json.dumps([settings.CHANNEL_LAYERS['default']['CONFIG'].get('prefix'),"
        " turn_state._cancel_channel(7)]))"
    )
    names = []
    for url in ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/15", "redis://h:1?db=15"):
        env = {**os.environ, "REDIS_URL": url, "CHANNEL_LAYER": "pubsub"}
        env.pop("REDIS_PUBSUB_PREFIX", None)
        out = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "tutor.settings"},
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        names.append(tuple(json.loads(out.stdout)))
    assert names[0] == ("stepwise0:asgi", "stepwise0:turn:7:cancel")
    assert names[1] == names[2] == ("stepwise15:asgi", "stepwise15:turn:7:cancel")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TUTOR_MAX_NEW_TOKENS", "40000", "TUTOR_MAX_NEW_TOKENS=40000: max_new_tokens must be in"),
        ("TUTOR_TOP_P", "0", "TUTOR_TOP_P=0.0: top_p must be in (0, 1]"),
        ("TUTOR_TEMPERATURE", "3", "TUTOR_TEMPERATURE=3.0: temperature must be in [0, 2]"),
        ("TUTOR_CONTEXT_TOKENS", "4096", "leaves no room for a prompt"),
        ("TUTOR_STEP_RETRIES", "9", "TUTOR_STEP_RETRIES=9: use 0 to 5"),
    ],
)
def test_a_generation_setting_every_answer_would_fail_on_stops_the_start(
    variable: str, value: str, message: str
) -> None:
    """A bad TUTOR_* value is refused at start-up with its name, not on every answer."""
    env = {**os.environ, variable: value}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and message in result.stderr, result.stderr[-800:]


def test_the_time_limits_follow_the_token_cap() -> None:
    """The card's 32,768 tokens by default; the wall clock and the broker's visibility timeout
    are sized from it, so a long answer is neither cut by the clock nor handed out twice."""
    assert settings.TUTOR_MAX_NEW_TOKENS == 32768
    slowest = settings.TUTOR_MAX_NEW_TOKENS / settings.TUTOR_MIN_TOKENS_PER_S
    assert slowest <= settings.TUTOR_WALL_CLOCK_S
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert timeout > settings.TUTOR_WALL_CLOCK_S
