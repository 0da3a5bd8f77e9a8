"""When a step is wrong, the buggy rule that explains it is named."""

from __future__ import annotations

import pytest

from tutor.checker.misconceptions import RULES
from tutor.checker.steps import judge_steps


@pytest.mark.parametrize(
    ("previous", "wrong", "rule"),
    [
        ("2x + 3 = 7", "2x = 7 + 3", "sign_error_moving_term"),  # moved without sign change
        ("(x+1)^2", "x^2+1", "square_of_sum"),  # squares of the terms only
        ("3(x+2)", "3x+2", "distribute_first_term_only"),  # first term only
        ("-(x+2)", "-x+2", "dropped_negative"),  # minus not distributed
        ("sqrt(x^2+9)", "x+3", "sqrt_of_sum"),  # root of each term
        ("x^2*x^3", "x^6", "exponent_product"),  # multiplied the exponents
        ("1/2+1/3", "2/5", "add_fractions_across"),  # added tops and bottoms
        ("(x+3)/x", "3", "cancel_across_plus"),  # cancelled a term of a sum
        ("x^2 = 5x", "x = 5", "divide_by_variable"),  # divided by x
    ],
)
def test_it_names_the_misconception(previous: str, wrong: str, rule: str) -> None:
    """The wrong step is flagged and explained by the matching rule."""
    result = list(judge_steps([previous, wrong], "student"))[-1]
    assert result.verdict == "wrong"
    assert result.rule == rule


def test_rules_are_a_table_of_named_entries() -> None:
    """The rules are frozen entries with a name, a label and a rewrite function."""
    names = [r.name for r in RULES]
    assert len(names) == len(set(names)) >= 9
    assert all(r.label and callable(r.rewrite) for r in RULES)


def test_a_right_step_gets_no_rule() -> None:
    """No misconception is named on a correct step."""
    result = list(judge_steps(["(x+1)^2", "x^2+2x+1"], "student"))[-1]
    assert result.verdict == "ok" and result.rule is None
