"""One statement on its own: whether its arithmetic holds, and the value it gives a letter."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from fractions import Fraction

import sympy as sp

from tutor.checker import wording as W
from tutor.checker.context import Context
from tutor.checker.grammar import Side, Statement, parse_statement
from tutor.checker.limits import ParseError, TooLarge
from tutor.checker.relations import Decision, check_numeric, free
from tutor.checker.sampling import real_value, render

_RUNNING = re.compile(r"^\$?\(?\s*(\d[\d,]*(?:\.\d+)?)")


def internal_claims(statement: Statement, ctx: Context, source: str) -> Decision | None:
    """Check each relation inside one statement that has no unknowns left."""
    decisions: list[Decision] = []
    sides = statement.sides
    definition = definition_of(statement)
    for i, rel in enumerate(statement.rels):
        left, right = sides[i], sides[i + 1]
        if definition is not None and i == 0:
            continue
        lk, rk = substitute(left, ctx), substitute(right, ctx)
        if free(lk.expr) or free(rk.expr):
            continue
        decision = check_numeric(lk, rk, rel, approx=rel == "~")
        if decision.verdict == "wrong":
            decision = _other_reading(lk, rk, rel) or decision
        if decision.verdict == "wrong" and source == "model":
            decision = _rounded_inputs(lk, rk, rel) or decision
        if decision.verdict == "wrong" and source == "model" and _ambiguous(sides, i):
            continue
        if decision.verdict == "wrong" and source == "student" and _regrouped_holds(lk, rk, rel):
            continue
        substituted = bool(free(left.expr) or free(right.expr))
        one_sided = not (free(left.expr) and free(right.expr))
        letters = free(left.expr) | free(right.expr)
        given = letters <= set(ctx.given)  # "Let x = 6": a value for the whole solution
        if decision.verdict == "wrong" and substituted and source == "model" and one_sided:
            if given and len(sides) > 2:
                decisions.append(decision)
                continue
            # "b - a = 20002 - 19991": the prose put in values of its own; letters reused
            # from a case before are not the ones meant. A link with letters on both sides
            # ("x^3 - 7x^2 + 8 = (x - 1)(x^2 - 6x - 8)" with x = 1) is a claim about them.
            continue
        if decision.verdict == "wrong" and substituted and len(sides) == 2 and source == "model":
            # "x = 0.5; x + 3 = 0 gives x = -3": an equation in a letter whose value is known
            # may be a new equation to solve (the other factor), not a claim about that value.
            continue
        decisions.append(decision)
    for decision in decisions:
        if decision.verdict == "wrong":
            return decision
    return decisions[0] if decisions else None


def _other_reading(left: Side, right: Side, rel: str) -> Decision | None:
    """School readings a CAS does not take: ``sin(30) = 1/2`` in degrees, ``(-8)^(1/3) = -2``
    as the real cube root. A claim true in one of them is not wrong."""
    readings = [
        (W.IN_DEGREES.text, left.expr.replace(lambda e: isinstance(e, _TRIG), _in_degrees)),
        (W.REAL_ROOT.text, left.expr.replace(_odd_root, _real_root)),
    ]
    change = _PERCENT_CHANGE_SIDE.fullmatch(left.text)
    if change is not None:
        # "50 + 20% = 60": the shorthand for 50 increased by 20%.
        base = sp.Rational(change.group(1).replace(",", ""))
        sign, rate = change.group(2), sp.Rational(change.group(3))
        factor = 1 + (rate / 100 if sign == "+" else -rate / 100)
        how = W.AS_PERCENT_CHANGE.format(base=base, sign=sign, rate=rate)
        readings.append((how, base * factor))
    for how, expr in readings:
        if expr == left.expr:
            continue
        side = Side(expr, left.text, left.decimals, left.is_number, left.percent)
        if check_numeric(side, right, rel, approx=rel == "~").verdict == "ok":
            return Decision("ok", W.EQUAL_READ_AS.format(left=left.text, right=right.text, how=how))
    return None


_TRIG = (sp.sin, sp.cos, sp.tan)
_LATEX_FRACTION = re.compile(r"\(\([^()]*\)/\([^()]*\)\)")
_PERCENT_CHANGE_SIDE = re.compile(
    r"\s*\$?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*([+-])\s*(\d+(?:\.\d+)?)\s*%\s*"
)


def _in_degrees(e: sp.Expr) -> sp.Expr:
    (arg,) = e.args
    return type(e)(arg * sp.pi / 180) if arg.is_number else e


def _odd_root(e: sp.Expr) -> bool:
    return bool(e.is_Pow and e.base.is_negative and e.exp.is_Rational and e.exp.q % 2 == 1)


def _real_root(e: sp.Expr) -> sp.Expr:
    return -((-e.base) ** e.exp) if e.exp.p % 2 else (-e.base) ** e.exp


# A decimal of three or more places in prose stands in for a value it rounds (2.8284 for 2√2).
_LONG_DECIMAL = re.compile(r"(?<![\d.])\d+\.\d{3,}(?![\d.])")


def _rounded_inputs(left: Side, right: Side, rel: str) -> Decision | None:
    """``(2.8284)^2 = 8``: the claim holds for some values that the long decimals on the left
    round (or cut off) to. Each decimal is moved by one unit of its last place either way."""
    literals = list(_LONG_DECIMAL.finditer(left.text))
    if rel not in ("=", "~") or not literals or len(literals) > 3 or free(right.expr):
        return None
    places = max(len(m.group(0).split(".")[1]) for m in literals)
    if right.decimals is not None and right.decimals > places:
        return None  # "0.971 * 1.089 = 1.056519": worked out from the decimals as written
    claimed = real_value(right.expr, {})
    found = []
    for signs in itertools.product((-1, 1), repeat=len(literals)):
        text = left.text
        for m, sign in reversed(list(zip(literals, signs, strict=True))):
            places = len(m.group(0).split(".")[1])
            bound = Fraction(m.group(0)) + sign * Fraction(1, 10**places)
            text = f"{text[: m.start()]}({bound.numerator}/{bound.denominator}){text[m.end() :]}"
        try:
            value = real_value(parse_statement(text).sides[0].expr, {})
        except (ParseError, TooLarge):
            return None
        if value is None or claimed is None:
            return None
        found.append(value)
    if min(found) <= claimed <= max(found):
        return Decision(
            "ok",
            W.EQUAL_WITH_ROUNDED.format(
                left=left.text, right=right.text, number=literals[0].group(0)
            ),
        )
    return None


def unclear_slash(text: str) -> bool:
    """``(-3 ± 5)/2·2``, ``1/2a`` or ``1/2 / 1/4``: a student's slash that may divide by
    more than the next number."""
    return _UNCLEAR_SLASH.search(text) is not None


def _regrouped_holds(left: Side, right: Side, rel: str) -> bool:
    """Whether the claim holds when a student's unclear slash divides by the whole product
    after it (``1/2*2`` read as ``1/(2*2)``). A claim true in either reading is not wrong."""
    if not unclear_slash(left.text):
        return False
    try:
        regrouped = parse_statement(_UNCLEAR_SLASH.sub(_group_divisor, left.text)).sides[0]
    except (ParseError, TooLarge):
        return False
    return check_numeric(regrouped, right, rel, approx=rel == "~").verdict == "ok"


def _group_divisor(m: re.Match[str]) -> str:
    return "/(" + m.group(0)[1:] + ")"


# "/2*2", "/2·2", "/2a": a product right after a slash, with no space.
_UNCLEAR_SLASH = re.compile(
    r"/\d+(?:\.\d+)?(?:[*\u00b7]\d+(?:\.\d+)?|[A-Za-z])+"
    r"|/\s*\d+(?:\.\d+)?\s*\*\s*10\s*\^\s*\(?-?\d+\)?"  # "/ 2*10^2": scientific notation
)


def _ambiguous(sides: Sequence[Side], i: int) -> bool:
    """Prose that does not say what it means: a running computation, or ``a / b/c``."""
    # A fraction read from LaTeX, "((28)/(35))", says what it divides.
    slashes = _LATEX_FRACTION.sub("", sides[i].text).count("/")
    return _running(sides, i) or slashes >= 2


def _running(sides: Sequence[Side], i: int) -> bool:
    """``2 * 3 = 6 * 4 = 24``: a running computation, not the claim 2 * 3 = 6 * 4."""
    if i + 1 >= len(sides) or sides[i + 1].is_number:
        return False
    m = _RUNNING.match(sides[i + 1].text)
    if m is None:
        return False
    try:
        lead = sp.Rational(m.group(1).replace(",", ""))
    except (TypeError, ValueError):
        return False
    value = sides[i].expr
    return bool(value.is_number and abs(value - lead) < sp.Rational(1, 100) * (1 + abs(lead)))


def substitute(side: Side, ctx: Context) -> Side:
    """The side with the values known so far put in."""
    if not ctx.known or not free(side.expr):
        return side
    return Side(
        side.expr.xreplace(ctx.known), side.text, side.decimals, side.is_number, side.percent
    )


def definition_of(statement: Statement) -> tuple[sp.Symbol, sp.Expr] | None:
    """``x = 5`` or ``x = 2 + 3 = 5``: a single unknown given a number."""
    first = statement.sides[0].expr
    last = statement.sides[-1].expr
    if (
        isinstance(first, sp.Symbol)
        and all(rel == "=" for rel in statement.rels)
        and not free(last)
        and last.is_real
    ):
        return first, last
    return None


def render_statement(statement: Statement) -> str:
    """A statement as it was read, for ``read_as``: ``2*(x + 3) = 8``."""
    parts = [render(statement.sides[0].expr)]
    for rel, side in zip(statement.rels, statement.sides[1:], strict=True):
        parts.append(f" {rel} {render(side.expr)}")
    return "".join(parts)
