"""Answer equivalence against a key: numbers, expressions, equations, sets, intervals, letters.

``strict`` reads the answer as a CAS would (exact decimals, no multiple-choice letters, no
percent or "x =" leniency, multiplicity of roots counts); the default is the tutor's reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from tutor.checker.extract import boxed_answers
from tutor.checker.grammar import Statement, parse_statement
from tutor.checker.latex import latex_to_plain
from tutor.checker.limits import UNKNOWN_TOO_LARGE, ParseError, TooLarge
from tutor.checker.relations import (
    compare_conditions,
    condition_of,
    exprs_equal,
    free,
    numbers_equal,
)
from tutor.checker.results import AnswerResult
from tutor.checker.rounding import within_rounding
from tutor.checker.sampling import real_value, render, sample_points
from tutor.checker.solving import Condition, solution_set

_LETTER = re.compile(r"^\(?\s*([A-Ea-e])\s*\)?\.?$")
_ANSWER_PREFIX = re.compile(r"^\s*(the\s+)?(final\s+)?answer\s*(is)?\s*[:=]?\s*", re.I)
_INTERVAL = re.compile(r"^([(\[])\s*([^,()\[\]]+?)\s*,\s*([^,()\[\]]+?)\s*([)\]])$")
_MAXIMA = (("%pi", "pi"), ("%e", "e"))


@dataclass(frozen=True)
class _Form:
    kind: str  # letter | set | interval | statement
    letter: str | None = None
    items: tuple[Statement, ...] = ()
    interval: sp.Set | None = None
    braced: bool = False  # written as {a, b}, not as "a or b"


def judge_answer(answer: str, key: str, *, strict: bool = False) -> AnswerResult:
    """Compare in-process (the public ``check_answer`` runs this in the bounded pool)."""
    try:
        a, k = _read(answer, strict), _read(key, strict)
    except TooLarge:
        return AnswerResult(None, UNKNOWN_TOO_LARGE)
    except ParseError as exc:
        return AnswerResult(None, f"could not read ({exc})")
    if a.kind == "letter" or k.kind == "letter":
        if a.kind == k.kind == "letter":
            same = a.letter == k.letter
            return AnswerResult(
                same, f"choice {a.letter} {'matches' if same else 'is not'} {k.letter}"
            )
        return AnswerResult(None, "one side is a multiple-choice letter")
    if a.kind == "interval" or k.kind == "interval":
        return _compare_as_sets(a, k)
    if a.kind == "set" or k.kind == "set":
        if strict and (a.braced or k.braced) and any(s.is_relation for s in a.items + k.items):
            return AnswerResult(None, "sets of equations are not compared strictly")
        return _compare_sets(a.items, k.items, strict)
    return _compare_statements(a.items[0], k.items[0], strict)


def _read(text: str, strict: bool) -> _Form:
    text = text.strip()
    boxed = boxed_answers(text)
    if boxed:
        text = boxed[-1]
    text = _ANSWER_PREFIX.sub("", text).strip().strip("$").strip().rstrip(".").strip()
    if not text:
        raise ParseError("empty")
    if "\\" in text:
        text = latex_to_plain(text)
    if strict:
        for old, new in _MAXIMA:
            text = text.replace(old, new)
    elif (m := _LETTER.match(text)) is not None:
        return _Form("letter", letter=m.group(1).upper())
    if (m := _INTERVAL.match(text)) is not None:
        lo, hi = _bound(m.group(2)), _bound(m.group(3))
        interval = sp.Interval(lo, hi, m.group(1) == "(", m.group(4) == ")")
        return _Form("interval", interval=interval)
    if text.startswith("{") and text.endswith("}"):
        parts = [p for p in re.split(r"\s*,\s*", text[1:-1]) if p]
        return _Form("set", items=tuple(_statement(p, strict) for p in parts), braced=True)
    # "x = 1 and x = -3" lists solutions as a comma does; "a and b" alone is not split.
    parts = re.split(r"\s+or\s+|\s*;\s*|(?:,\s*|\s+and\s+)(?=[A-Za-z]\s*=)|,\s+", text)
    if len(parts) > 1:
        return _Form("set", items=tuple(_statement(p, strict) for p in parts))
    return _Form("statement", items=(_statement(text, strict),))


def _bound(text: str) -> sp.Expr:
    text = text.strip().replace("infinity", "oo").replace("inf", "oo")
    if text in ("oo", "+oo"):
        return sp.oo
    if text == "-oo":
        return -sp.oo
    value = parse_statement(text).sides[0].expr
    if free(value):
        raise ParseError("interval ends must be numbers")
    return value


def _statement(text: str, strict: bool) -> Statement:
    statement = parse_statement(text, strict=strict)
    for side in statement.sides:
        if side.expr.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
            raise ParseError("infinite or undefined value")
    return statement


def _compare_statements(a: Statement, k: Statement, strict: bool) -> AnswerResult:
    if a.is_relation and k.is_relation:
        return _compare_relations(a, k, strict)
    if a.is_relation != k.is_relation:
        if strict:
            return AnswerResult(False, "one is an equation or inequality, the other is not")
        a_value, k_value = _as_value(a), _as_value(k)
        if a_value is None or k_value is None:
            return AnswerResult(False, "one is an equation or inequality, the other is not")
        return _compare_values(a_value, k_value, a, strict)
    return _compare_values(a.sides[0].expr, k.sides[0].expr, a, strict)


def _as_value(statement: Statement) -> sp.Expr | None:
    """``x = 5`` read as 5, for a student who writes the variable out."""
    if not statement.is_relation:
        return statement.sides[0].expr
    if statement.rels == ("=",) and isinstance(statement.sides[0].expr, sp.Symbol):
        return statement.sides[1].expr
    return None


def _compare_values(a: sp.Expr, k: sp.Expr, shown: Statement, strict: bool) -> AnswerResult:
    decision = exprs_equal(a, k)
    if decision.verdict == "ok":
        return AnswerResult(True, "equivalent")
    if decision.verdict == "unknown":
        return AnswerResult(None, decision.detail)
    if not strict and not free(a) and not free(k):
        side = shown.sides[-1]
        if side.is_number and within_rounding(k, a, side.decimals, approx=False):
            return AnswerResult(True, f"{side.text} is {render(k)} rounded")
        if side.percent and numbers_equal(a * 100, k):
            return AnswerResult(True, "the same number, written as a percentage")
        if numbers_equal(a, k * 100) and side.percent is False and _is_percent_key(k):
            return AnswerResult(True, "the same percentage")
    return AnswerResult(False, decision.detail)


def _is_percent_key(k: sp.Expr) -> bool:
    return bool(k.is_Rational and 0 < abs(k) <= 1)


def _condition(statement: Statement) -> Condition:
    if len(set(statement.rels)) != 1:
        raise ParseError("mixed relations")
    return condition_of(statement.sides[0].expr, statement.rels[0], statement.sides[-1].expr)


def _compare_relations(a: Statement, k: Statement, strict: bool) -> AnswerResult:
    try:
        ca, ck = _condition(a), _condition(k)
    except ParseError as exc:
        return AnswerResult(None, str(exc))
    return _compare_conditions(ca, ck, strict)


def _unknowns(cond: Condition) -> set[sp.Symbol]:
    found: set[sp.Symbol] = set()
    for f, _ in cond:
        found |= free(f)
    return found


def _compare_conditions(ca: Condition, ck: Condition, strict: bool) -> AnswerResult:
    if not _unknowns(ca) or not _unknowns(ck) or _unknowns(ca) != _unknowns(ck):
        return AnswerResult(None, "the two use different unknowns")
    if strict and all(rel == "=" for _, rel in ca + ck):
        product_a = sp.Mul(*[f for f, _ in ca])
        product_k = sp.Mul(*[f for f, _ in ck])
        if _proportional(product_a, product_k):
            return AnswerResult(True, "the same equation up to a constant factor")
    forward = compare_conditions(ck, ca)
    backward = compare_conditions(ca, ck)
    if "wrong" in (forward.verdict, backward.verdict):
        bad = forward if forward.verdict == "wrong" else backward
        return AnswerResult(False, bad.detail)
    if forward.verdict == "weaker" or backward.verdict == "weaker":
        return AnswerResult(False, "the solution sets differ")
    if forward.verdict == backward.verdict == "ok":
        if strict and all(rel == "=" for _, rel in ca + ck):
            return _multiplicity(ca, ck)
        return AnswerResult(True, "the same solutions")
    return AnswerResult(None, "could not compare")


def _proportional(a: sp.Expr, b: sp.Expr) -> bool:
    """``a / b`` takes one nonzero value at every sampled point."""
    symbols = sorted(free(a) | free(b), key=str)
    ratio: sp.Float | None = None
    seen = 0
    for point in sample_points(symbols, 10):
        va, vb = real_value(a, point), real_value(b, point)
        if va is None or vb is None or abs(vb) < 1e-20:
            continue
        r = va / vb
        if ratio is None:
            ratio = r
        elif abs(r - ratio) > 1e-20 * (1 + abs(ratio)):
            return False
        seen += 1
    return seen >= 3 and ratio is not None and abs(ratio) > 1e-20


def _multiplicity(ca: Condition, ck: Condition) -> AnswerResult:
    """A CAS reads ``(x - 2)^2 = 0`` and ``x = 2`` as different: roots count with multiplicity."""
    names = _unknowns(ca)
    if len(names) != 1:
        return AnswerResult(None, "the same solutions, but multiplicity is not compared")
    (var,) = names
    counts = []
    for cond in (ca, ck):
        poly_expr = sp.Mul(*[sp.fraction(sp.together(f))[0] for f, _ in cond])
        if not poly_expr.is_polynomial(var):
            return AnswerResult(None, "the same solutions, but multiplicity is not compared")
        counts.append(sp.Poly(poly_expr, var).sqf_list()[1])
    degrees = [sorted(m for _, m in c) for c in counts]
    same = degrees[0] == degrees[1]
    return AnswerResult(same, "the same roots" + ("" if same else " with other multiplicities"))


def _compare_sets(
    a_items: tuple[Statement, ...], k_items: tuple[Statement, ...], strict: bool
) -> AnswerResult:
    if not a_items or not k_items:
        return AnswerResult(None, "one side is not a set")
    if all(s.is_relation for s in a_items + k_items):
        try:
            ca = tuple(atom for s in a_items for atom in _condition(s))
            ck = tuple(atom for s in k_items for atom in _condition(s))
        except ParseError as exc:
            return AnswerResult(None, str(exc))
        return _compare_conditions(ca, ck, strict)
    a_vals = [_as_value(s) for s in a_items]
    k_vals = [_as_value(s) for s in k_items]
    if any(v is None for v in a_vals + k_vals):
        return AnswerResult(None, "mixed set elements")
    if strict and not all(v is not None and v.is_Rational for v in a_vals + k_vals):
        return AnswerResult(None, "set elements are compared only when they are numbers")
    a_set = _distinct([v for v in a_vals if v is not None])
    k_set = _distinct([v for v in k_vals if v is not None])
    for x in a_set:
        if not any(exprs_equal(x, y).verdict == "ok" for y in k_set):
            return AnswerResult(False, f"{render(x)} is not in the key")
    for y in k_set:
        if not any(exprs_equal(x, y).verdict == "ok" for x in a_set):
            return AnswerResult(False, f"{render(y)} is missing")
    return AnswerResult(True, "the same set")


def _distinct(values: list[sp.Expr]) -> list[sp.Expr]:
    out: list[sp.Expr] = []
    for v in values:
        if not any(exprs_equal(v, w).verdict == "ok" for w in out):
            out.append(v)
    return out


def _relation_set(items: tuple[Statement, ...]) -> sp.Set | None:
    """``x > 1 or x < -2`` and chains such as ``1 < x <= 3`` as a set of real numbers."""
    parts: list[sp.Set] = []
    for statement in items:
        pieces: list[sp.Set] = []
        for i, rel in enumerate(statement.rels):
            cond = condition_of(statement.sides[i].expr, rel, statement.sides[i + 1].expr)
            names = _unknowns(cond)
            if len(names) != 1:
                if not names:
                    continue
                return None
            found = solution_set(cond, next(iter(names)))
            if found is None:
                return None
            pieces.append(found)
        if not pieces:
            return None
        parts.append(sp.Intersection(*pieces) if len(pieces) > 1 else pieces[0])
    return sp.Union(*parts) if len(parts) > 1 else parts[0]


def _compare_as_sets(a: _Form, k: _Form) -> AnswerResult:
    sets = []
    for form in (a, k):
        if form.kind == "interval":
            sets.append(form.interval)
        elif form.kind in ("statement", "set") and all(s.is_relation for s in form.items):
            sets.append(_relation_set(form.items))
        else:
            return AnswerResult(False, "an interval and a value")
    if sets[0] is None or sets[1] is None:
        return AnswerResult(None, "could not solve")
    same = sp.Complement(sets[0], sets[1]).is_empty and sp.Complement(sets[1], sets[0]).is_empty
    if same is None:
        return AnswerResult(None, "could not compare the sets")
    return AnswerResult(bool(same), "the same set" if same else "the sets differ")
