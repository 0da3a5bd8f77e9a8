"""How typed math is read: implicit multiplication, Unicode, mixed numbers, LaTeX, limits."""

from __future__ import annotations

import pytest
import sympy as sp

from tutor.checker import read_as
from tutor.checker.grammar import parse_expression, parse_statement
from tutor.checker.latex import latex_to_plain
from tutor.checker.limits import ParseError, TooLarge

x = sp.Symbol("x", real=True)
a = sp.Symbol("a", real=True)
b = sp.Symbol("b", real=True)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("4(3)", sp.Integer(12)),  # implicit product, not 7
        ("2x", 2 * x),  # coefficient
        ("x(x+1)", x * (x + 1)),  # x is not a function
        ("(a+b)(a-b)", (a + b) * (a - b)),  # two brackets
        ("x²", x**2),  # superscript
        ("6÷2×3", sp.Integer(9)),  # division and times signs, left to right  # noqa: RUF001
        ("5 \u2212 3", sp.Integer(2)),  # Unicode minus
        ("3 1/2", sp.Rational(7, 2)),  # mixed number
        ("-3 1/2", sp.Rational(-7, 2)),  # negative mixed number
        ("1,000 + 2", sp.Integer(1002)),  # thousands separator
        ("50%", sp.Rational(1, 2)),  # percentage
        ("12 apples", sp.Integer(12)),  # unit word dropped
        ("$5", sp.Integer(5)),  # currency
        ("2^-1", sp.Rational(1, 2)),  # signed exponent
        ("-x^2", -(x**2)),  # power binds tighter than minus
        ("sqrt16", sp.Integer(4)),  # function without brackets
        ("|x-1|", sp.Abs(x - 1)),  # bars
        ("2^3^2", sp.Integer(512)),  # right-associative powers
        ("½ + ¼", sp.Rational(3, 4)),  # vulgar fractions
    ],
)
def test_it_reads_plain_syntax(text: str, value: sp.Expr) -> None:
    """A student's typing is read the way a teacher would read it."""
    assert sp.simplify(parse_expression(text) - value) == 0


@pytest.mark.parametrize(
    ("latex", "value"),
    [
        (r"\frac{1}{3} \times 18", sp.Integer(6)),  # frac and times
        (r"\dfrac{6}{4}", sp.Rational(3, 2)),  # display fraction
        (r"\sqrt{16} + \sqrt[3]{27}", sp.Integer(7)),  # square and cube root
        (r"\left( 3 + 4 \right) \cdot 2", sp.Integer(14)),  # sized brackets
        (r"2^{10}", sp.Integer(1024)),  # braced exponent
        (r"12 \div 4", sp.Integer(3)),  # division sign
        (r"50\%", sp.Rational(1, 2)),  # escaped percent
        (r"3 \text{ apples}", sp.Integer(3)),  # text stripped
        (r"2\pi", 2 * sp.pi),  # pi
    ],
)
def test_it_reads_a_latex_subset(latex: str, value: sp.Expr) -> None:
    """Model LaTeX is rewritten to plain syntax and read by the same grammar."""
    assert sp.simplify(parse_expression(latex_to_plain(latex)) - value) == 0


@pytest.mark.parametrize(
    ("text", "rels"),
    [
        ("a = b = c", ("=", "=")),  # chain
        ("x \\le 3", ("<=",)),  # LaTeX relation via latex_to_plain below
        ("x ≥ 3", (">=",)),  # Unicode relation
        ("x ≠ 3", ("!=",)),  # not equal
        ("75/55 ≈ 1.4", ("~",)),  # approximately
    ],
)
def test_it_reads_relations(text: str, rels: tuple[str, ...]) -> None:
    """Relations and chains keep each side and each relation."""
    assert parse_statement(latex_to_plain(text)).rels == rels


@pytest.mark.parametrize(
    "text",
    [
        "9**9**9**9",  # tower of powers
        "10**10**10",  # too many digits
        "factorial(10**7)",  # huge factorial
        "(x+1)^100000",  # huge symbolic power
        "(" * 200 + "1" + ")" * 200,  # deep nesting
    ],
)
def test_it_refuses_sizes_before_computing(text: str) -> None:
    """Pathological sizes are refused by the grammar instead of computed."""
    with pytest.raises(TooLarge):
        parse_statement(text)


def test_it_refuses_very_long_input() -> None:
    """Input longer than the limit is refused before tokenizing."""
    with pytest.raises(ParseError):
        parse_statement("1+" * 5000 + "1")


def test_read_as_shows_the_parse_without_simplifying() -> None:
    """The live preview shows 2(x+3) as a product, not expanded."""
    assert read_as("2(x+3)") == "2*(x + 3)"
    assert read_as("x=(-4±sqrt(16-48))/6") is not None
    assert read_as("__import__('os')") is None
