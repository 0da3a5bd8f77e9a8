"""Shared fixtures for the checker tests: a small time cap, and hypothesis profiles."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def small_cap() -> Iterator[float]:
    """A 0.5 s cap for the bounded-execution tests (the pool is restarted only if needed)."""
    from tutor.checker import check_steps, configure

    configure(timeout=0.5)
    check_steps(["1 + 1 = 2", "2 + 2 = 4"], timeout=10)  # start the pool outside the timings
    yield 0.5
    configure(timeout=2.0)
