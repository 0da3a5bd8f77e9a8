"""Problem templates: parameters read by our own grammar, seeded draws, values filled in."""

from __future__ import annotations

import pytest
import sympy as sp

from tutor.checker import TemplateError, make_variants, seed_for
from tutor.checker.variants import fill, parse_rules, variant

LINEAR = "a in 2..9\nb in -9..9\nk in -5..5\nc = a*k + b\nrequire c != 0"


def test_the_same_seed_gives_the_same_variant_and_others_differ() -> None:
    seeds = [seed_for(7, 3, n) for n in range(20)]
    first = [variant(LINEAR, "Solve {a}x + {b} = {c}", "x = {k}", s) for s in seeds]
    again = [variant(LINEAR, "Solve {a}x + {b} = {c}", "x = {k}", s) for s in seeds]
    assert first == again
    assert len({v.statement for v in first}) > 10


def test_every_variant_meets_its_conditions_and_its_key_solves_it() -> None:
    x = sp.Symbol("x")
    for n in range(50):
        made = variant(LINEAR, "{a}x + {b} = {c}", "x = {(c - b)/a}", seed_for("t", n))
        a, b, c, k = (sp.Rational(made.values[name]) for name in "abck")
        assert 2 <= a <= 9 and -9 <= b <= 9 and -5 <= k <= 5 and c == a * k + b != 0
        assert sp.solve(a * x + b - c, x) == [k]
        assert made.key == f"x = {k}"


def test_signs_read_naturally_and_latex_braces_are_kept() -> None:
    values = {"a": sp.Integer(3), "b": sp.Integer(-4), "h": sp.Rational(1, 2)}
    assert fill("{a}x + {b} = 5", values) == "3x - 4 = 5"
    assert fill("{a}x - {b} = 5", values) == "3x + 4 = 5"
    assert fill(r"$\frac{a}{2} + \sqrt{x}$ and {h}", values) == r"$\frac{3}{2} + \sqrt{x}$ and 1/2"
    assert fill("{q} and {2}", values) == "{q} and {2}"  # not parameters: left as written


@pytest.mark.parametrize(
    ("spec", "why"),
    [
        ("a in 9..2", "range from low to high"),
        ("a = b + 1", "before it is given"),
        ("a in 1..3\nrequire a > 5", "no values met every condition"),
        ("a in [1, x]", "whole numbers"),
        ("__import__('os')", "cannot read"),
        ("a in 1..3\na in 1..3", "given twice"),
        ("", "at least one parameter"),
    ],
)
def test_a_template_that_cannot_work_says_why(spec: str, why: str) -> None:
    with pytest.raises(TemplateError, match=why):
        variant(spec, "s {a}", "x = {a}", 1)


def test_a_division_by_zero_is_drawn_again_not_shown() -> None:
    spec = "a in -1..1\nc = 6/a"
    for n in range(30):
        made = variant(spec, "{c}", "{c}", seed_for(n))
        assert made.values["a"] != "0" and "zoo" not in made.statement


def test_no_expression_reaches_eval() -> None:
    # Our grammar reads only arithmetic: a call of anything else is refused, never run.
    with pytest.raises(TemplateError):
        parse_rules("c = exec(1)")


def test_variants_are_made_in_the_pool_and_unreadable_keys_refused() -> None:
    made = make_variants(LINEAR, "Solve {a}x + {b} = {c}", "x = {k}", [1, 2, 3])
    assert len(made) == 3 and all("{" not in v.statement for v in made)
    with pytest.raises(TemplateError, match="key"):
        make_variants("a in 1..3", "s", "x = {a} ^^", [1])
