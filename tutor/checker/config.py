"""Checker settings: the time cap, the pool size and the memory cap, from code or the env."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Settings:
    timeout: float = 2.0  # seconds per step (and per answer check)
    workers: int = 2
    memory_mb: int = 512  # RLIMIT_AS of each worker process
    # How long a request may wait for a free worker before it is given up as "not checked
    # yet". Apart from the cap: waiting in line is not the line's fault.
    wait: float = 10.0


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def from_env() -> Settings:
    """Defaults, overridden by CHECKER_TIMEOUT_S, CHECKER_WORKERS, CHECKER_MEMORY_MB and
    CHECKER_WAIT_S."""
    base = Settings()
    return Settings(
        timeout=_env_float("CHECKER_TIMEOUT_S", base.timeout),
        workers=max(1, _env_int("CHECKER_WORKERS", base.workers)),
        memory_mb=max(128, _env_int("CHECKER_MEMORY_MB", base.memory_mb)),
        wait=max(0.0, _env_float("CHECKER_WAIT_S", base.wait)),
    )


def updated(
    settings: Settings,
    *,
    timeout: float | None = None,
    workers: int | None = None,
    memory_mb: int | None = None,
    wait: float | None = None,
) -> Settings:
    return replace(
        settings,
        wait=settings.wait if wait is None else max(0.0, float(wait)),
        timeout=settings.timeout if timeout is None else float(timeout),
        workers=settings.workers if workers is None else max(1, int(workers)),
        memory_mb=settings.memory_mb if memory_mb is None else max(128, int(memory_mb)),
    )
