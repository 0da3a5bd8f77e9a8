"""GenerationParams: the card's defaults, and bad settings rejected before a turn starts."""

from __future__ import annotations

import math

import pytest

from inference.backends import GenerationParams


def test_defaults_follow_the_model_card() -> None:
    """temperature 0.8, top_p 0.95, sampling on."""
    params = GenerationParams.validated()
    assert (params.temperature, params.top_p, params.do_sample) == (0.8, 0.95, True)
    assert not params.greedy


def test_temperature_zero_means_greedy() -> None:
    """temperature 0 decodes greedily even with do_sample left on."""
    assert GenerationParams.validated(temperature=0).greedy


@pytest.mark.parametrize(
    "overrides",
    [
        {"max_new_tokens": 0},  # nothing to generate
        {"max_new_tokens": 32769},  # beyond the card's longest run
        {"max_new_tokens": 1.5},  # not an integer
        {"max_new_tokens": True},  # bool is not a count
        {"temperature": -0.1},
        {"temperature": 2.01},
        {"temperature": math.nan},
        {"top_p": 0.0},  # would keep no tokens
        {"top_p": 1.01},
        {"wall_clock_s": 0},
        {"wall_clock_s": -1},
        {"seed": "7"},
        {"nucleus": 0.9},  # unknown name
    ],
)
def test_bad_values_are_rejected(overrides: dict[str, object]) -> None:
    """Each out-of-range or unknown value raises ValueError."""
    with pytest.raises(ValueError):
        GenerationParams.validated(**overrides)


@pytest.mark.parametrize(
    "overrides",
    [
        {"max_new_tokens": 1},
        {"max_new_tokens": 32768},
        {"temperature": 0},
        {"temperature": 2},
        {"top_p": 1},
        {"wall_clock_s": 0.001},
        {"seed": 0},
    ],
)
def test_edge_values_are_accepted(overrides: dict[str, object]) -> None:
    """The ends of each range are valid."""
    GenerationParams.validated(**overrides)
