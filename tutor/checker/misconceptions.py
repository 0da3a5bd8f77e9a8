"""Known buggy rules: when a step is wrong, which mistake explains it.

Each rule applies a buggy rewrite to the previous step; if one of the results equals the wrong
step, the rule names the mistake. To add a rule, write a function from the previous step's
parsed form to candidate forms, and add a ``Misconception`` to ``RULES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import sympy as sp

from tutor.checker import wording as W
from tutor.checker.grammar import Statement, parse_statement
from tutor.checker.limits import ParseError
from tutor.checker.relations import compare_conditions, condition_of, exprs_equal, free

# A candidate is an expression, or ``(left, rel, right)`` for a relation.
Candidate: TypeAlias = "sp.Expr | tuple[sp.Expr, str, sp.Expr]"
Rewrite: TypeAlias = Callable[[Statement], Iterator[Candidate]]


@dataclass(frozen=True)
class Misconception:
    """A known mistake: its id (kept in the data for teachers), what a student reads, and the
    buggy rewrite that reproduces it."""

    name: str
    label: str  # a sentence for the student, never the id
    rewrite: Rewrite


def _each_node(expr: sp.Expr, match: Callable[[sp.Expr], Iterator[sp.Expr]]) -> Iterator[sp.Expr]:
    """Rewrite one matching subexpression at a time."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Expr):
            for replacement in match(node):
                yield expr.xreplace({node: replacement})


def _on_sides(
    statement: Statement, match: Callable[[sp.Expr], Iterator[sp.Expr]]
) -> Iterator[Candidate]:
    sides = statement.sides
    if not statement.is_relation:
        yield from _each_node(sides[0].expr, match)
        return
    left, rel, right = sides[0].expr, statement.rels[0], sides[-1].expr
    for new in _each_node(left, match):
        yield (new, rel, right)
    for new in _each_node(right, match):
        yield (left, rel, new)


def _terms(expr: sp.Expr) -> tuple[sp.Expr, ...]:
    return expr.args if isinstance(expr, sp.Add) else (expr,)


def _negate(term: sp.Expr) -> sp.Expr:
    return sp.Mul(sp.Integer(-1), term)


def sign_error_moving_term(st: Statement) -> Iterator[Candidate]:
    """Moving a term across ``=`` without changing its sign."""
    if not st.is_relation or len(st.sides) != 2:
        return
    left, rel, right = st.sides[0].expr, st.rels[0], st.sides[1].expr
    for term in _terms(left):
        if len(_terms(left)) > 1:
            yield (left - term, rel, right + term)
    for term in _terms(right):
        if len(_terms(right)) > 1:
            yield (left + term, rel, right - term)


def square_of_sum(st: Statement) -> Iterator[Candidate]:
    """(a + b)^2 written as a^2 + b^2."""

    def match(node: sp.Expr) -> Iterator[sp.Expr]:
        if isinstance(node, sp.Pow) and isinstance(node.base, sp.Add) and node.exp == 2:
            yield sp.Add(*[t**2 for t in node.base.args])

    return _on_sides(st, match)


def distribute_first_term_only(st: Statement) -> Iterator[Candidate]:
    """a(b + c) written as ab + c."""

    def match(node: sp.Expr) -> Iterator[sp.Expr]:
        if isinstance(node, sp.Mul):
            for factor in node.args:
                if isinstance(factor, sp.Add):
                    rest = sp.Mul(*[f for f in node.args if f is not factor])
                    first, *others = factor.args
                    yield sp.Add(rest * first, *others)

    return _on_sides(st, match)


def dropped_negative(st: Statement) -> Iterator[Candidate]:
    """A minus sign lost: -(a + b) read as -a + b, or one negative term made positive."""

    def match(node: sp.Expr) -> Iterator[sp.Expr]:
        if isinstance(node, sp.Mul) and node.args and node.args[0] == -1:
            rest = sp.Mul(*node.args[1:])
            if isinstance(rest, sp.Add):
                first, *others = rest.args
                yield sp.Add(-first, *others)
            yield rest

    return _on_sides(st, match)


def sqrt_of_sum(st: Statement) -> Iterator[Candidate]:
    """sqrt(a + b) written as sqrt(a) + sqrt(b)."""

    def match(node: sp.Expr) -> Iterator[sp.Expr]:
        if (
            isinstance(node, sp.Pow)
            and isinstance(node.base, sp.Add)
            and node.exp == sp.Rational(1, 2)
        ):
            # The same student also reads sqrt(x^2) as x.
            yield sp.Add(*[t.base if _is_square(t) else sp.sqrt(t) for t in node.base.args])

    return _on_sides(st, match)


def _is_square(term: sp.Expr) -> bool:
    return isinstance(term, sp.Pow) and term.exp == 2


def exponent_product(st: Statement) -> Iterator[Candidate]:
    """x^a * x^b written as x^(ab)."""

    def match(node: sp.Expr) -> Iterator[sp.Expr]:
        if not isinstance(node, sp.Mul):
            return
        powers = [f for f in node.args if isinstance(f, sp.Pow)]
        symbols = [f for f in node.args if isinstance(f, sp.Symbol)]
        for i, p in enumerate(powers):
            for q in powers[i + 1 :] + [sp.Pow(s, 1, evaluate=False) for s in symbols]:
                if p.base == q.base:
                    rest = [f for f in node.args if f is not p and f is not q and f != q.base]
                    yield sp.Mul(sp.Pow(p.base, p.exp * q.exp), *rest)

    return _on_sides(st, match)


def _fraction(term: sp.Expr) -> tuple[sp.Expr, sp.Expr] | None:
    num, den = sp.fraction(term)
    return None if den == 1 else (num, den)


def add_fractions_across(st: Statement) -> Iterator[Candidate]:
    """a/b + c/d written as (a + c)/(b + d)."""

    def match(node: sp.Expr) -> Iterator[sp.Expr]:
        if isinstance(node, sp.Add) and len(node.args) == 2:
            first, second = _fraction(node.args[0]), _fraction(node.args[1])
            if first is not None and second is not None:
                (a, b), (c, d) = first, second
                yield (a + c) / (b + d)

    return _on_sides(st, match)


def cancel_across_plus(st: Statement) -> Iterator[Candidate]:
    """(a + b)/a written as b, or (2x + 3)/2 as x + 3: cancelling one term of a sum."""

    def match(node: sp.Expr) -> Iterator[sp.Expr]:
        parts = _fraction(node)
        if parts is None or not isinstance(parts[0], sp.Add):
            return
        num, den = parts
        for term in num.args:
            others = [t for t in num.args if t is not term]
            if term == den:
                yield sp.Add(*others)
            elif sp.cancel(term / den) != term / den or (term / den).is_Integer:
                yield sp.Add(sp.cancel(term / den), *others)

    return _on_sides(st, match)


def divide_by_variable(st: Statement) -> Iterator[Candidate]:
    """Both sides divided by a variable that may be zero (a solution is lost)."""
    if not st.is_relation or len(st.sides) != 2:
        return
    left, rel, right = st.sides[0].expr, st.rels[0], st.sides[1].expr
    for var in sorted(free(left) | free(right), key=str):
        yield (sp.cancel(left / var), rel, sp.cancel(right / var))


RULES: tuple[Misconception, ...] = (
    Misconception(
        "sign_error_moving_term",
        W.SIGN_MOVING_TERM.text,
        sign_error_moving_term,
    ),
    Misconception(
        "square_of_sum",
        W.SQUARE_OF_SUM.text,
        square_of_sum,
    ),
    Misconception(
        "dropped_negative",
        W.DROPPED_NEGATIVE.text,
        dropped_negative,
    ),
    Misconception(
        "distribute_first_term_only",
        W.DISTRIBUTE_FIRST_ONLY.text,
        distribute_first_term_only,
    ),
    Misconception(
        "sqrt_of_sum",
        W.SQRT_OF_SUM.text,
        sqrt_of_sum,
    ),
    Misconception(
        "exponent_product",
        W.EXPONENT_PRODUCT.text,
        exponent_product,
    ),
    Misconception(
        "add_fractions_across",
        W.ADD_FRACTIONS_ACROSS.text,
        add_fractions_across,
    ),
    Misconception(
        "cancel_across_plus",
        W.CANCEL_ACROSS_PLUS.text,
        cancel_across_plus,
    ),
    Misconception(
        "divide_by_variable",
        W.DIVIDE_BY_VARIABLE.text,
        divide_by_variable,
    ),
)

MAX_CANDIDATES = 40


def mistaken_identity(statement: Statement) -> tuple[str, str] | None:
    """``(x + 3)^2 = x^2 + 9``, ``(25x + 150)/10 = 25x + 15``: one side is what a known mistake
    makes of the other, and the two are not the same expression; (rule id, words)."""
    if len(statement.sides) != 2 or statement.rels != ("=",):
        return None
    left, right = statement.sides
    if not free(left.expr) or free(left.expr) != free(right.expr):
        return None
    found = explain(left.text, [Statement((right,), ())])
    if found is None or exprs_equal(left.expr, right.expr).verdict != "wrong":
        return None
    return found


def explain(previous_text: str, current: Sequence[Statement]) -> tuple[str, str] | None:
    """The first rule whose buggy rewrite of the previous step gives the current step."""
    if len(current) != 1:
        return None
    try:
        previous = parse_statement(previous_text.lstrip("=> "), evaluate=False)
    except ParseError:
        return None
    target = current[0]
    if "~" in target.rels + previous.rels:
        return None  # an approximation is not the exact rewrite a rule produces
    for rule in RULES:
        for k, candidate in enumerate(rule.rewrite(previous)):
            if k >= MAX_CANDIDATES:
                break
            if _matches(candidate, target):
                return rule.name, rule.label
    return None


def _matches(candidate: Candidate, target: Statement) -> bool:
    if isinstance(candidate, tuple):
        if not target.is_relation or len(target.sides) != 2:
            return False
        left, rel, right = candidate
        if not free(left) and not free(right) and not free(target.sides[0].expr):
            return False
        built = condition_of(left, rel, right)
        aimed = condition_of(target.sides[0].expr, target.rels[0], target.sides[-1].expr)
        return (
            compare_conditions(built, aimed).verdict == "ok"
            and compare_conditions(aimed, built).verdict == "ok"
        )
    expr = target.sides[-1].expr
    return exprs_equal(candidate, expr, readable=False).verdict == "ok"
