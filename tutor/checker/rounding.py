"""Stated rounding: ``75/55 = 1.36`` and ``75/55 = 1.4`` are fine, ``75/55 = 1.5`` is not."""

from __future__ import annotations

from fractions import Fraction

import sympy as sp


def within_rounding(true_value: sp.Expr, claimed: sp.Expr, decimals: int | None, approx: bool) -> bool:
    """True when ``claimed`` is ``true_value`` rounded (or cut) to the decimals shown.

    One unit in the last shown place is allowed either way, which accepts both rounding and
    truncation; a tutor must not call ``2/3 = 0.66`` wrong. With ``≈`` or "about", an
    integer or a value within 1% is accepted too.
    """
    if not true_value.is_real or not claimed.is_Rational:
        return False
    value = sp.Abs(true_value - claimed)
    shown = Fraction(int(claimed.p), int(claimed.q))
    if decimals is not None and decimals > 0:
        if _lt(value, sp.Rational(1, 10**decimals)):
            return True
    if approx:
        if _lt(value, sp.Integer(1)) and shown.denominator == 1:
            return True
        return _lt(value, sp.Abs(true_value) / 100) or (
            decimals is not None and _lt(value, sp.Rational(1, 10**decimals))
        )
    return False


def _lt(a: sp.Expr, b: sp.Expr) -> bool:
    diff = (b - a).evalf(30)
    return bool(diff.is_positive) or bool(diff == 0)
