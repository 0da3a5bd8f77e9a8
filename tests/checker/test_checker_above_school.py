"""Model prose above school arithmetic: the kinds of false alarm and missed error in issue 14."""

from __future__ import annotations

import pytest

from tutor.checker.steps import judge_steps


def _verdicts(steps: list[str]) -> list[str]:
    return [r.verdict for r in judge_steps(steps, "model")]


# Correct prose that used to be called wrong, one row per kind (and more of the same kind).
CORRECT = [
    # function notation is not a product
    pytest.param(["\\(f(0) = (3/7)^0 = 1\\)"], id="function-value"),
    pytest.param(["So \\(h(6) = 2(6) + 3 = 15\\)."], id="function-value-then-arithmetic"),
    pytest.param(["We have \\(f(f(f(1))) = f(4)\\)."], id="nested-function-values"),
    pytest.param(["\\(2f(0) + 1/2 = 0\\), so \\(f(0) = -1/4\\)."], id="function-value-unknown"),
    pytest.param(["\\(f''(4) = 6 \\cdot 4 - 18 = 6 > 0\\)"], id="derivative-value"),
    pytest.param(["\\[ P(5, 3) = \\frac{5!}{2!} = 60 \\]"], id="function-of-two-arguments"),
    pytest.param(["\\(\\theta = \\tan^{-1}(-1) = \\frac{3\\pi}{4}\\)"], id="inverse-trig-angle"),
    # several letters multiplied; no term dropped
    pytest.param(["\\(2(lw + lh + wh) = 52\\)"], id="multi-letter-product"),
    pytest.param(["\\(7(49 - 3ab) = 42\\)"], id="letters-in-brackets"),
    pytest.param(["\\(4^2 = 2^2 + 3^2 - 2 \\cdot 2 \\cdot 3 \\cos C\\)"], id="term-with-function"),
    pytest.param(["\\(3 + 2(\\cos a \\cos b + 1) = 7\\)"], id="sum-of-function-products"),
    pytest.param(
        ["\\(6 = 2 \\cdot 5 \\sin\\left(\\frac{t}{2}\\right) \\implies 6 = 10 \\sin(t/2)\\)"],
        id="side-goes-on-with-a-function",
    ),
    pytest.param(
        ["\\[ 17^2 = 8^2 + \\left( \\frac{s\\sqrt{2}}{2} \\right)^2 \\]"], id="root-after-letter"
    ),
    # a quotient with a remainder
    pytest.param(["\\(410 \\div 333 = 1\\) remainder 77"], id="quotient-remainder"),
    pytest.param(["\\(2250 \\div 360 = 6\\) full turns, with 90 left."], id="quotient-full-turns"),
    pytest.param(["\\(-161 \\div 13 = -12 \\text{ remainder } -5\\)"], id="negative-quotient"),
    # repeating decimals
    pytest.param(["\\(0.\\overline{6} = \\frac{2}{3}\\)"], id="repeating-decimal"),
    pytest.param(["So 1000x - x = 1234.234... - 1.234... = 1233"], id="decimal-that-goes-on"),
    # a value that holds only inside a case, trial or supposition
    pytest.param(
        ["Let \\(c = 2\\).", "If \\(c = -\\sqrt{3}\\): \\(a = 2c = -2\\sqrt{3}\\)"], id="case-value"
    ),
    pytest.param(["For \\(n = 6\\).", "\\(n = 5\\): \\(n(n+1) = 30\\)"], id="trial-value"),
    pytest.param(
        ["If \\(x = 5\\), the area is 55.", "Case 2: \\(0 \\le x < \\sqrt{3}/2\\)"],
        id="case-range",
    ),
    pytest.param(["For \\(-5 < x < 5\\), \\(x = 5\\) is excluded."], id="range-and-value"),
    pytest.param(
        ["If \\(y = 0\\), then \\(x = 10\\). If \\(y = 1\\), then \\(x = 8\\)."],
        id="values-tried-in-turn",
    ),
    pytest.param(["Graph i: \\( v = 9 \\), \\( e = 16 \\), \\( f = 9 \\)"], id="letter-e"),
    pytest.param(["Let \\( e = 3 \\). Then \\( 3^6 \\le n < 4^6 \\)."], id="letter-e-assigned"),
    # unit changes inside a chain
    pytest.param(
        ["\\(6 \\text{ inches} = \\frac{6}{12} \\text{ feet} = 0.5 \\text{ feet}\\)"],
        id="unit-change-chain",
    ),
    pytest.param(["\\(1 \\text{ ft} = 12 \\text{ in}\\)"], id="unit-fact"),
    # implication chains are statements, not one equation
    pytest.param(["\\[ s^2 = 4 \\implies s = 2 \\]"], id="implication-chain"),
    pytest.param(
        ["\\[ \\frac{1}{4} \\sin^2 2x = \\frac{3}{16} \\implies \\sin^2 2x = \\frac{3}{4} \\]"],
        id="implication-with-trig",
    ),
    # % as an operator, and rounding shown without a sign
    pytest.param(["\\(17 \\% 5 = 2\\)"], id="percent-as-remainder"),
    pytest.param(["\\((2.8284)^2 = 8\\)"], id="rounded-decimal-input"),
    # a relation the prose itself says fails
    pytest.param(["\\[ 2 + \\sqrt{1} = 1 \\] (False)"], id="stated-false"),
    pytest.param(
        ["If \\( a = 0 \\): \\[ 0 \\cdot b = 2014 \\] This is a contradiction."], id="contradiction"
    ),
    # a bullet is not a minus sign
    pytest.param(
        ["Fourth term: - \\(n = 13 + 1 = 14\\) - Fourth term: \\(13 + 14 + 1 = 28\\)"], id="bullet"
    ),
    # a named value given twice for two different things
    pytest.param(
        ["- Jack: Probability = \\( \\frac{3}{4} \\)\n- Jill: Probability = \\( \\frac{1}{4} \\)"],
        id="same-name-two-lines",
    ),
    # values of a closed form are values, not computations left open
    pytest.param(["So \\( x = 10^{100} \\) and \\( x = 10^{0.01} \\)."], id="two-closed-values"),
    pytest.param(["\\(x_1 = \\frac{12}{2} = 6\\) and \\(x_2 = -2\\)"], id="indexed-roots"),
    pytest.param(["\\(a_{n+1} = 2a_n + 1\\), \\(a_1 = 3\\)"], id="recurrence"),
]


@pytest.mark.parametrize("steps", CORRECT)
def test_correct_prose_is_not_called_wrong(steps: list[str]) -> None:
    """Right work above school arithmetic gets no false alarm."""
    assert "wrong" not in _verdicts(steps)


# Errors that can be proven, with the step they are in.
WRONG = [
    pytest.param(["So she spends 3/4 x ($400 + $800) = $600."], 0, id="x-as-times-sign"),
    pytest.param(["Since 187 = 13 · 14, it is not prime."], 0, id="factorisation-in-words"),
    pytest.param(["Dividing, \\((25x + 150)/10 = 25x + 15\\)."], 0, id="cancelled-one-term"),
    pytest.param(["Combining, \\(64 + 32 + 23 - 0.32x = 129 - 0.32x\\)."], 0, id="constant-gap"),
    pytest.param(["2310 mod 42 = 18"], 0, id="mod-word"),
    pytest.param(["\\(2^{10} \\equiv 3 \\pmod{11}\\)"], 0, id="congruence"),
    pytest.param(["\\[ -2 + 4a + 8 = 0 \\implies 4a = -10 \\]"], 0, id="last-link-not-only"),
    pytest.param(["\\((2)^2 + (1)^2 + (\\sqrt{2})^2 \\neq 7\\)"], 0, id="not-equal-false"),
    pytest.param(["\\(h(6) = 2(6) + 3 = 16\\)"], 0, id="arithmetic-after-function-value"),
    pytest.param(["\\(0.971 \\times 1.089 = 1.056519\\)"], 0, id="worked-out-decimals"),
    pytest.param(["\\(\\gcd(216, 720) = 36\\)"], 0, id="gcd"),
    pytest.param(["\\(\\binom{5}{2} = 20\\)"], 0, id="binomial"),
    pytest.param(["So \\(a_2 = 2 \\cdot 3 + 1 = 8\\)."], 0, id="indexed-name"),
    pytest.param(["\\(\\log_{2} 8 = 4\\)"], 0, id="log-base"),
]


@pytest.mark.parametrize(("steps", "at"), WRONG)
def test_provable_errors_are_caught(steps: list[str], at: int) -> None:
    """A provable slip in prose is called wrong at its step."""
    assert _verdicts(steps)[at] == "wrong"


def test_value_from_let_carries_but_a_case_does_not() -> None:
    """A "Let x = 6" value holds for later steps; "If x = 6" only in its own step."""
    assert _verdicts(["Let \\(x = 6\\).", "\\(3x = 20 - 1 = 19\\)"])[1] == "wrong"
    assert _verdicts(["If \\(x = 6\\), fine.", "\\(3x = 20 - 1 = 19\\)"])[1] != "wrong"


REWRITES = [
    pytest.param(
        "\\(y = (3R + 1) + 3(C - 1) = 3R + 3C - 2\\)", False, id="letters-rewritten-right"
    ),
    pytest.param("\\(x^2 + 4x + 4 = (x + 2)^2 = x^2 + 2x + 4\\)", True, id="square-expanded-wrong"),
    pytest.param(
        "\\(a^2 + b^2 = (a+b)^2 - 2 \\cdot 2 = (a+b)^2 - 4\\)", False, id="relation-put-in"
    ),
    pytest.param("\\(3 - c^3 = 3 - (1 - 3c) = 2 + 3c\\)", False, id="root-relation-put-in"),
    pytest.param("\\(r^2 = (h - 2)^2 + k^2 = (h - 4)^2 + k^2\\)", False, id="condition-chain"),
    pytest.param("\\((1+i)^2 = 1 + 2i + i^2 = 1 + 2i - 1 = 2i\\)", False, id="imaginary-unit"),
    pytest.param("\\(10 \\sin(90^\\circ - a) = 10 \\cos a\\)", False, id="degrees"),
    pytest.param(
        "\\(\\frac{1}{\\sin 16^\\circ} = \\frac{2}{\\sin 8^\\circ + \\sin 16^\\circ}\\)",
        True,
        id="degree-values",
    ),
]


@pytest.mark.parametrize(("step", "wrong"), REWRITES)
def test_a_chain_rewrites_one_value(step: str, wrong: bool) -> None:
    """After a chain's first link, sides in the same letters must be the same value."""
    assert (_verdicts([step])[0] == "wrong") is wrong
