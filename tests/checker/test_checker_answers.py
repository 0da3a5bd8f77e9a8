"""Answer equivalence against a key."""

from __future__ import annotations

import pytest

from tutor.checker.answers import judge_answer


@pytest.mark.parametrize(
    ("answer", "key", "expected"),
    [
        ("0.5", "1/2", True),  # decimal and fraction
        ("3/6", "1/2", True),  # unreduced fraction
        ("0.33", "1/3", True),  # rounded decimal
        ("0.4", "1/3", False),  # not a rounding
        ("50%", "0.5", True),  # percentage
        ("$18", "18", True),  # currency
        ("12 apples", "12", True),  # unit word
        ("1,000", "1000", True),  # thousands separator
        ("2(x+3)", "2x+6", True),  # expression
        ("x^2+1", "(x+1)^2", False),  # not equal
        ("x = 3", "3", True),  # the variable written out
        ("y = 1 - x", "x + y = 1", True),  # equation
        ("x=1 or x=-3", "{1,-3}", True),  # solution set
        ("x=1, x=-3", "x = -3 or x = 1", True),  # solution set, other order
        ("x = 1 and x = -3", "{1, -3}", True),  # solutions listed with "and"
        ("x = 1 and x = 3", "{1, -3}", False),
        ("{1, 2}", "{1, 2, 3}", False),  # missing element
        ("(1, 3]", "1 < x <= 3", True),  # interval and inequality
        ("[1, 3]", "(1, 3]", False),  # endpoint
        ("B", "b", True),  # multiple choice
        ("(b)", "B", True),  # letter in brackets
        ("C", "B", False),  # other letter
        ("\\boxed{42}", "42", True),  # boxed
        ("", "1", None),  # empty
        ("1/0", "1", None),  # undefined
    ],
)
def test_answers(answer: str, key: str, expected: bool | None) -> None:
    """Equivalent forms are accepted, different values are not, unreadable is undecided."""
    assert judge_answer(answer, key).equivalent is expected


@pytest.mark.parametrize(
    ("answer", "key", "expected"),
    [
        # Percentages only when a side is written with %.
        ("25%", "25", True),
        ("25", "25%", True),  # the key written with %
        ("150", "150%", True),
        ("100", "1", False),  # no percent sign anywhere
        ("25", "1/4", False),
        ("33%", "1/3", True),  # rounded to a whole percent
        ("34%", "1/3", False),
        # A decimal answer is the key rounded to nearest, not cut off (unless no decimal writes
        # the key exactly, as with 2/3).
        ("0.2", "0.19", True),
        ("0.1", "0.19", False),
        ("3.0", "2.99", True),
        ("2.9", "2.99", False),
        ("0.67", "2/3", True),
        ("0.66", "2/3", True),  # cut off: no decimal writes 2/3 exactly
        ("0.14", "1/7", True),
        ("0.15", "1/7", False),
        ("1½", "3/2", True),  # mixed numbers with a fraction sign
        ("2 ¾", "11/4", True),
        ("12½", "25/2", True),
        ("πr^2", "pi r^2", True),
        ("2πr", "2 pi r", True),
        ("50 per cent", "0.5", True),
        ("50 percent", "1/2", True),
        ("So x = 5", "5", True),
        ("about 12", "12", True),
        ("approximately 0.33", "1/3", True),
        ("5 yrs", "5", True),
        ("8 pcs", "8", True),
        ("one half", "1/2", None),  # numbers in words are left undecided, never misread
        ("seventy-two", "72", None),
        ("0.13", "1/8", True),  # a tie rounds away from zero
        ("0.12", "1/8", False),
        # A rounded key and an exact answer.
        ("1/3", "0.33", True),
        ("2/3", "0.67", True),
        ("pi", "3.14", True),
        ("1/2", "0.33", False),
        ("sqrt(10)", "3.14", False),
        ("0.334", "0.33", None),  # more decimals than the key: may or may not be right
        # var = value on both sides, and the variable on the right.
        ("x = 0.33", "x = 1/3", True),
        ("x = 0.4", "x = 1/3", False),
        ("5 = x", "5", True),
        ("6 = x", "5", False),
        ("x is 5", "5", True),
        ("x is 6", "5", False),
        # ≈ and ~ read as = with rounding.
        ("x ≈ 3", "x = 3", True),
        ("x ~ 3", "x = 3", True),
        ("x ≈ 4", "x = 3", False),
        ("x ≈ 12", "12", True),
        ("x ≈ 2.33", "7/3", True),
        ("x ≈ 2.5", "7/3", False),
        ("x \\approx 2.33", "7/3", True),
        # ± as two values.
        ("x = ±3", "{3, -3}", True),
        ("x = \\pm 3", "x = 3 or x = -3", True),
        ("±3", "{3,-3}", True),
        ("x = ±3", "{3}", False),
        ("±3", "3", False),
        # Ordered pairs.
        ("(4, 2)", "(3, 1)", False),  # not an interval: a left end larger than the right
        ("(4, 2)", "(4, 2)", True),
        ("(2, 3)", "x=2, y=3", True),
        ("(2, 3)", "x = 2 and y = 3", True),
        ("(3, 2)", "x=2, y=3", False),
        ("(2,3)", "(2,3)", True),
        ("(2, 3)", "y = 3, x = 2", True),  # variables in alphabetical order
        ("(1, 2, 3)", "x=1, y=2, z=3", True),
        ("(1, 2, 3)", "(1, 2)", False),
        # LaTeX sets and repeating decimals.
        ("\\{1, 2\\}", "{1, 2}", True),
        ("\\{1, 2\\}", "(1, 2)", False),
        ("\\left\\{1, 2\\right\\}", "{2, 1}", True),
        ("\\{1, 2\\}", "{1, 3}", False),
        ("0.\\overline{3}", "1/3", True),
        ("0.\\overline{3}", "0", False),
        ("0.1\\overline{6}", "1/6", True),
        ("0.1\\overline{6}", "1/3", False),
        # Infinity and unions.
        ("(3, ∞)", "x > 3", True),
        ("[3, ∞)", "x > 3", False),
        ("(-∞, 2]", "x <= 2", True),
        ("(-∞, 2)", "x <= 2", False),
        ("(3, +∞)", "x > 3", True),
        ("(3, \\infty)", "x > 3", True),
        ("(3, oo)", "x > 3", True),
        ("(3, inf)", "x > 3", True),
        ("(-∞, 1) ∪ (3, ∞)", "x < 1 or x > 3", True),  # noqa: RUF001
        ("(-∞, 1) U (3, ∞)", "x < 1 or x > 3", True),
        ("(-\\infty, 1) \\cup (3, \\infty)", "x < 1 or x > 3", True),
        ("(-∞, 1] ∪ (3, ∞)", "x < 1 or x > 3", False),  # noqa: RUF001
        ("{1} ∪ [2, 3]", "x = 1 or 2 <= x <= 3", True),  # noqa: RUF001
        # The empty set and all real numbers.
        ("no solution", "∅", True),
        ("No solution", "none", True),
        ("\\emptyset", "{}", True),
        ("\\{\\}", "no solution", True),
        ("no solution", "x^2 + 1 = 0", True),
        ("no solution", "{1}", False),
        ("none", "5", False),
        ("∅", "x = 2", False),
        ("all real numbers", "ℝ", True),  # noqa: RUF001
        ("R", "(-∞, ∞)", True),
        ("(-inf, inf)", "all real numbers", True),
        ("\\mathbb{R}", "x^2 >= 0", True),
        ("all real numbers", "x > 0", False),
        ("R", "no solution", False),
        # Chains read as intersections.
        ("1<x<3", "1<x<3", True),
        ("1<x<3", "(1, 3)", True),
        ("1<=x<3", "[1,3)", True),
        ("1<x<3", "[1,3)", False),
        ("1 < x < 3", "x > 1", False),
        ("-1 < x < 0 or x > 1", "x^3 > x", True),
        ("-1 < x < 0 or x > 2", "x^3 > x", False),
        ("x<2 nounand x>-2", "x^2 < 4", None),  # a dropped word inside a chain
        # Root lists.
        ("x=-2,3", "{-2, 3}", True),
        ("x = -2, 3", "{-2, 3}", True),
        ("x = -2, 4", "{-2, 3}", False),
        ("x=1,5", "1.5", None),  # a decimal comma, perhaps
        ("x=1,000", "1000", True),  # a thousands separator
        ("3 and -3", "{3,-3}", True),
        ("3 and 3", "{3,-3}", False),
        ("4 blue boxes and 6 red boxes", "10", None),  # words: not a list of answers
        # Units and multipliers against a number key.
        ("5 m", "5", True),
        ("5m", "5", True),
        ("60 km/h", "60", True),
        ("12 cm^2", "12", True),
        ("12 cm²", "12", True),
        ("30°", "30", True),
        ("30^\\circ", "30", True),
        ("€5", "5", True),
        ("£5", "5", True),
        ("5 kg", "5", True),
        ("6 m", "5", False),
        ("5x", "5", False),  # an expression, not a unit
        ("5", "5 m", True),  # the unit only on the key
        ("9.81 m/s", "9.81 m/s^2", False),  # different units are kept
        ("1.5 million", "1500000", True),
        ("2 thousand", "2000", True),
        ("1.5 million", "1.5", False),
        ("1.5 million", "1.5 million", True),
        # Scientific notation, spaced thousands, braces, TeX delimiters.
        ("1e3", "1000", True),
        ("1e3", "999", False),
        ("1.2 x 10^3", "1200", True),
        ("1.2 × 10^3", "1200", True),  # noqa: RUF001
        ("1.2*10^3", "1200", True),
        ("1.2 x 10^3", "1300", False),
        ("3 000", "3000", True),
        ("3 000", "300", False),
        ("x^{2}", "x^2", True),
        ("x^{3}", "x^2", False),
        ("\\(5\\)", "5", True),
        ("\\[5\\]", "5", True),
        ("$5$", "5", True),
        ("\\(6\\)", "5", False),
        # Multiple-choice letters.
        ("Option B", "B", True),
        ("choice B", "B", True),
        ("\\text{B}", "B", True),
        ("(B)", "B", True),
        ("B)", "B", True),
        ("Option C", "B", False),
        ("\\text{C}", "B", False),
        # Identical text that the grammar cannot read.
        ("2:30", "2:30", True),
        (" 2:30 ", "2:30", True),
        ("2:30", "2:45", None),
    ],
)
def test_answer_readings(answer: str, key: str, expected: bool | None) -> None:
    """The readings a review asked for, each with a nearby case that must not be accepted."""
    assert judge_answer(answer, key).equivalent is expected


@pytest.mark.parametrize(
    ("answer", "key", "expected"),
    [
        ("0.33", "1/3", False),  # exact decimals
        ("(x-2)^2=0", "x=2", False),  # multiplicity counts
        ("x^2=4", "x=2 or x=-2", True),  # same roots, same multiplicity
        ("1", "x=1", False),  # an equation is not a number
        ("(4, 2)", "(3, 1)", False),  # ordered pairs, not two empty intervals
        ("(4, 2)", "(4, 2)", True),
        ("1<x<3", "1<x<3", True),  # a chain keeps its middle term
        ("1<x<3", "1<x<4", False),
        ("x = 0.33", "x = 1/3", False),  # no rounding
        ("25", "25%", False),  # no percent leniency
        ("x ~ 3", "x = 3", None),  # approximate: not a CAS relation
    ],
)
def test_strict_answers(answer: str, key: str, expected: bool) -> None:
    """The strict (CAS) reading used for the STACK comparison."""
    assert judge_answer(answer, key, strict=True).equivalent is expected
