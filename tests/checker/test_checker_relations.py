"""Relations between steps and inside one step: what is ok, weaker and (provably) wrong."""

from __future__ import annotations

import pytest

from tutor.checker.steps import judge_steps


def verdicts(steps: list[str], source: str = "student") -> list[str]:
    return [r.verdict for r in judge_steps(steps, source)]


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (["2(x+3)", "2x+6"], "ok"),  # distributing
        (["(x+1)^2", "x^2+2x+1"], "ok"),  # expanding a square
        (["2(x+3)", "2x+3"], "wrong"),  # first term only
        (["x^2-9", "(x-3)(x+3)"], "ok"),  # factoring
        (["sqrt(x^2)", "x"], "wrong"),  # |x| is not x
    ],
)
def test_expression_to_expression(steps: list[str], expected: str) -> None:
    """Consecutive expressions must be equal everywhere they are defined."""
    assert verdicts(steps)[-1] == expected


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ("18-6=12", "ok"),  # plain arithmetic
        ("18-6=13", "wrong"),  # off by one
        ("4(3) = 12", "ok"),  # implicit product
        ("3 1/2 + 1/2 = 4", "ok"),  # mixed number
        ("1,000 + 500 = 1,500", "ok"),  # thousands separators
        ("50% of 80 = 40", "ok"),  # percent of
        ("75/55 = 1.36", "ok"),  # rounded to two places
        ("75/55 = 1.4", "ok"),  # rounded to one place
        ("75/55 = 1.5", "wrong"),  # not a rounding
        ("75/55 ≈ 1.4", "ok"),  # approximately
        ("2 + 3 = 5 = 10/2", "ok"),  # chain
        ("2 + 3 = 5 = 11/2", "wrong"),  # chain with a false link
        ("3 < 5", "ok"),  # numeric inequality
        ("5 < 3", "wrong"),  # false inequality
    ],
)
def test_arithmetic_claims(step: str, expected: str) -> None:
    """An arithmetic claim is checked exactly, with stated rounding tolerated."""
    assert verdicts([step])[0] == expected


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (["2x+3=7", "2x=4"], "ok"),  # subtract on both sides
        (["2x+3=7", "2x=10"], "wrong"),  # sign error
        (["2x=4", "x=2"], "ok"),  # divide by a constant
        (["x-2=0", "x^2=4"], "weaker"),  # squaring only implies
        (["x^2=3x", "x=3"], "wrong"),  # a solution lost
        (["x^2=9", "x=3", "x=-3"], "ok"),  # second root on its own line
        (["x^2=9", "x=3", "x=4"], "wrong"),  # a value that does not solve it
        (["x^2-5x+6=0", "(x-2)(x-3)=0", "x=2 or x=3"], "ok"),  # solution set
        (["3x^2+4x+5=1", "x=(-4±sqrt(16-48))/6"], "ok"),  # quadratic formula, no real roots
        (["x+y=1", "y=1-x"], "ok"),  # two unknowns
        (["x+y=1", "y=1+x"], "wrong"),  # two unknowns, wrong
    ],
)
def test_equation_to_equation(steps: list[str], expected: str) -> None:
    """Equations compare by solution set, with a counterexample when wrong."""
    assert verdicts(steps)[-1] == expected


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (["-2x<4", "x>-2"], "ok"),  # flipped when dividing by a negative
        (["-2x<4", "x<-2"], "wrong"),  # forgot to flip
        (["x+3>5", "x>2"], "ok"),  # subtract
        (["x^2>4", "x>2"], "ok"),  # one branch, as roots are listed one per line
        (["x^2>4", "x>2", "x<-2"], "ok"),
        (["x^2>4", "x>3"], "wrong"),  # not a branch of it
        (["2x <= 6", "x <= 3"], "ok"),  # non-strict
    ],
)
def test_inequalities(steps: list[str], expected: str) -> None:
    """Inequalities compare by solution set, including the sign flip."""
    assert verdicts(steps)[-1] == expected


def test_wrong_comes_with_a_counterexample() -> None:
    """A wrong equation step names a value that satisfies one step and not the other."""
    result = list(judge_steps(["2x+3=7", "2x=10"], "student"))[-1]
    assert result.counterexample == "x = 2"


def test_known_values_are_carried_forward() -> None:
    """After x = 5, a later use of x is checked with that value."""
    assert verdicts(["x = 5", "2x + 1 = 11"])[-1] == "ok"
    assert verdicts(["x = 5", "2x + 1 = 12"])[-1] == "wrong"


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ("So, they have \\(18 - 6 = 12\\) flamingos left.", "ok"),  # inline LaTeX
        ("\\(1/3 \\times 18 = 6\\) flamingos", "ok"),  # times
        ("In total $12 + 6 = 18$ birds", "ok"),  # dollar math
        ("18 - 6 = 12 flamingos", "ok"),  # plain prose
        ("18 - 6 = 13 flamingos", "wrong"),  # plain prose, wrong
        ("Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day.", "ok"),  # calculator note
        ("half of 10 = 5", "none"),  # not a claim that 10 = 5
        ("It costs $5 and $6 more", "none"),  # prices, not math
        ("That is 3 1/2 hours + 1/2 hour = 4 hours", "ok"),  # mixed numbers
        ("She pays 75/55 = 1.4 dollars", "ok"),  # rounding
        ("2 * 3 = 6 * 4 = 24", "ok"),  # running computation
        ("Total = \\boxed{5 + 5 = 11}", "wrong"),  # boxed
        ("We have 20 − 8 = 12 left", "ok"),  # Unicode minus  # noqa: RUF001
        ("So 2 x 3 = 6 boxes", "ok"),  # x as times
    ],
)
def test_claims_in_model_prose(step: str, expected: str) -> None:
    """Numeric claims inside model prose are found and checked; other numbers are not."""
    assert verdicts([step], "model")[0] == expected


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        # Equations in one unknown, one after the other in model prose.
        (["We get 0.99B + 1.01B + B = 4500. Combine like terms: 3.01B = 4500."], "wrong"),
        (["We get 0.99B + 1.01B + B = 4500. Combine like terms: 3B = 4500."], "ok"),
        (["So 150 + \\( x \\) = 500. Subtracting 150, \\( x \\) = 350 - 150."], "wrong"),
        (["So 150 + \\( x \\) = 500. Subtracting 150, \\( x \\) = 500 - 150."], "ok"),
        (["\\[ S = 165 \\times \\frac{6}{11} \\] \\[ S = 9 \\times 6 \\]"], "wrong"),  # 90, 54
        (
            ["This gives ((J + 10) + J) + 2J + 10 = 100.", "This simplifies to 5J + 20 = 100."],
            "wrong",
        ),
        (["We have \\( x + 2x = 37.50 \\)", "so \\( 3x = 37.50 \\) and \\( x = 12.50 \\)."], "ok"),
        (["Then 3x = 20, so x = 6.67 (rounded)."], "ok"),  # a stated decimal may be rounded
        (["Then 17N = 100, so N = 5.88.", "We need a whole number: N = 5."], "none"),  # whole
        (["For \\( n = 1 \\): 2^1 = 2.", "For \\( n = 2 \\): 2^2 = 4."], "ok"),  # values tried
        (["Let x be the price: 2x = 10.", "For the pens, y + 3 = 5."], "none"),  # another unknown
        (["Then t_b = 40 and t_s = 40 + 20 = 60."], "ok"),  # subscripts are not unknowns
        (["\\( -2 = -1.5x \\). Divide by -1.5: \\( x = 4/3 \\)."], "ok"),  # a leading minus
        (  # a side that goes on in words is not an equation "P = 2"
            [
                "\\[ P = 2 \\times (\\text{Length} + \\text{Width}) \\] "
                "\\[ P = 2 \\times 49 = 98 \\]"
            ],
            "ok",
        ),
        # A rewrite whose two sides differ by a fixed number, whatever the unknown.
        (["They have \\( (x - 16 + 100) - 25 = x + 69 - 25 = x + 44 \\)."], "wrong"),
        (["They have \\( (x - 16 + 100) - 25 = x + 84 - 25 = x + 59 \\)."], "none"),  # holds
        # The same named quantity given twice, with an unknown.
        (["Total = \\(\\frac{3}{4}A + A\\) Total = \\(2A\\)."], "wrong"),
        (["Total = \\(\\frac{3}{4}A + A\\) Total = \\(1.75A\\)."], "ok"),
        (["Total = 3A + 60. Total = 150."], "none"),  # an equation, not a rewrite
        # Named totals with asides in brackets.
        (["Total = $3.00 (laundry) + $1.50 (trash). Total = $5.00."], "wrong"),
        (["Total = $3.00 (laundry) + $1.50 (trash). Total = $4.50."], "ok"),
    ],
)
def test_equations_in_model_prose(steps: list[str], expected: str) -> None:
    """Equations with one-letter unknowns in prose are compared with the one before them."""
    assert verdicts(steps, "model")[-1] == expected


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ("There are 30 days in March, and each member posts 3 a day.", "wrong"),  # 31
        ("There are 31 days in March.", "none"),  # true
        ("He worked 20 days in March.", "none"),  # a count, not a fact
        ("February has 29 days this year.", "none"),  # leap year
        ("June has 31 days.", "wrong"),  # 30
        ("Since there are 50 minutes in an hour, that is 2 hours.", "wrong"),  # 60
        ("Since there are 60 minutes in an hour, that is 2 hours.", "none"),  # true
        ("She works 3 days in a week.", "none"),  # a schedule, not a fact
        ("There are 4 weeks in a month.", "none"),  # a convention, not checked
        ("1 foot = 10 inches, so", "wrong"),  # 12
        ("He walks 3 miles per hour = 3 miles each hour.", "none"),  # "per" is a rate
        ("there are 10 nickels in a dollar", "wrong"),  # 20
    ],
)
def test_calendar_and_unit_facts(step: str, expected: str) -> None:
    """Days in a month and exact unit conversions stated as facts are checked."""
    assert verdicts([step], "model")[0] == expected
