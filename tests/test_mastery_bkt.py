"""Bayesian knowledge tracing: the update against hand-computed values, the fit against a
simulated class whose parameters are known. Pure Python: no database."""

from __future__ import annotations

import random

import pytest

from tutor.mastery.bkt import DEFAULT_PARAMS, BKTParams, fit, p_correct, posterior, trace, update

# Hand-computed with the defaults (prior 0.3, learn 0.15, guess 0.2, slip 0.1):
#   right: posterior = 0.3*0.9 / (0.3*0.9 + 0.7*0.2) = 0.27/0.41 = 0.658537
#          update    = 0.658537 + 0.341463*0.15    = 0.709756
#   wrong: posterior = 0.3*0.1 / (0.3*0.1 + 0.7*0.8) = 0.03/0.59 = 0.050847
#          update    = 0.050847 + 0.949153*0.15    = 0.193220


@pytest.mark.parametrize(
    ("correct", "after_evidence", "after_learning"),
    [
        (True, 0.27 / 0.41, 0.27 / 0.41 + (1 - 0.27 / 0.41) * 0.15),  # 0.658537, 0.709756
        (False, 0.03 / 0.59, 0.03 / 0.59 + (1 - 0.03 / 0.59) * 0.15),  # 0.050847, 0.193220
    ],
)
def test_one_answer_moves_mastery_by_the_hand_computed_amount(
    correct: bool, after_evidence: float, after_learning: float
) -> None:
    """A right answer from the prior gives 71%, a wrong one 19%."""
    assert posterior(0.3, correct, DEFAULT_PARAMS) == pytest.approx(after_evidence, abs=1e-12)
    assert update(0.3, correct, DEFAULT_PARAMS) == pytest.approx(after_learning, abs=1e-12)
    assert round(update(0.3, correct, DEFAULT_PARAMS), 6) == (0.709756 if correct else 0.193220)


def test_two_answers_chain_the_updates() -> None:
    """Right then wrong: 0.709756, then 0.0709756 / (0.0709756 + 0.2321951) = 0.234111 after
    the evidence, and 0.234111 + 0.765889 * 0.15 = 0.348994 after learning."""
    assert trace([True, False], DEFAULT_PARAMS) == pytest.approx(0.348994, abs=1e-6)
    assert trace([], DEFAULT_PARAMS) == 0.3


def test_the_chance_of_a_right_answer_mixes_slip_and_guess() -> None:
    """At the prior: 0.3*0.9 + 0.7*0.2 = 0.41."""
    assert p_correct(0.3, DEFAULT_PARAMS) == pytest.approx(0.41)


def _simulate(true: BKTParams, students: int, answers: int, seed: int) -> list[list[bool]]:
    rng = random.Random(seed)
    sequences = []
    for _ in range(students):
        known = rng.random() < true.prior
        sequence = []
        for _ in range(answers):
            sequence.append(rng.random() < ((1 - true.slip) if known else true.guess))
            known = known or rng.random() < true.learn
        sequences.append(sequence)
    return sequences


@pytest.mark.parametrize(
    "true",
    [
        BKTParams(prior=0.4, learn=0.2, guess=0.25, slip=0.1),
        BKTParams(prior=0.15, learn=0.1, guess=0.15, slip=0.05),
        BKTParams(prior=0.6, learn=0.3, guess=0.3, slip=0.15),
    ],
)
def test_the_fit_recovers_a_simulated_class(true: BKTParams) -> None:
    """600 simulated students x 15 answers: each fitted parameter within 0.06 of the truth."""
    result = fit(_simulate(true, 600, 15, seed=7))
    for name in ("prior", "learn", "guess", "slip"):
        assert getattr(result.params, name) == pytest.approx(getattr(true, name), abs=0.06), name
    assert result.observations == 600 * 15


def test_the_fit_never_lowers_the_likelihood_below_the_start() -> None:
    """EM climbs: the fitted parameters explain the answers at least as well as the defaults."""
    sequences = _simulate(BKTParams(0.4, 0.2, 0.25, 0.1), 200, 10, seed=3)
    fitted = fit(sequences)
    start = fit(sequences, max_iterations=1)
    assert fitted.log_likelihood >= start.log_likelihood


def test_the_fit_keeps_guess_and_slip_below_one_half() -> None:
    """Answers that are mostly wrong from students who improve never flip known and unknown."""
    sequences = [[False] * 8 + [True] * 2 for _ in range(50)]
    params = fit(sequences).params
    assert params.guess < 0.5 and params.slip < 0.5


def test_no_answers_fit_to_the_start() -> None:
    """An empty class leaves the parameters where they started."""
    assert fit([]).params == DEFAULT_PARAMS
