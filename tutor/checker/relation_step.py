"""Whether a line's equations or inequalities follow from the line before."""

from __future__ import annotations

import re

import sympy as sp

from tutor.checker import wording as W
from tutor.checker.context import Context
from tutor.checker.grammar import Statement
from tutor.checker.misconceptions import explain, mistaken_identity
from tutor.checker.relations import (
    Decision,
    alternatives,
    compare_conditions,
    condition_of,
    exprs_equal,
    free,
    implies,
    satisfies_or_none,
)
from tutor.checker.rounding import within_rounding
from tutor.checker.sampling import real_value, render
from tutor.checker.solving import Condition, solution_points, solution_set, unknowns
from tutor.checker.statements import definition_of, substitute, unclear_slash

BACK_ON_TRACK = W.BACK_ON_TRACK.text
_ZERO_PRODUCT = re.compile(r"\)\s*=\s*0\s*$|^\s*0\s*=.*\(")
_DECIMAL = re.compile(r"\d*\.?\d+")


def relation_step(statements: list[Statement], ctx: Context, *, known: bool = True) -> Decision:
    """Whether a line's relations follow from the line before (``known``: with the known
    values put in), and the line kept as the one the next line is compared with."""
    atoms: list[tuple[sp.Expr, str]] = []
    approx = False
    for statement in statements:
        # "x = 4" after "x = 3" states a value; putting the old one in would read "3 = 4".
        keep = known and definition_of(statement) is None
        substituted = [substitute(s, ctx).expr if keep else s.expr for s in statement.sides]
        if not any(free(e) for e in substituted):
            continue
        first, last = statement.sides[0], statement.sides[-1]
        identity = exprs_equal(first.expr, last.expr).verdict == "ok"
        if len(statement.sides) == 2 and identity and statement.rels[0] in ("=", "<=", ">="):
            return Decision("ok", W.IDENTITY.text)
        rels = set(statement.rels)
        if len(rels) != 1:
            return Decision("unknown", W.MIXED_RELATIONS_LINE.text)
        if len(statement.sides) > 2 and rels != {"="}:
            # "2 < x + 1 < 5" holds both inequalities at once; a step's condition is an "or"
            # of atoms, so a chain is not compared, and the next line starts afresh.
            ctx.condition = ctx.before = None
            return Decision("unknown", W.CHAIN_NOT_COMPARED.text)
        rel = statement.rels[0]
        approx = approx or rel == "~"
        atoms.extend(condition_of(first.expr, "=" if rel == "~" else rel, last.expr))
    if not atoms:
        return Decision("ok", W.ARITHMETIC_HOLDS.text)
    cond: Condition = tuple(atoms)
    definitions = [definition_of(s) for s in statements]
    previous, ctx_before = ctx.condition, ctx.before
    is_definition = all(d is not None for d in definitions)
    another_root = (
        is_definition
        and previous is not None
        and _is_definition_cond(previous)
        and ctx_before is not None
        and len(unknowns(ctx_before)) == 1  # roots of one equation, not a formula's value
    )
    if another_root and ctx_before is not None:
        decision = _another_root(ctx_before, cond)
    elif previous is None:
        decision = _lone_claim(statements) or Decision("none", W.STARTING_EQUATION.text)
    elif set(unknowns(cond)) - set(unknowns(previous)) and not (
        ctx.previous_text and explain(ctx.previous_text, statements)
    ):
        # "l = 5", then "w = 3" or "P = 2l + 2w": new letters make a new given or formula.
        decision = _with_known_values(previous, cond, ctx) or Decision("none", W.NEW_GIVEN.text)
    else:
        decision = compare_conditions(previous, cond)
    if decision.verdict == "wrong" and ctx.after_wrong and ctx.history:
        # "3x + 5 = 20", "3x = 20 + 5" (a slip), then "3x = 15": right again, from the last
        # line that was right; no misconception is named for a line that is right.
        back = compare_conditions(ctx.history[-1], cond)
        if back.verdict == "ok":
            decision = Decision("ok", BACK_ON_TRACK)
    if decision.verdict == "wrong" and previous is not None:
        decision = _not_derived(previous, cond, statements, ctx, decision, approx)
    if (
        decision.verdict == "weaker"
        and previous is not None
        and set(unknowns(cond)) - set(unknowns(previous))
    ):
        # "w = 3", then "P = 2l + 2w": a formula bringing in new letters is a new given.
        decision = Decision("none", W.NEW_FORMULA.text)
    if is_definition and not (previous is not None and _is_definition_cond(previous)):
        ctx.before = previous
    if decision.verdict != "wrong":
        ctx.history.append(cond)
    ctx.condition = cond
    return decision


def _lone_claim(statements: list[Statement]) -> Decision | None:
    """A first line that is a claim, judged by itself: ``(x + 3)^2 = x^2 + 9`` is a known
    mistake whatever came before. (A first equation is otherwise the one to solve.)"""
    if len(statements) != 1:
        return None
    found = mistaken_identity(statements[0])
    if found is None:
        return None
    left, right = statements[0].sides
    shown = exprs_equal(left.expr, right.expr)
    return Decision(
        "wrong",
        W.WITH_MISCONCEPTION.format(detail=shown.detail, label=found[1]),
        shown.counterexample,
        found[0],
    )


def _not_derived(
    previous: Condition,
    cond: Condition,
    statements: list[Statement],
    ctx: Context,
    decision: Decision,
    approx: bool,
) -> Decision:
    """A line that does not follow from the one before is wrong only when nothing else
    explains it. Students write roots and cases one per line, rounded values, systems and
    formulas with values put in; none of those follows from the line before, none is wrong.
    """
    if _second_given(previous, cond, statements, ctx):
        return Decision("unknown", W.SECOND_EQUATION.text)
    zero_product = _ZERO_PRODUCT.search(ctx.previous_text or "") is not None
    if (
        ctx.previous_text is not None
        and not zero_product  # "x(x - 1) = 0", then "x = 1": a factor's root, no division
        and explain(ctx.previous_text, statements) is not None
    ):
        return decision  # a known mistake reproduces this line exactly
    if any(unclear_slash(side.text) for statement in statements for side in statement.sides):
        return Decision("unknown", W.UNCLEAR_SLASH.text)
    rounded = _rounded_root(previous, statements, approx)
    if rounded is not None:
        return rounded
    earlier_lines = [previous, *ctx.history[::-1]]
    if any(_a_case_of(earlier, cond) for earlier in earlier_lines):
        # "|x - 1| > 2", then "x - 1 > 2": one case, even if its root turns out extraneous.
        return Decision("ok", W.ONE_CASE.text)
    if approx:
        far = _far_from_roots(previous, statements)
        if far is not None:
            return far
        return Decision("unknown", W.APPROXIMATE_NOT_COMPARED.text)
    if all(rel == "=" for _, rel in cond) and len(unknowns(cond)) == 1:
        # "x = 3" after "x^2 = 9", "x - 3 = 0" after "(x - 2)(x - 3) = 0": roots and cases,
        # one per line. Each must solve the line before, or an earlier one it came from.
        for k, earlier in enumerate(earlier_lines):
            if unknowns(earlier) != unknowns(cond):
                continue
            back = implies(cond, earlier)
            if back is not None and back[0] and _has_solution(cond):
                if k == 0:
                    words = W.CASE_OF_LINE_BEFORE_ALSO.format(value=decision.counterexample)
                else:
                    words = W.CASE_OF_EARLIER_LINE.text
                return Decision("ok", words)
    elif _overlapping(previous, cond):
        # "-1 < 2x + 3", then "2x + 3 < 9": a second condition, not a rewrite of the first.
        return Decision("unknown", W.SECOND_CONDITION.text)
    if len(unknowns(previous + cond)) > 1:
        worked = _with_known_values(previous, cond, ctx) or _from_system(cond, ctx)
        if worked is not None:
            return worked
        # A system is written one equation per line, and a formula gets its values put in.
        # A line with several unknowns that a known mistake does not explain is not proven
        # wrong by failing to follow from the line before.
        return Decision(
            "unknown",
            W.NOT_FOLLOWING_NEW_GIVEN.text,
        )
    return decision


def _second_given(
    previous: Condition, cond: Condition, statements: list[Statement], ctx: Context
) -> bool:
    """``4x + 4y = 36``, then ``x - y = -9``: right after the first equation, a second one in
    the same form (not solved for a letter) in the same unknowns is the system's second
    equation, even when a known mistake would turn the first into it."""
    if len(ctx.history) > 1 or len(statements) != 1 or len(unknowns(previous)) < 2:
        return False
    if unknowns(previous) != unknowns(cond):
        return False
    return not isinstance(statements[0].sides[0].expr, sp.Symbol)


def _with_known_values(previous: Condition, cond: Condition, ctx: Context) -> Decision | None:
    """``P = 2l + 2w`` with ``l = 5`` and ``w = 3`` known, then ``P = 2(5) + 2(4)``: the line
    before with the known values put in must give the same as this line."""
    if not ctx.known:
        return None
    put_in = tuple((f.xreplace(ctx.known), rel) for f, rel in previous)
    if not unknowns(cond) or unknowns(put_in) != unknowns(cond):
        return None
    decision = compare_conditions(put_in, cond)
    if decision.verdict == "ok":
        return Decision("ok", W.KNOWN_VALUES_PUT_IN.text)
    if decision.verdict == "wrong":
        return Decision(
            "wrong",
            W.KNOWN_VALUES_OTHER.format(detail=decision.detail),
            decision.counterexample,
        )
    return None


def _from_system(cond: Condition, ctx: Context) -> Decision | None:
    """``x + y = 10`` and ``x - y = 4``, then ``2x = 14``: a line may combine the two
    equations before it. Their one common solution must solve it."""
    equations = [c for c in ctx.history[-2:] if len(c) == 1 and c[0][1] == "="]
    names = unknowns(tuple(atom for c in equations for atom in c))
    if len(equations) != 2 or len(names) != 2 or not set(unknowns(cond)) <= set(names):
        return None
    try:
        found = sp.solve([f for c in equations for f, _ in c], names, dict=True)
    except (NotImplementedError, ValueError, TypeError):
        return None
    if len(found) != 1 or any(free(v) for v in found[0].values()):
        return None
    point = found[0]
    shown = ", ".join(f"{k} = {render(v)}" for k, v in sorted(point.items(), key=str))
    truth = satisfies_or_none(cond, point)
    if truth is True:
        return Decision("ok", W.FROM_TWO_EQUATIONS.format(values=shown))
    if truth is False:
        return Decision("wrong", W.NOT_FROM_TWO_EQUATIONS.format(values=shown), shown)
    return None


def _a_case_of(earlier: Condition, cond: Condition) -> bool:
    """``x - 3 = 2x`` or ``x - 3 = -2x`` from ``|x - 3| = 2x``; ``x > 3`` from ``x < -1 or
    x > 3``: a case an earlier line splits into."""
    if any(f.has(sp.Abs) for f, _ in earlier):
        for sign in (1, -1):
            opened = tuple((_open_bars(f, sign), rel) for f, rel in earlier)
            if compare_conditions(opened, cond).verdict == "ok":
                return True
    names = unknowns(earlier + cond)
    if len(names) != 1:
        return False
    whole, part = solution_set(earlier, names[0]), solution_set(cond, names[0])
    if not isinstance(whole, sp.Union) or part is None:
        return False
    return any(bool(part == piece) for piece in whole.args)


def _open_bars(f: sp.Expr, sign: int) -> sp.Expr:
    """``|a|`` replaced by ``a`` (sign 1) or ``-a`` (sign -1)."""
    return f.replace(sp.Abs, lambda a: sign * a)


def _far_from_roots(previous: Condition, statements: list[Statement]) -> Decision | None:
    """``x ≈ 2.63`` after ``11x = 30``: no root is within 1% of the value given."""
    names = unknowns(previous)
    if len(names) != 1 or len(statements) != 1:
        return None
    statement = statements[0]
    last = statement.sides[-1]
    if statement.sides[0].expr != names[0] or not last.is_number:
        return None
    roots = _exact_roots(previous, names[0])
    if not roots:
        return None
    for root in roots:
        value = real_value(root, {})
        if value is not None and abs(value - last.expr) <= abs(value) / 100:
            return None
    shown = ", ".join(render(r) for r in roots)
    return Decision("wrong", W.ROUNDED_FAR.format(name=names[0], shown=last.text, values=shown))


def _overlapping(previous: Condition, cond: Condition) -> bool:
    """Two conditions in one unknown whose solutions overlap, neither inside the other."""
    names = unknowns(previous + cond)
    if len(names) != 1:
        return False
    a, b = solution_set(previous, names[0]), solution_set(cond, names[0])
    if a is None or b is None:
        return False
    both = sp.Intersection(a, b)
    # "x <= 3" against "x >= 3" meet only at 3: a forgotten flip, not a second condition.
    return bool(both.measure > 0) and not a.is_subset(b) and not b.is_subset(a)


def _has_solution(cond: Condition) -> bool:
    points = solution_points(cond)
    return bool(points)


def _exact_roots(cond: Condition, var: sp.Symbol) -> list[sp.Expr] | None:
    found = solution_set(cond, var)
    return list(found) if isinstance(found, sp.FiniteSet) else None


def _rounded_root(
    previous: Condition, statements: list[Statement], approx: bool
) -> Decision | None:
    """``x = 0.33`` (or ``x ≈ 0.33``) after ``3x = 1``: a root, rounded as shown."""
    names = unknowns(previous)
    if len(names) != 1:
        return None
    (var,) = names
    roots = _exact_roots(previous, var)
    if roots is None:
        return None
    shown = []
    for statement in statements:
        last = statement.sides[-1]
        if statement.sides[0].expr != var or not _DECIMAL.fullmatch(last.text.strip(" ±+-")):
            return None
        decimals = len(last.text.split(".")[1]) if "." in last.text else 0
        for value in alternatives(last.expr):
            if not any(within_rounding(r, value, decimals, approx) for r in roots):
                return None
        shown.append(last.text.strip())
    return Decision("ok", W.ROOTS_ROUNDED.format(values=" or ".join(shown)))


def _is_definition_cond(cond: Condition) -> bool:
    return all(
        len(free(f)) == 1 and rel == "=" and sp.Poly(f, *free(f)).degree() == 1
        if f.is_polynomial(*free(f))
        else False
        for f, rel in cond
    )


def _another_root(before: Condition, cond: Condition) -> Decision:
    """``x = 3`` after ``x = 2``: each value only has to solve the equation before them."""
    for f, _ in cond:
        (var,) = free(f)
        value = sp.solve(f, var)
        if len(value) != 1:
            return Decision("unknown", W.COULD_NOT_READ_VALUE.text)
        truth = satisfies_or_none(before, {var: value[0]})
        if truth is False:
            return Decision("wrong", W.DOES_NOT_SOLVE.format(name=var, value=render(value[0])))
        if truth is None:
            return Decision("unknown", W.COULD_NOT_EVALUATE_THERE.text)
    return Decision("ok", W.ANOTHER_SOLUTION.text)
