"""Typed readers for settings that come from the environment.

A value that cannot be read stops start-up with an error naming the variable and what it
accepts: `DEBUG=ture` quietly read as False would have run production code paths nobody
asked for. An unset or empty variable means the default, so `.env.example`'s `NAME=` lines
and `NAME= ./scripts/run.sh` both leave a setting alone.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

from django.core.exceptions import ImproperlyConfigured

TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")


def _raw(name: str) -> str | None:
    """The variable's value with surrounding blanks removed, or None when unset or empty."""
    value = os.environ.get(name, "").strip()
    return value or None


def _invalid(name: str, value: str, accepted: str, default: object) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"{name}={value!r} is not valid: use {accepted}, or leave {name} empty for the "
        f"default ({default})"
    )


def env_str(name: str, default: str) -> str:
    value = os.environ.get(name, "")
    return value if value.strip() else default


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise _invalid(name, value, f"one of {', '.join(TRUE + FALSE)} (in any case)", default)


def env_int(name: str, default: int) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise _invalid(name, value, "a whole number, such as 20", default) from None


def env_float(name: str, default: float) -> float:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise _invalid(name, value, "a finite number, such as 0.5 or 2", default)
    return number


def env_choice(name: str, default: str, choices: Sequence[str]) -> str:
    value = _raw(name)
    if value is None:
        return default
    if value not in choices:
        raise _invalid(name, value, f"one of {', '.join(choices)}", default)
    return value


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]
