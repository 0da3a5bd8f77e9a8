"""Exact points and high-precision evaluation: how a counterexample is found and verified."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping

import sympy as sp

from tutor.checker.limits import MAX_DETAIL_CHARS

PRECISION = 40
# A difference below this share of the values' size is rounding noise at PRECISION digits.
RELATIVE_TOLERANCE = sp.Float("1e-25", PRECISION)


def render(expr: object) -> str:
    """A short plain rendering: never a 10,000-digit integer in a page or a log."""
    text = sp.sstr(expr) if isinstance(expr, sp.Basic) else str(expr)
    text = text.replace("**", "^")
    if len(text) > MAX_DETAIL_CHARS:
        text = text[: MAX_DETAIL_CHARS - 1] + "\u2026"
    return text


def sample_points(
    symbols: list[sp.Symbol], count: int, seed: int = 7
) -> Iterator[dict[sp.Symbol, sp.Expr]]:
    """Points with small non-special rational coordinates (never 0, 1 or integers first)."""
    rng = random.Random(seed)
    fixed = [sp.Rational(7, 5), sp.Rational(-13, 7), sp.Rational(5, 3), sp.Rational(-2, 9)]
    # All positive first (logs and roots are defined), then mixed signs, then small integers
    # and halves, which expose rules that only fail there, e.g. (a^b)^c at a = -2, b = 2.
    positive = [sp.Rational(7, 5), sp.Rational(5, 3), sp.Rational(11, 7)]
    special = [sp.Integer(-2), sp.Integer(2), sp.Rational(1, 2), sp.Integer(3), sp.Rational(-1, 3)]
    for k in range(count):
        point: dict[sp.Symbol, sp.Expr] = {}
        for j, sym in enumerate(symbols):
            if k < 2:
                point[sym] = positive[(k + j) % len(positive)] + sp.Rational(j, 13)
            elif k < 2 + len(fixed):
                point[sym] = fixed[(k + j) % len(fixed)] + sp.Rational(j, 11)
            elif k < 11:
                point[sym] = special[(k + j) % len(special)]
            else:
                point[sym] = sp.Rational(rng.randint(-40, 40), rng.randint(3, 17))
        yield point


def evaluate(expr: sp.Expr, point: Mapping[sp.Symbol, sp.Expr]) -> sp.Expr | None:
    """The value of ``expr`` at ``point`` to PRECISION digits, or None where undefined."""
    try:
        value = expr.xreplace(dict(point)) if point else expr
        if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            return None
        number = value.evalf(PRECISION)
    except (ZeroDivisionError, ValueError, TypeError, OverflowError, ArithmeticError):
        return None
    if not number.is_number or number.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return None
    return number


def _outside_real_domain(expr: sp.Expr, point: Mapping[sp.Symbol, sp.Expr]) -> bool:
    """A root of a negative or a log of a non-positive number inside ``expr``.

    Real semantics: sqrt(k/m)*sqrt(m/k) is undefined where k/m < 0, even though the complex
    product happens to be real (-1) there.
    """
    checked = 0
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow) and node.exp.is_number and not node.exp.is_integer:
            inner = node.base
        elif isinstance(node, sp.Pow) and not node.exp.is_number:
            power = evaluate(node.exp, point)
            if power is not None and power.is_real and abs(power - round(power)) < 1e-25:
                continue  # an integer power of a negative number is real
            inner = node.base
        elif isinstance(node, sp.log):
            inner = node.args[0]
        else:
            continue
        checked += 1
        if checked > 40:
            return False
        if not inner.free_symbols and inner.is_nonnegative:
            continue
        value = evaluate(inner, point)
        if value is None:
            return True
        re, im = value.as_real_imag()
        if abs(im) > RELATIVE_TOLERANCE * (1 + abs(re)) or re < 0:
            return True
        if isinstance(node, sp.log) and re == 0:
            return True
    return False


def real_value(expr: sp.Expr, point: Mapping[sp.Symbol, sp.Expr]) -> sp.Float | None:
    """The real value at ``point``, or None when undefined or not real."""
    number = evaluate(expr, point)
    if number is None:
        return None
    if point and _outside_real_domain(expr, point):
        return None
    re, im = number.as_real_imag()
    if not re.is_Number or not im.is_Number:
        return None
    if abs(im) > RELATIVE_TOLERANCE * (1 + abs(re)):
        return None
    return sp.Float(re, PRECISION)


def close(a: sp.Expr, b: sp.Expr) -> bool:
    """Numerically equal to within the noise of PRECISION-digit evaluation."""
    scale = 1 + max(abs(a), abs(b))
    return bool(abs(a - b) <= RELATIVE_TOLERANCE * scale)


def holds(value: sp.Float, rel: str) -> bool:
    """Whether ``value rel 0`` holds, with equality read to within evaluation noise."""
    zero = bool(abs(value) <= RELATIVE_TOLERANCE * 1000)
    if rel == "=":
        return zero
    if rel == "!=":
        return not zero
    if rel == "<":
        return bool(value < 0) and not zero
    if rel == ">":
        return bool(value > 0) and not zero
    if rel == "<=":
        return bool(value < 0) or zero
    if rel == ">=":
        return bool(value > 0) or zero
    raise ValueError(rel)


def describe_point(point: Mapping[sp.Symbol, sp.Expr]) -> str:
    return ", ".join(f"{sym} = {render(val)}" for sym, val in sorted(point.items(), key=str))
