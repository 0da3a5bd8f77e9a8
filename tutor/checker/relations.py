"""Relations: a claim inside one step, and how one step follows from the previous one.

``wrong`` is only ever returned with proof: exact arithmetic that disagrees, or a concrete
point, verified by evaluation, that satisfies one step and not the other.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from tutor.checker import wording as W
from tutor.checker.grammar import PM, Side
from tutor.checker.rounding import within_rounding
from tutor.checker.sampling import (
    close,
    describe_point,
    holds,
    real_value,
    render,
    sample_points,
)
from tutor.checker.solving import (
    Condition,
    representative,
    solution_points,
    solution_set,
    unknowns,
)

# Said of a root that only the complex numbers show; no known mistake is matched against it,
# since the mistakes are compared over the reals.
COMPLEX_ROOT = W.COMPLEX_ROOT.template.removeprefix("{value} ")
FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "!=": "!="}


@dataclass(frozen=True)
class Decision:
    """The outcome of one check: a verdict, a readable detail and perhaps a counterexample."""

    verdict: str  # ok | wrong | weaker | unknown
    detail: str
    counterexample: str | None = None
    rule: str | None = None  # the misconception that explains a wrong verdict, by id


def free(expr: sp.Expr) -> set[sp.Symbol]:
    return {s for s in expr.free_symbols if s != PM and isinstance(s, sp.Symbol)}


def alternatives(expr: sp.Expr) -> list[sp.Expr]:
    """``a ± b`` read as its two values."""
    if PM not in expr.free_symbols:
        return [expr]
    return [expr.xreplace({PM: sp.Integer(1)}), expr.xreplace({PM: sp.Integer(-1)})]


def numbers_equal(a: sp.Expr, b: sp.Expr) -> bool | None:
    """Exact when both are rational; otherwise to PRECISION digits (None if undefined)."""
    if a.is_Rational and b.is_Rational:
        return bool(a == b)
    va, vb = real_value(a, {}), real_value(b, {})
    if va is None or vb is None:
        ca, cb = a.evalf(30), b.evalf(30)
        if not (ca.is_number and cb.is_number) or ca.has(sp.zoo, sp.nan) or cb.has(sp.zoo, sp.nan):
            return None
        return bool(abs(ca - cb) < sp.Float("1e-20") * (1 + abs(ca)))
    return close(va, vb)


def check_numeric(left: Side, right: Side, rel: str, approx: bool) -> Decision:
    """An arithmetic claim such as ``18 - 6 = 12`` or ``75/55 ≈ 1.4``."""
    lvals, rvals = alternatives(left.expr), alternatives(right.expr)
    if len(lvals) > 1 or len(rvals) > 1:
        same = all(any(numbers_equal(a, b) for b in rvals) for a in lvals)
        if same and len(lvals) == len(rvals):
            return Decision("ok", W.EQUAL_AS_WRITTEN.format(left=left.text, right=right.text))
        return Decision("unknown", W.CANNOT_COMPARE_PM.text)
    lv, rv = lvals[0], rvals[0]
    if rel in ("=", "~"):
        return _check_equal_numbers(left, right, lv, rv, approx or rel == "~")
    a, b = real_value(lv, {}), real_value(rv, {})
    if a is None or b is None:
        return Decision("unknown", W.UNDEFINED_OR_NOT_REAL.text)
    if holds(a - b, rel):
        return Decision("ok", W.RELATION_HOLDS.format(left=left.text, rel=rel, right=right.text))
    return Decision("wrong", W.RELATION_FALSE.format(left=render(lv), rel=rel, right=render(rv)))


def _check_equal_numbers(
    left: Side, right: Side, lv: sp.Expr, rv: sp.Expr, approx: bool
) -> Decision:
    same = numbers_equal(lv, rv)
    if same is None:
        return Decision("unknown", W.VALUE_UNDEFINED.text)
    if same:
        return Decision("ok", W.EQUAL_AS_WRITTEN.format(left=left.text, right=render(rv)))
    for shown, true, other in ((right, rv, lv), (left, lv, rv)):
        if shown.is_number and within_rounding(other, true, shown.decimals, approx):
            return Decision("ok", W.ROUNDS_TO.format(value=render(other), shown=shown.text))
        if shown.percent and numbers_equal(other, true * 100):
            return Decision("ok", W.AS_PERCENTAGE.format(value=render(other), shown=shown.text))
        if shown.percent and numbers_equal(other * 100, true):
            return Decision("ok", W.READ_AS_NUMBER.format(shown=shown.text))
    # "9π ≈ 9 * 3.14", "π ≈ 22/7", "2^30 ≈ 1.07 * 10^9": an approximation stated as one. And
    # "3√2 = 3 * 1.414": an irrational value written with a rounded decimal stand-in, as
    # people do with "=". Within 1% is what such stand-ins give.
    stand_in = not lv.is_Rational and rv.is_Rational and "." in right.text
    if approx or stand_in:
        a, b = real_value(lv, {}), real_value(rv, {})
        if a is not None and b is not None and abs(a - b) <= abs(a) / 100:
            return Decision("ok", W.IS_ABOUT.format(left=left.text, right=right.text))
    return Decision(
        "wrong", W.IS_NOT_BUT.format(left=left.text, value=render(lv), other=render(rv))
    )


def exprs_equal(a: sp.Expr, b: sp.Expr, *, readable: bool = True) -> Decision:
    """Two expressions agree everywhere both are defined (checked at exact sample points).

    ``readable`` looks for a small whole-number point and exact values to show; a caller that
    only needs the verdict (a misconception tried against a line) skips that work."""
    if a == b:
        return Decision("ok", W.SAME_EXPRESSION.text)
    symbols = sorted(free(a) | free(b), key=str)
    if not symbols:
        same = numbers_equal(a, b)
        if same is None:
            return Decision("unknown", W.VALUE_UNDEFINED.text)
        if same:
            return Decision("ok", W.BOTH_EQUAL.format(value=render(b)))
        return Decision("wrong", W.IS_NOT.format(left=render(a), right=render(b)))
    compared = 0
    for point in sample_points(symbols, 12):
        va, vb = real_value(a, point), real_value(b, point)
        if va is None or vb is None:
            continue
        compared += 1
        if not close(va, vb):
            if not readable:
                return Decision("wrong", W.EXPRESSIONS_DIFFER.text, describe_point(point))
            point = _whole_point(a, b, symbols) or point
            where = describe_point(point)
            return Decision(
                "wrong",
                W.TRY_POINT.format(
                    point=where,
                    left=render(a),
                    left_value=shown_value(a, point),
                    right=render(b),
                    right_value=shown_value(b, point),
                ),
                where,
            )
        if compared >= 12:
            break
    if compared < 3:
        return Decision("unknown", W.COULD_NOT_EVALUATE_BOTH.text)
    return Decision("ok", W.EQUAL_EXPRESSIONS.text)


# Small whole numbers a student can check by hand, tried first for a counterexample.
_WHOLE = (1, 2, 3, -1, -2, 4, 5, 0, -3, 10)


def _whole_point(
    a: sp.Expr, b: sp.Expr, symbols: list[sp.Symbol]
) -> dict[sp.Symbol, sp.Expr] | None:
    """A point of small whole numbers where ``a`` and ``b`` are defined and differ."""
    if len(symbols) > 3:
        return None
    for values in itertools.islice(itertools.product(_WHOLE, repeat=len(symbols)), 60):
        point = {s: sp.Integer(v) for s, v in zip(symbols, values, strict=True)}
        va, vb = real_value(a, point), real_value(b, point)
        if va is not None and vb is not None and not close(va, vb):
            return point
    return None


def shown_value(expr: sp.Expr, point: dict[sp.Symbol, sp.Expr]) -> str:
    """The exact value of ``expr`` at ``point`` when it is short (``16``, ``3/2``, ``sqrt(2)``),
    else about three significant figures; never a long float."""
    try:
        exact = sp.nsimplify(expr.xreplace(point)) if point else expr
        exact = sp.simplify(exact) if sp.count_ops(exact) < 40 else exact
    except (TypeError, ValueError, ZeroDivisionError):
        exact = None
    if exact is not None and not exact.has(sp.Float) and len(render(exact)) <= 16:
        return render(exact)
    value = real_value(expr, point)
    return W.UNDEFINED.text if value is None else W.ABOUT.format(value=f"{float(value):.3g}")


def condition_of(left: sp.Expr, rel: str, right: sp.Expr) -> Condition:
    """``left rel right`` as a disjunction of ``f rel 0`` atoms (``±`` gives two atoms)."""
    atoms = []
    for lv in alternatives(left):
        for rv in alternatives(right):
            atoms.append((sp.expand(lv - rv) if _small(lv - rv) else lv - rv, rel))
    return tuple(atoms)


def _small(expr: sp.Expr) -> bool:
    return sp.count_ops(expr) < 60 and not any(
        p.exp.is_Integer and abs(p.exp) > 12 for p in expr.atoms(sp.Pow)
    )


def compare_conditions(prev: Condition, cur: Condition) -> Decision:
    """How ``cur`` follows from ``prev``: equivalent, weaker (only implied) or wrong."""
    quick = _proportional(prev, cur)
    if quick is not None:
        return quick
    forward = _implies(prev, cur)  # every solution of prev solves cur
    if forward is None:
        return Decision("unknown", W.COULD_NOT_COMPARE_STEPS.text)
    ok_forward, lost = forward
    backward = _implies(cur, prev)
    if not ok_forward:
        assert lost is not None
        lost_one = backward is not None and backward[0]
        words = W.SOLUTION_LOST if lost_one else W.SOLVES_BEFORE_NOT_THIS
        return Decision("wrong", words.format(value=lost), lost)
    if backward is None:
        return Decision("ok", W.FOLLOWS.text)
    if backward[0]:
        return _complex_roots_differ(prev, cur) or Decision("ok", W.EQUIVALENT_TO_PREVIOUS.text)
    return Decision(
        "weaker",
        W.WEAKER.format(value=backward[1]),
        backward[1],
    )


def _complex_roots_differ(prev: Condition, cur: Condition) -> Decision | None:
    """``3x^2 + 4x + 5 = 1``, then ``3x^2 + 4x + 6 = 0``: neither has a real root, so the reals
    cannot tell them apart, but a rewrite keeps every root. Two polynomial equations of the
    same degree whose complex roots differ are not the same equation. (Dividing out a factor
    with no real root, ``(x^2 + 1)(x - 2) = 0`` to ``x - 2 = 0``, lowers the degree and is
    left alone.)"""
    if len(prev) != 1 or len(cur) != 1 or prev[0][1] != "=" or cur[0][1] != "=":
        return None
    names = free(prev[0][0]) | free(cur[0][0])
    if len(names) != 1:
        return None
    (var,) = names
    polys = []
    for f, _ in (prev[0], cur[0]):
        num, den = sp.fraction(sp.together(f))
        if free(den) or not num.is_polynomial(var):
            return None
        poly = sp.Poly(num, var)
        if not 2 <= poly.degree() <= 12:
            return None
        polys.append(poly)
    before, after = polys
    if before.degree() != after.degree() or sp.rem(before.sqf_part(), after.sqf_part()).is_zero:
        return None
    lost = next(
        (r for r in sp.roots(before) if not sp.expand(after.as_expr().subs(var, r)).equals(0)), None
    )
    if lost is None:
        return None
    where = f"{var} = {render(sp.simplify(lost))}"
    return Decision("wrong", W.COMPLEX_ROOT.format(value=where), where)


def _proportional(prev: Condition, cur: Condition) -> Decision | None:
    """Same atom up to a constant factor: the common case of a linear rewrite."""
    if len(prev) != 1 or len(cur) != 1:
        return None
    (fp, rp), (fc, rc) = prev[0], cur[0]
    if not free(fp) or sp.count_ops(fp) > 80 or sp.count_ops(fc) > 80:
        return None
    ratio = sp.cancel(sp.together(fc / fp))
    if not ratio.is_number or ratio == 0 or not ratio.is_real:
        return None
    if rp in ("=", "!=") and rc == rp:
        return Decision("ok", W.EQUIVALENT_TO_PREVIOUS.text)
    if (rp == rc and ratio.is_positive) or (FLIP[rp] == rc and ratio.is_negative):
        return Decision("ok", W.EQUIVALENT_TO_PREVIOUS.text)
    return None


def implies(prev: Condition, cur: Condition) -> tuple[bool, str | None] | None:
    """Whether every solution of ``prev`` solves ``cur`` (with a counterexample when not);
    None when it cannot be decided."""
    return _implies(prev, cur)


def _implies(prev: Condition, cur: Condition) -> tuple[bool, str | None] | None:
    """Whether every (sampled) solution of ``prev`` satisfies ``cur``; else a counterexample."""
    names = unknowns(prev + cur)
    if set(unknowns(cur)) - set(unknowns(prev)):
        # Letters that prev says nothing about: its sampled solutions cannot test cur.
        return None
    if len(names) == 1:
        exact = _implies_exactly(prev, cur, names[0])
        if exact is not None:
            return exact
    points = solution_points(prev)
    if points is None:
        return None
    for point in points:
        if not satisfies(cur, point):
            truth = satisfies_or_none(cur, point)
            if truth is None:
                continue
            return False, describe_point(point)
    return True, None


def _implies_exactly(
    prev: Condition, cur: Condition, var: sp.Symbol
) -> tuple[bool, str | None] | None:
    """One unknown: compare the two real solution sets exactly."""
    sp_prev, sp_cur = solution_set(prev, var), solution_set(cur, var)
    if sp_prev is None or sp_cur is None:
        return None
    missing = sp.Complement(sp_prev, sp_cur)
    if missing.is_empty:
        return True, None
    value = representative(missing)
    if value is None:
        return None
    point = {var: value}
    if satisfies_or_none(prev, point) is True and satisfies_or_none(cur, point) is False:
        return False, describe_point(point)
    return None


def satisfies_or_none(cond: Condition, point: dict[sp.Symbol, sp.Expr]) -> bool | None:
    undefined = False
    for f, rel in cond:
        value = real_value(f, point)
        if value is None:
            undefined = True
            continue
        if holds(value, rel):
            return True
    return None if undefined else False


def satisfies(cond: Condition, point: dict[sp.Symbol, sp.Expr]) -> bool:
    return bool(satisfies_or_none(cond, point))


def chain_pairs(sides: Sequence[Side], rels: Sequence[str]) -> list[tuple[Side, str, Side]]:
    return [(sides[i], rels[i], sides[i + 1]) for i in range(len(rels))]
