# ruff: noqa: RUF001  (the prose is written with the signs people use)
"""Correct tutor prose is never called wrong; the errors next to each case still are.

Each row is a way a correct explanation is written (subscripts, several roots, a formula at
another input, unit changes, stand-ins for pi) that the checker once read as a false claim.
"""

from __future__ import annotations

import pytest

from tutor.checker.steps import judge_steps


def wrong_steps(steps: list[str]) -> list[int]:
    return [r.index for r in judge_steps(steps, "model") if r.verdict == "wrong"]


@pytest.mark.parametrize(
    "steps",
    [
        ["\\(9\\pi \\approx 9 \\times 3.14 = 28.26\\)"],
        ["Using \\(\\pi \\approx \\frac{22}{7}\\), the circumference is 44 cm."],
        ["2^30 ≈ 1.07 × 10^9"],
        ["\\(3\\sqrt{2} = 3 \\times 1.414 = 4.242\\)"],
        ["\\(2\\pi (5) = 2 \\times 3.14 \\times 5 = 31.4\\)"],
        ["1000 × 1.05³ = 1000 × 1.158 = 1158 (rounded)"],
        ["\\(x_1 = \\frac{12}{2} = 6\\) and \\(x_2 = \\frac{-4}{2} = -2\\)"],
        ["\\(a_{10} = 3 + 9 \\times 2 = 21\\)"],
        ["\\(5 \\text{ m} = 500 \\text{ cm}\\)"],
        ["\\(1\\text{ hr } 30\\text{ min} = 90\\text{ min}\\)"],
        ["12 × 3 = 36 inches = 3 feet"],
        ["1/4 hour = 15 minutes"],
        ["3 dozen - 10 = 26"],
        ["165/60 = 2.75 hours = 2 hours 45 minutes"],
        ["$1.00 - $0.35 = $0.65 = 65 cents"],
        ["\\(2\\frac{1}{2} = \\frac{5}{2}\\)"],
        ["Roots: x = 1/2 and x = -3."],
        ["\\(x = \\frac{-1 + 5}{4} = 1\\) and \\(x = \\frac{-1 - 5}{4} = -\\frac{3}{2}\\)"],
        ["\\(x - 3 = 5\\) or \\(x - 3 = -5\\)", "\\(x = 8\\)", "\\(x = -2\\)"],
        ["Part (a): 2x + 4 = 10, so x = 3.", "Part (b): 5x = 20, so x = 4."],
        ["After 1 year: \\(A = 1000(1.05) = 1050\\)", "After 2 years: \\(A = 1102.50\\)"],
        ["P(red) = 3/8", "P(blue) = 5/8"],
        ["f(2) = 2(2) + 1 = 5 and f(3) = 2(3) + 1 = 7."],
        ["Use A = 1/2 bh.", "A = 1/2 × 8 × 5 = 20"],
        ["√(x + 3) = 5", "x + 3 = 25"],
        ["\\(2x - 1 = 0\\) gives \\(x = 0.5\\); \\(x + 3 = 0\\) gives \\(x = -3\\)."],
        ["x + 3 = 7", "If x = 5, then x + 3 = 8."],
        ["\\(\\log 100 = 2\\)"],
        ["\\(12:16 = 3:4\\)"],
        ["3-4 hours × 2 = 6-8 hours"],
        ["23 ÷ 5 = 4 R 3"],
        ["(-2)^2 = 4 but -2^2 = -4"],
        ["Day 1 - 5 + 3 = 8"],
        ["Simplify \\(5(x + 4) - 6(x - 2)\\).", "Distribute: \\(5x + 20 - 6x + 12\\)."],
        ["Subtract 2: \\( -4x \\le 8 \\).", "Divide by \\(-4\\) and flip: \\( x \\ge -2 \\)."],
        ["Case 1: \\(x > 3\\).", "Case 2: \\(x < -1\\)."],
        ["So \\(x > 2\\).", "So \\(x < 5\\) as well."],
    ],
)
def test_correct_prose_is_not_called_wrong(steps: list[str]) -> None:
    assert wrong_steps(steps) == []


@pytest.mark.parametrize(
    ("steps", "wrong"),
    [
        (["\\(9\\pi \\approx 9 \\times 3.14 = 28.36\\)"], [0]),  # the product is off
        (["\\(\\pi \\approx 3\\)", "\\(9 \\times 3.14 = 28.36\\)"], [1]),
        (["\\(2\\frac{1}{2} = \\frac{3}{2}\\)"], [0]),
        (["3 dozen - 10 = 25"], [0]),
        (["12 × 3 = 38 inches"], [0]),
        (["We get 0.99B + 1.01B + B = 4500. Combine like terms: 3.01B = 4500."], [0]),
        (["\\[ S = 165 \\times \\frac{6}{11} \\] \\[ S = 9 \\times 6 \\]"], [0]),
        (["2x + 4 = 10, so x = 4."], [0]),
        (["\\(x_1 = 6\\). So 6 + 6 = 13."], [0]),
        (["So the total is 9 \\times 18 = 172 apples."], [0]),  # LaTeX outside math
        (["Simplify \\(5(x + 4) - 6(x - 2)\\).", "Distribute: \\(5x + 4 - 6x + 12\\)."], [1]),
        (["Subtract 2: \\( -4x \\le 8 \\).", "Divide by \\(-4\\): \\( x \\le -2 \\)."], [1]),
    ],
)
def test_the_errors_beside_them_are_still_caught(steps: list[str], wrong: list[int]) -> None:
    assert wrong_steps(steps) == wrong
