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
        ("0.33", "1/3", False),  # exact decimals
        ("(x-2)^2=0", "x=2", False),  # multiplicity counts
        ("x^2=4", "x=2 or x=-2", True),  # same roots, same multiplicity
        ("1", "x=1", False),  # an equation is not a number
    ],
)
def test_strict_answers(answer: str, key: str, expected: bool) -> None:
    """The strict (CAS) reading used for the STACK comparison."""
    assert judge_answer(answer, key, strict=True).equivalent is expected
