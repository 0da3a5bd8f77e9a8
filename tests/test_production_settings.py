"""Production never runs on the development secret key, nor with DEBUG on (item 29)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_KEY = "stepwise-insecure-development-key-change-me-0123456789abcdef"
A_REAL_KEY = "q" * 10 + "-a-production-key-that-is-long-and-random-0123456789"


def _start(**variables: str) -> subprocess.CompletedProcess[str]:
    """`manage.py check` under Stepwise's own settings and exactly these variables."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")},
        "DJANGO_SETTINGS_MODULE": "tutor.settings",
        **variables,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("debug", ["0", ""])
def test_it_refuses_to_start_without_a_secret_key(debug: str) -> None:
    """With DEBUG off (or unset) and no SECRET_KEY, start-up stops and says what to set."""
    result = _start(DEBUG=debug, SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_it_refuses_the_development_key_given_by_hand() -> None:
    """Copying the key from the source into SECRET_KEY does not get around the check."""
    result = _start(DEBUG="0", SECRET_KEY=DEVELOPMENT_KEY)
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


@pytest.mark.parametrize(
    "production",
    [{"BEHIND_TLS_PROXY": "1"}, {"SECURE_SSL_REDIRECT": "1"}, {"SECURE_HSTS_SECONDS": "3600"}],
)
def test_it_refuses_debug_with_production_settings(production: dict[str, str]) -> None:
    """A production configuration with DEBUG=1 stops, naming the setting that gave it away."""
    result = _start(DEBUG="1", SECRET_KEY=A_REAL_KEY, **production)
    assert result.returncode != 0
    assert "DEBUG is on with production settings" in result.stderr
    assert next(iter(production)) in result.stderr


def test_a_local_debug_run_starts_on_the_development_key() -> None:
    """./scripts/run.sh (DEBUG=1, nothing else set) still starts with no key of its own."""
    result = _start(DEBUG="1", SECRET_KEY="")
    assert result.returncode == 0, result.stderr


def test_production_starts_with_its_own_key() -> None:
    """DEBUG off with a real key starts."""
    result = _start(DEBUG="0", SECRET_KEY=A_REAL_KEY)
    assert result.returncode == 0, result.stderr
