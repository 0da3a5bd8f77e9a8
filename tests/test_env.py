"""Settings from the environment: what each reader accepts, and its error for what it cannot."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from tutor.env import env_bool, env_choice, env_float, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parent.parent
NAME = "STEPWISE_TEST_SETTING"
env_layer = partial(env_choice, choices=("pubsub", "core"))

Reader = Callable[[str, Any], Any]


@pytest.mark.parametrize(
    ("reader", "value", "default", "expected"),
    [
        (env_bool, "1", False, True),
        (env_bool, "true", False, True),
        (env_bool, "YES", False, True),
        (env_bool, " on ", False, True),  # blanks around a value are ignored
        (env_bool, "0", True, False),
        (env_bool, "False", True, False),
        (env_bool, "no", True, False),
        (env_bool, "off", True, False),
        (env_int, "20", 0, 20),
        (env_int, "-1", 0, -1),
        (env_int, " 7200 ", 0, 7200),
        (env_float, "0.5", 1.0, 0.5),
        (env_float, "2", 1.0, 2.0),
        (env_float, "1e-3", 1.0, 0.001),
        (env_layer, "core", "pubsub", "core"),
        (env_str, "redis://h:1/2", "redis://127.0.0.1:6379/0", "redis://h:1/2"),
        (env_list, "a.example, b.example,,", "localhost", ["a.example", "b.example"]),
    ],
)
def test_it_reads_the_values_it_accepts(
    monkeypatch: pytest.MonkeyPatch, reader: Reader, value: str, default: Any, expected: Any
) -> None:
    """A value in any of the documented spellings means what it says."""
    monkeypatch.setenv(NAME, value)
    assert reader(NAME, default) == expected


@pytest.mark.parametrize(
    ("reader", "default", "expected"),
    [
        (env_bool, True, True),
        (env_int, 20, 20),
        (env_float, 0.1, 0.1),
        (env_layer, "pubsub", "pubsub"),
        (env_str, "UTC", "UTC"),
        (env_list, "localhost,127.0.0.1", ["localhost", "127.0.0.1"]),
    ],
)
@pytest.mark.parametrize("value", [None, "", "   "], ids=["unset", "empty", "blank"])
def test_it_uses_the_default_when_a_variable_is_unset_or_empty(
    monkeypatch: pytest.MonkeyPatch, reader: Reader, default: Any, expected: Any, value: str | None
) -> None:
    """`NAME=` (as in .env.example) leaves the setting at its default, as if it were unset."""
    if value is None:
        monkeypatch.delenv(NAME, raising=False)
    else:
        monkeypatch.setenv(NAME, value)
    assert reader(NAME, default) == expected


@pytest.mark.parametrize(
    ("reader", "value", "default", "accepted"),
    [
        (env_bool, "ture", False, "1, true, yes, on, 0, false, no, off"),
        (env_bool, "2", False, "1, true, yes, on, 0, false, no, off"),
        (env_bool, "enabled", True, "1, true, yes, on, 0, false, no, off"),
        (env_int, "2h", 7200, "a whole number"),
        (env_int, "7200.0", 7200, "a whole number"),
        (env_int, "1e3", 20, "a whole number"),
        (env_float, "fast", 0.1, "a finite number"),
        (env_float, "0,5", 0.1, "a finite number"),  # a decimal comma
        (env_float, "nan", 300.0, "a finite number"),
        (env_float, "inf", 300.0, "a finite number"),
        (env_layer, "redis", "pubsub", "one of pubsub, core"),
        (env_layer, "PubSub", "pubsub", "one of pubsub, core"),  # names are exact
    ],
)
def test_it_refuses_a_value_it_cannot_read(
    monkeypatch: pytest.MonkeyPatch, reader: Reader, value: str, default: Any, accepted: str
) -> None:
    """The error names the variable, the value given, what it accepts and the default."""
    monkeypatch.setenv(NAME, value)
    with pytest.raises(ImproperlyConfigured) as error:
        reader(NAME, default)
    message = str(error.value)
    assert message.startswith(f"{NAME}={value!r} is not valid: use ")
    assert accepted in message
    assert f"leave {NAME} empty for the default ({default})" in message


def test_the_app_refuses_to_start_on_a_typo() -> None:
    """`DEBUG=ture` stops `manage.py` with the error, rather than running with DEBUG off."""
    env = {**os.environ, "DEBUG": "ture"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: DEBUG='ture' is not valid" in result.stderr
