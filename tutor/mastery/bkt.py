"""Bayesian knowledge tracing (Corbett and Anderson, 1995): the update and an EM fit.

A skill is known or not. Each final answer is evidence: a student who knows the skill still
slips, one who does not can guess. After each answer the student may learn the skill; BKT
as used here never forgets. No Django import, so the math is tested and reused on its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Guess and slip above one half make "knows it" and "does not" swap meanings; EM can drift
# there on sparse data, so the fit keeps both below this bound (a usual BKT constraint).
MAX_GUESS = 0.5
MAX_SLIP = 0.5
# Keeps every probability away from 0 and 1, where the likelihood has no gradient left.
EPSILON = 1e-6


@dataclass(frozen=True)
class BKTParams:
    """One skill's parameters: P(known) before any answer, P(learn) after each answer,
    P(right | not known) and P(wrong | known)."""

    prior: float
    learn: float
    guess: float
    slip: float


DEFAULT_PARAMS = BKTParams(prior=0.3, learn=0.15, guess=0.2, slip=0.1)
# P(known) at which a skill counts as mastered: the usual BKT threshold (Corbett and
# Anderson's, and the one MATHia and OATutor use).
MASTERED = 0.95


def posterior(p_known: float, correct: bool, params: BKTParams) -> float:
    """P(known) given one more answer, before the chance to learn from it."""
    if correct:
        known = p_known * (1 - params.slip)
        unknown = (1 - p_known) * params.guess
    else:
        known = p_known * params.slip
        unknown = (1 - p_known) * (1 - params.guess)
    total = known + unknown
    return p_known if total <= 0 else known / total


def update(p_known: float, correct: bool, params: BKTParams) -> float:
    """P(known) after an answer: the posterior, then the chance to learn."""
    after = posterior(p_known, correct, params)
    return after + (1 - after) * params.learn


def trace(answers: Sequence[bool], params: BKTParams) -> float:
    """P(known) after a whole sequence of answers, starting from the prior."""
    p_known = params.prior
    for correct in answers:
        p_known = update(p_known, correct, params)
    return p_known


def p_correct(p_known: float, params: BKTParams) -> float:
    """The chance that the next answer is right."""
    return p_known * (1 - params.slip) + (1 - p_known) * params.guess


@dataclass(frozen=True)
class FitResult:
    params: BKTParams
    log_likelihood: float
    iterations: int
    observations: int


@dataclass
class _Counts:
    """Expected counts over all sequences: what the M step divides."""

    first_known: float = 0.0
    sequences: int = 0
    learned: float = 0.0  # expected unknown -> known transitions
    unknown_before: float = 0.0  # expected unknown states that had a next answer
    unknown: float = 0.0
    unknown_right: float = 0.0
    known: float = 0.0
    known_wrong: float = 0.0
    log_likelihood: float = 0.0


def _emission(correct: bool, params: BKTParams) -> tuple[float, float]:
    """P(answer | unknown), P(answer | known)."""
    if correct:
        return params.guess, 1 - params.slip
    return 1 - params.guess, params.slip


def _forward(
    answers: Sequence[bool], params: BKTParams
) -> tuple[list[tuple[float, float]], list[float]]:
    """Scaled forward pass: P(state at t | answers up to t), and each step's scale."""
    alphas: list[tuple[float, float]] = []
    scales: list[float] = []
    unknown, known = 1 - params.prior, params.prior
    for t, correct in enumerate(answers):
        if t > 0:
            unknown, known = unknown * (1 - params.learn), unknown * params.learn + known
        e_unknown, e_known = _emission(correct, params)
        unknown, known = unknown * e_unknown, known * e_known
        scale = unknown + known
        unknown, known = unknown / scale, known / scale
        alphas.append((unknown, known))
        scales.append(scale)
    return alphas, scales


def _backward(
    answers: Sequence[bool], params: BKTParams, scales: Sequence[float]
) -> list[tuple[float, float]]:
    """Scaled backward pass, with the same scales as the forward one."""
    betas = [(1.0, 1.0)] * len(answers)
    for t in range(len(answers) - 2, -1, -1):
        e_unknown, e_known = _emission(answers[t + 1], params)
        b_unknown, b_known = betas[t + 1]
        after_unknown, after_known = e_unknown * b_unknown, e_known * b_known
        betas[t] = (
            ((1 - params.learn) * after_unknown + params.learn * after_known) / scales[t + 1],
            after_known / scales[t + 1],
        )
    return betas


def _accumulate(answers: Sequence[bool], params: BKTParams, counts: _Counts) -> None:
    """Forward-backward on one sequence, its expected counts added into ``counts``."""
    alphas, scales = _forward(answers, params)
    betas = _backward(answers, params, scales)
    counts.log_likelihood += sum(math.log(s) for s in scales)
    counts.sequences += 1
    for t, correct in enumerate(answers):
        (a_unknown, a_known), (b_unknown, b_known) = alphas[t], betas[t]
        g_unknown, g_known = a_unknown * b_unknown, a_known * b_known
        total = g_unknown + g_known
        g_unknown, g_known = g_unknown / total, g_known / total
        counts.unknown += g_unknown
        counts.known += g_known
        if correct:
            counts.unknown_right += g_unknown
        else:
            counts.known_wrong += g_known
        if t == 0:
            counts.first_known += g_known
        if t + 1 < len(answers):
            _, e_known = _emission(answers[t + 1], params)
            counts.learned += a_unknown * params.learn * e_known * betas[t + 1][1] / scales[t + 1]
            counts.unknown_before += g_unknown


def _clamp(value: float, high: float = 1.0) -> float:
    return min(max(value, EPSILON), high - EPSILON)


def _m_step(counts: _Counts, old: BKTParams) -> BKTParams:
    def ratio(top: float, bottom: float, fallback: float) -> float:
        return top / bottom if bottom > EPSILON else fallback

    return BKTParams(
        prior=_clamp(ratio(counts.first_known, counts.sequences, old.prior)),
        learn=_clamp(ratio(counts.learned, counts.unknown_before, old.learn)),
        guess=_clamp(ratio(counts.unknown_right, counts.unknown, old.guess), MAX_GUESS),
        slip=_clamp(ratio(counts.known_wrong, counts.known, old.slip), MAX_SLIP),
    )


def fit(
    sequences: Sequence[Sequence[bool]],
    *,
    start: BKTParams = DEFAULT_PARAMS,
    max_iterations: int = 200,
    tolerance: float = 1e-6,
) -> FitResult:
    """Maximum-likelihood parameters for one skill by expectation-maximisation (Baum-Welch).

    ``sequences`` holds each student's answers on the skill, oldest first. EM finds a local
    maximum near ``start``; starting from the defaults keeps the fit in the region where
    "known" means known (guess and slip stay below one half).
    """
    sequences = [s for s in sequences if s]
    params = start
    log_likelihood = -math.inf
    iterations = 0
    while iterations < max_iterations:
        iterations += 1
        counts = _Counts()
        for answers in sequences:
            _accumulate(answers, params, counts)
        params = _m_step(counts, params)
        # EM never lowers the likelihood; a gain below the tolerance is convergence.
        gain = counts.log_likelihood - log_likelihood
        log_likelihood = counts.log_likelihood
        if gain < tolerance:
            break
    return FitResult(
        params=params,
        log_likelihood=log_likelihood if sequences else 0.0,
        iterations=iterations,
        observations=sum(len(s) for s in sequences),
    )
