"""The student path of issue 14: back on track, lone claims, complex roots, readable feedback."""

from __future__ import annotations

import re

import pytest

from tutor.checker.misconceptions import RULES
from tutor.checker.steps import judge_steps


def _judge(steps: list[str]) -> list[tuple[str, str | None, str]]:
    return [(r.verdict, r.rule, r.detail) for r in judge_steps(steps, "student")]


BACK_ON_TRACK = [
    pytest.param(["3x + 5 = 20", "3x = 20 + 5", "3x = 15"], 2, id="right-after-a-sign-slip"),
    pytest.param(["2x + 3 = 7", "2x = 10", "2x = 4"], 2, id="right-after-wrong-subtraction"),
    pytest.param(["x/2 = 3", "x = 5", "x = 6"], 2, id="right-root-after-wrong-root"),
]


@pytest.mark.parametrize(("steps", "at"), BACK_ON_TRACK)
def test_a_right_line_after_a_mistake_is_back_on_track(steps: list[str], at: int) -> None:
    """A line that follows from the last right line is right, and names no misconception."""
    verdicts = _judge(steps)
    assert verdicts[at - 1][0] == "wrong"
    verdict, rule, detail = verdicts[at]
    assert verdict == "ok" and rule is None and "back on track" in detail


def test_a_line_that_follows_only_the_mistake_is_not_back_on_track() -> None:
    """Carrying the mistake on is not called back on track."""
    verdicts = _judge(["2x + 3 = 7", "2x = 10", "x = 5"])
    assert "back on track" not in verdicts[2][2]


LONE = [
    pytest.param("(x+3)^2 = x^2 + 9", "square_of_sum", id="square-of-sum"),
    pytest.param("sqrt(x + 9) = sqrt(x) + 3", "sqrt_of_sum", id="root-of-sum"),
    pytest.param("2(x + 4) = 2x + 4", "distribute_first_term_only", id="distribute-first-only"),
]


@pytest.mark.parametrize(("line", "rule"), LONE)
def test_a_lone_first_line_holding_a_claim_is_judged(line: str, rule: str) -> None:
    """A first line that is a known mistake is wrong, with the rule kept in the data."""
    verdict, found, _ = _judge([line])[0]
    assert verdict == "wrong" and found == rule


def test_a_first_equation_is_still_the_one_to_solve() -> None:
    """An ordinary first equation is not judged by itself."""
    assert _judge(["2x + 1 = 2x + 5"])[0][0] == "none"
    assert _judge(["3x + 5 = 20"])[0][0] == "none"


COMPLEX = [
    pytest.param(["3x^2 + 4x + 5 = 1", "3x^2 + 4x + 6 = 0"], "wrong", id="constant-moved-wrong"),
    pytest.param(["3x^2 + 4x + 5 = 1", "3x^2 + 4x + 4 = 0"], "ok", id="constant-moved-right"),
    pytest.param(["x^2 + 1 = 0", "2x^2 + 2 = 0"], "ok", id="both-sides-doubled"),
    pytest.param(["(x^2 + 1)(x - 2) = 0", "x - 2 = 0"], "ok", id="factor-without-real-root"),
]


@pytest.mark.parametrize(("steps", "verdict"), COMPLEX)
def test_equations_without_real_roots_are_compared_over_the_complex_numbers(
    steps: list[str], verdict: str
) -> None:
    """The reals do not hide a changed equation when neither side has a real root."""
    assert _judge(steps)[1][0] == verdict


FEEDBACK = [
    pytest.param(["(x+3)^2", "x^2 + 9"], id="square"),
    pytest.param(["sqrt(x + 1)", "sqrt(x) + 1"], id="root"),
    pytest.param(["2(x + 4)", "2x + 4"], id="distribute"),
    pytest.param(["x^2 * x^3", "x^6"], id="exponents"),
]


@pytest.mark.parametrize("steps", FEEDBACK)
def test_feedback_is_written_for_a_student(steps: list[str]) -> None:
    """A whole-number example, exact values, the mistake in words and its id kept apart."""
    verdict, rule, detail = _judge(steps)[1]
    assert verdict == "wrong" and rule is not None
    assert re.search(r"Try [a-z] = -?\d+:", detail)
    assert not re.search(r"\d\.\d{4,}", detail), "no long decimals"
    assert rule not in detail
    label = next(m.label for m in RULES if m.name == rule)
    assert label in detail and label.endswith(".")
