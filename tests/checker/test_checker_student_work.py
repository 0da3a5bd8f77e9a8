# ruff: noqa: RUF001  (students type the signs they see)
"""A student's correct work is never called wrong; the mistakes beside it still are.

Students do not write one chain of equivalent equations. They write systems one equation per
line, put values into formulas, list roots and cases one per line, round, and add words.
"""

from __future__ import annotations

import pytest

from tutor.checker.steps import judge_steps


def verdicts(steps: list[str]) -> list[str]:
    return [r.verdict for r in judge_steps(steps, "student")]


@pytest.mark.parametrize(
    "steps",
    [
        ["x + y = 10", "x - y = 2", "2x = 12", "x = 6", "y = 4"],  # a system
        ["y = x + 1", "y = 2x - 3", "x + 1 = 2x - 3", "x = 4", "y = 5"],
        ["-1 < 2x + 3", "2x + 3 < 9"],  # two conditions
        ["A = π r^2", "A = π × 3^2", "A = 9π"],  # a formula with a value put in
        ["y = 2x + 1", "0 = 2x + 1", "x = -1/2"],
        ["f(x) = 2x + 3", "f(2) = 2(2) + 3", "f(2) = 7"],
        ["x = 3", "y = 2x", "y = 6"],
        ["x^2 = 9", "x = 3", "x = -3"],  # roots one per line
        ["(x - 2)(x - 3) = 0", "x - 2 = 0", "x = 2", "x - 3 = 0", "x = 3"],  # cases
        ["|x - 3| = 5", "x - 3 = 5", "x = 8", "x - 3 = -5", "x = -2"],
        ["c² = 6² + 8²", "c² = 100", "c = 10"],  # the positive root of a length
        ["x^2 = 2", "x = √2 or x = -√2", "x ≈ 1.41 or x ≈ -1.41"],
        ["3x = 1", "x = 0.33"],  # rounded
        ["3x = 1", "x = 1/3 = 0.33"],
        ["3x = 7", "x ≈ 2.33"],
        ["x^2 = 2", "x = ±1.41"],
        ["x^2 - 7x + 10 = 0", "x = 2 or 5"],  # the "or" shorthand
        ["3/4 ÷ 1/2 = 3/2"],  # fractions typed with slashes
        ["5/6 ÷ 2/3", "= 5/6 × 3/2", "= 5/4"],
        ["x ÷ 1/2 = 10", "2x = 10", "x = 5"],
        ["2x + 6 = 10", "2x = 4 (subtract 6)", "x = 2"],  # notes beside a step
        ["3x - 4 = 11", "3x = 15 (+4)"],
        ["3x - 4 = 11", "we get 3x = 15", "x = 5"],  # words around the math
        ["2x + 3 = 11", "2x=8 so x=4"],
        ["3x + 2x", "add like terms", "= 5x"],
        ["3 × 4 + 2", "= 14", "the answer is 14"],
        ["3 × 4 + 2", "= 12 + 2", "= 14", "so it is 14"],
        ["5 squared = 25"],  # operation words
        ["20 percent of 50 = 10"],
        ["50 + 10% = 55"],
        ["3 feet = 36 inches"],  # units change
        ["1 hour + 30 minutes = 90 minutes"],
        ["$3 + 50 cents = $3.50"],
        ["x√2 = 4"],
        ["2πr = 10π", "r = 5"],
        ["log 1000 = 3"],  # log is base 10 in school
        ["log(x) = 2", "x = 10^2", "x = 100"],
        ["sin(30) = 1/2"],  # degrees
        ["(-8)^(1/3) = -2"],  # the real cube root
        ["2x + 1 = 2x + 5", "1 = 5"],  # no solution
        ["2 < x + 1 < 5", "x > 1", "x < 4"],  # a chain split in two
        ["2x^2 + 3x - 2 = 0", "x = (-3 ± √(3² - 4·2·(-2)))/2·2", "x = (-3 ± 5)/4"],
    ],
)
def test_correct_work_is_not_called_wrong(steps: list[str]) -> None:
    assert "wrong" not in verdicts(steps)


@pytest.mark.parametrize(
    ("steps", "wrong"),
    [
        (["2x + 3 = 7", "2x = 10"], 1),  # sign error
        (["-2x < 4", "x < -2"], 1),  # forgot to flip
        (["x^2 = 9", "x = 3", "x = 4"], 2),  # not a root
        (["x^2 = 9", "x = 4"], 1),
        (["x^2 = 3x", "x = 3"], 1),  # divided by a variable that can be zero
        (["x + y = 1", "y = 1 + x"], 1),  # isolating with a sign error
        (["2x < 8", "x < 3"], 1),  # a stronger inequality is not a case
        (["3x = 1", "x = 0.4"], 1),  # not a rounding of 1/3
        (["x^2 - 7x + 10 = 0", "x = 2 or 6"], 1),
        (["(x - 2)(x - 3) = 0", "x - 2 = 0", "x = 2", "x - 4 = 0"], 3),
        (["x = 5", "2x + 1 = 12"], 1),
        (["2x + 6 = 10", "2x = 5 (subtract 6)"], 1),
        (["2x + 3 = 11", "2x=8 so x=5"], 1),
        (["50 + 10% = 60"], 0),
        (["3 feet = 36 feet"], 0),
        (["log 1000 = 4"], 0),
        (["sin(30) = 1/3"], 0),
        (["3/4 ÷ 1/2 = 3/8"], 0),
    ],
)
def test_the_mistakes_beside_them_are_still_caught(steps: list[str], wrong: int) -> None:
    assert verdicts(steps)[wrong] == "wrong"
