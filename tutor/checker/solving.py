"""Solution sets of a step's condition, exact for one unknown and sampled for several."""

from __future__ import annotations

import sympy as sp

from tutor.checker.grammar import PM
from tutor.checker.sampling import real_value, sample_points

# A step's condition: ``f1 rel1 0 or f2 rel2 0 or ...``.
Atom = tuple[sp.Expr, str]
Condition = tuple[Atom, ...]

_RELOPS = {"<": sp.Lt, ">": sp.Gt, "<=": sp.Le, ">=": sp.Ge}
MAX_DEGREE = 12


def unknowns(cond: Condition) -> list[sp.Symbol]:
    found: set[sp.Symbol] = set()
    for f, _ in cond:
        found |= {s for s in f.free_symbols if isinstance(s, sp.Symbol) and s != PM}
    return sorted(found, key=str)


def atom_set(f: sp.Expr, rel: str, var: sp.Symbol) -> sp.Set | None:
    """Real solutions of ``f rel 0`` in ``var``, or None when sympy cannot say."""
    if rel == "=":
        return _zeros(f, var)
    if rel == "!=":
        zeros = _zeros(f, var)
        return None if zeros is None else sp.Complement(sp.S.Reals, zeros)
    fast = _polynomial_inequality(f, rel, var)
    if fast is not None:
        return fast
    try:
        found = sp.solveset(_RELOPS[rel](f, 0), var, sp.S.Reals)
    except (NotImplementedError, ValueError, TypeError):
        return None
    return (
        found
        if isinstance(found, (sp.Interval, sp.Union, sp.FiniteSet)) or found.is_empty
        else None
    )


def _polynomial_inequality(f: sp.Expr, rel: str, var: sp.Symbol) -> sp.Set | None:
    """``f rel 0`` for a polynomial with number coefficients, by its real roots: some fifty
    times faster than ``solveset`` (a line such as ``2x + 3 < 9`` took 160 ms there)."""
    if not f.is_polynomial(var):
        return None
    poly = sp.Poly(f, var)
    if not 1 <= poly.degree() <= MAX_DEGREE or not all(c.is_Rational for c in poly.all_coeffs()):
        return None
    try:
        return sp.Union(*sp.solve_poly_inequality(poly, rel))
    except (NotImplementedError, ValueError, TypeError):
        return None


def _zeros(f: sp.Expr, var: sp.Symbol) -> sp.Set | None:
    num, den = sp.fraction(sp.together(f))
    if num.is_polynomial(var) and den.is_polynomial(var):
        poly = sp.Poly(num, var)
        if poly.degree() <= 0:
            return sp.S.Reals if num == 0 else sp.S.EmptySet
        if poly.degree() > MAX_DEGREE:
            return None
        if poly.degree() == 1 and all(c.is_number for c in poly.all_coeffs()):
            # The common case (a linear step), without the general root finder.
            slope, constant = poly.all_coeffs()
            root = -constant / slope
            if not _is_real(root) or _is_zero(den.subs(var, root)):
                return sp.S.EmptySet
            return sp.FiniteSet(root)
        try:
            found = sp.roots(poly)
        except (NotImplementedError, ValueError):
            return None
        if sum(found.values()) != poly.degree():
            return None
        real = [r for r in found if _is_real(r) and not _is_zero(den.subs(var, r))]
        return sp.FiniteSet(*real)
    try:
        solved = sp.solveset(f, var, sp.S.Reals)
    except (NotImplementedError, ValueError, TypeError):
        return None
    return solved if isinstance(solved, sp.FiniteSet) or solved.is_empty else None


def _is_real(value: sp.Expr) -> bool:
    return real_value(value, {}) is not None


def _is_zero(value: sp.Expr) -> bool:
    v = real_value(value, {})
    return v is not None and abs(v) < 1e-25


def solution_set(cond: Condition, var: sp.Symbol) -> sp.Set | None:
    parts = []
    for f, rel in cond:
        found = atom_set(f, rel, var)
        if found is None:
            return None
        parts.append(found)
    return sp.Union(*parts) if len(parts) > 1 else parts[0]


def representative(found: sp.Set) -> sp.Expr | None:
    """One point inside a set, for a counterexample."""
    if isinstance(found, sp.FiniteSet):
        return next(iter(found), None)
    if isinstance(found, sp.Interval):
        lo, hi = found.start, found.end
        if lo.is_infinite and hi.is_infinite:
            return sp.Integer(0)
        if lo.is_infinite:
            return sp.floor(hi) - 1
        if hi.is_infinite:
            return sp.ceiling(lo) + 1
        return (lo + hi) / 2
    if isinstance(found, sp.Union):
        for part in found.args:
            point = representative(part)
            if point is not None:
                return point
    return None


def solution_points(cond: Condition, slices: int = 3) -> list[dict[sp.Symbol, sp.Expr]] | None:
    """Points that satisfy ``cond``: all of them for a finite set in one unknown, else a sample."""
    names = unknowns(cond)
    if not names:
        return None
    var = _solve_for(cond, names)
    if var is None:
        return None
    others = [s for s in names if s != var]
    points: list[dict[sp.Symbol, sp.Expr]] = []
    fixed_points = list(sample_points(others, slices)) if others else [{}]
    for fixed in fixed_points:
        sliced = tuple((f.xreplace(fixed), rel) for f, rel in cond)
        found = solution_set(sliced, var)
        if found is None:
            return None
        for value in _sample_of(found):
            points.append({**fixed, var: value})
    return points


def _solve_for(cond: Condition, names: list[sp.Symbol]) -> sp.Symbol | None:
    best: tuple[int, str] | None = None
    chosen = None
    for name in names:
        degrees = []
        for f, _ in cond:
            num = sp.fraction(sp.together(f))[0]
            if not num.is_polynomial(name):
                degrees.append(99)
            else:
                degrees.append(sp.Poly(num, name).degree())
        key = (max(degrees), str(name))
        if best is None or key < best:
            best, chosen = key, name
    return chosen


def _sample_of(found: sp.Set) -> list[sp.Expr]:
    if isinstance(found, sp.FiniteSet):
        return list(found)[:8]
    if found == sp.S.Reals:
        return [sp.Rational(7, 5), sp.Rational(-13, 7), sp.Rational(5, 3)]
    parts = found.args if isinstance(found, sp.Union) else (found,)
    out: list[sp.Expr] = []
    for part in parts:
        point = representative(part)
        if point is not None:
            out.append(point)
        if isinstance(part, sp.Interval):
            for end, inside in ((part.start, not part.left_open), (part.end, not part.right_open)):
                if inside and end.is_finite:
                    out.append(end)
    return out
