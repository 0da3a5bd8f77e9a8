"""Stated rounding: ``75/55 = 1.36`` and ``75/55 = 1.4`` are fine, ``75/55 = 1.5`` is not."""

from __future__ import annotations

from fractions import Fraction

import sympy as sp


def within_rounding(
    true_value: sp.Expr, claimed: sp.Expr, decimals: int | None, approx: bool
) -> bool:
    """True when ``claimed`` is ``true_value`` rounded (or cut) to the decimals shown.

    Rounding to nearest and cutting off (truncation) are both accepted: a tutor must not call
    ``2/3 = 0.66`` wrong. With ``≈`` or "about", an integer or a value within 1% is accepted.
    """
    if not true_value.is_real or not claimed.is_Rational:
        return False
    value = sp.Abs(true_value - claimed)
    shown = Fraction(int(claimed.p), int(claimed.q))
    if decimals is not None and decimals > 0:
        unit = sp.Rational(1, 10**decimals)
        if _lt(value, unit / 2) or _lt(value, unit / 2 + unit / 10**6):
            return True
        toward_zero = sp.Abs(true_value) - sp.Abs(claimed)
        same_sign = (true_value * claimed).evalf(30) >= 0
        if (
            same_sign
            and _lt(sp.Integer(0), toward_zero)
            and _lt(toward_zero, unit)
            and toward_zero != unit
        ):
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
