"""The model's prose: the math in each step, against itself and the steps before."""

from __future__ import annotations

import itertools
import re

import sympy as sp

from tutor.checker import wording as W
from tutor.checker.congruences import judge_congruence
from tutor.checker.context import Context, Equation
from tutor.checker.extract import (
    Claim,
    claims_in,
    equations_in,
    expressions_in,
    inequalities_in,
)
from tutor.checker.facts import false_facts
from tutor.checker.grammar import Statement, parse_statement
from tutor.checker.limits import UNKNOWN_TOO_LARGE, ParseError, TooLarge
from tutor.checker.misconceptions import mistaken_identity
from tutor.checker.readings import parse_readings
from tutor.checker.relations import Decision, condition_of, exprs_equal, free, numbers_equal
from tutor.checker.results import StepResult
from tutor.checker.rounding import within_rounding
from tutor.checker.sampling import render
from tutor.checker.solving import solution_set, unknowns
from tutor.checker.statements import definition_of, internal_claims, render_statement

_LETTER = re.compile(r"[A-Za-z]")
_CASES = re.compile(r"\b(?:case|cases|or|otherwise|when|if|also)\b", re.I)
_OPERATES = re.compile(
    r"\b(?:divid\w*|multipl\w*|subtract\w*|add\w*|simplif\w*|isolat\w*|solv\w*|gives|get|"
    r"flip\w*|revers\w*|so|thus|therefore|hence)\b",
    re.I,
)
_REWRITES = re.compile(
    r"\b(?:distribut\w*|expand\w*|simplif\w*|combin\w*|collect\w*|factor\w*|rewrit\w*|"
    r"becomes|gives)\b",
    re.I,
)
# "4x = 20", "150 = 50t", "(3/4)x = 12": one term on each side.
_SIMPLE_EQUATION = re.compile(
    r"\s*(?:[-$\d.,()/ ]*\*?\s*[A-Za-z]\s*=\s*[-$\d.,]+"
    r"|[-$\d.,]+\s*=\s*[-$\d.,()/ ]*\*?\s*[A-Za-z])\s*"
)
_SUPPOSES = re.compile(
    r"\b(?:if|suppose|assume|assuming|try|trying|guess|test|testing|plug|plugging|part)\b"
    r"|\(\s*[a-h]\s*\)|\b(?:second|next|another|other)\s+(?:equation|part|question|problem)\b",
    re.I,
)
_BRANCHES = re.compile(r"\bor\b|\u00b1|\\pm\b|\broots?\b|\bsolutions\b|\bcases?\b", re.I)
_PLAIN_VALUE = re.compile(r"-?\(?-?\$?\d[\d,]*(?:\.\d+)?(?:/\d+)?\)?%?")


def judge_model(text: str, index: int, ctx: Context) -> StepResult:
    """One step of the model's prose: each claim, equation, rewrite and flip in it."""
    decisions: list[Decision] = []
    read: list[str] = []
    # A value given in prose holds where it was given: the next step is often another case,
    # trial or supposition ("If a = -1 ...", "For n = 6 ..."), so values do not carry over.
    ctx.known = dict(ctx.given)
    gives = _GIVES.match(text) is not None
    before: Statement | None = None
    for claim in claims_in(text):
        if claim.source == "congruence":
            congruence = judge_congruence(claim.text)
            if congruence is not None:
                decisions.append(congruence)
                read.append(claim.text)
            before = None
            continue
        try:
            statements = parse_readings(claim.text, words=claim.source != "latex")
        except TooLarge:
            decisions.append(Decision("unknown", UNKNOWN_TOO_LARGE))
            before = None
            continue
        except ParseError:
            before = None
            continue
        if not statements[0].is_relation:
            before = None
            continue
        read.append(render_statement(statements[0]))
        decision = least_wrong([_claim_decision(st, claim, text, ctx) for st in statements])
        if (
            claim.implied
            and before is not None
            and (decision is None or decision.verdict != "wrong")
        ):
            decision = _implication(before, statements[0]) or decision
        if decision is not None:
            decisions.append(decision)
        before = statements[0]
        for statement in statements:
            definition = definition_of(statement)
            if definition is not None and claim.source != "plain":
                ctx.known[definition[0]] = definition[1]
                if gives:
                    ctx.given[definition[0]] = definition[1]
    for fact in false_facts(text):
        decisions.append(Decision("wrong", fact.detail))
        read.append(fact.text)
    branches = _BRANCHES.search(text) is not None
    if _SUPPOSES.search(text) or branches:
        # "If x = 5, then ...", "x - 3 = 5 or x - 3 = -5": values tried or cases split, each
        # its own line of thought; none is derived from the equation before it.
        ctx.equation = None
    for equation in equations_in(text):
        decision = _equation_claim(equation, ctx, index, roots=branches)
        if decision is not None:
            decisions.append(decision)
            read.append(equation)
        if branches:
            ctx.equation = None
    rewrite = _prose_rewrite(text, ctx)
    if rewrite is not None:
        decisions.append(rewrite)
    flip = _prose_flip(text, ctx)
    if flip is not None:
        decisions.append(flip)
    shown = "; ".join(read) or None
    for decision in decisions:
        if decision.verdict == "wrong":
            return StepResult(
                index, "wrong", decision.detail, decision.rule, shown, decision.counterexample
            )
    if any(d.verdict == "ok" for d in decisions):
        return StepResult(
            index, "ok", "; ".join(d.detail for d in decisions if d.verdict == "ok"), None, shown
        )
    if decisions:
        return StepResult(index, "unknown", decisions[0].detail, None, shown)
    return StepResult(index, "none", W.NO_CHECKABLE_MATH.text, None, shown)


def least_wrong(decisions: list[Decision | None]) -> Decision | None:
    """One claim judged in each of its readings: wrong only when wrong in every one."""
    if decisions and all(d is not None and d.verdict == "wrong" for d in decisions):
        return decisions[0]
    kept = [d for d in decisions if d is None or d.verdict != "wrong"]
    return next((d for d in kept if d is not None and d.verdict == "ok"), kept[0] if kept else None)


def _claim_decision(statement: Statement, claim: Claim, text: str, ctx: Context) -> Decision | None:
    """One reading of one claim: its arithmetic, with the prose around it taken into account."""
    if any(rel not in ("=", "~") for rel in statement.rels):
        # "the area up to x = 5 ... on 4 <= x < 5": a range a letter runs over, not a claim
        # about the value it was given.
        ctx = Context()
    decision = internal_claims(statement, ctx, "model")
    if claim.approx and decision is not None and decision.verdict == "wrong":
        decision = _internal_claims_approx(statement, ctx)
    if decision is not None and decision.verdict == "wrong" and claim.mixed_units:
        # "1 hour + 30 minutes = 90 minutes", "12 inches = 1 foot": units were dropped.
        decision = Decision("unknown", W.UNITS_DIFFER.text)
    if decision is not None and decision.verdict == "wrong" and _REMAINDER.search(text):
        decision = _whole_quotient(statement) or decision
    if decision is not None and decision.verdict == "wrong" and _REFUTES.search(text):
        # "2 + 1 = 1 (False)", "0 = -44. This is a contradiction": the prose says the
        # relation fails; showing that is the point of the step.
        decision = Decision("unknown", W.SAID_FALSE.text)
    if claim.source == "named":
        decision = _named_identity(statement) or decision
    if (decision is None or decision.verdict != "wrong") and not _REFUTES.search(text):
        decision = _chain_identity(statement) or _rewritten_side(statement) or decision
    return decision


def _chain_identity(statement: Statement) -> Decision | None:
    """``y = (3R + 1) + 3(C - 1) = 3R + 3C - 1``: after the first link of a chain, two
    neighbouring sides that are expressions in the same letters are one value rewritten, so
    they must agree at every point (a verified point where they differ proves it wrong)."""
    if len(statement.sides) < 3 or any(rel != "=" for rel in statement.rels):
        return None
    names = free(statement.sides[0].expr)
    if not names or any(free(side.expr) != names for side in statement.sides):
        # "r^2 = (h - 2)^2 + k^2 = (h - 4)^2 + k^2": a condition, not one value rewritten.
        return None
    if any(not n.name.isalpha() or n.name.isupper() for n in names):
        return None  # function values; "AB", "[ABC]": segments and areas named by points
    # The first link may be the equation itself ("2^(x-1) + 3^(x+1) = 2^(2x) * 3^(-x) = ...",
    # the right side then rewritten); the links after it rewrite one side.
    for a, b in itertools.pairwise(statement.sides[1:]):
        if not (_algebraic(a.expr) and _algebraic(b.expr)) or _degree(a.expr) != _degree(b.expr):
            # "3 - c^3 = 3 - (1 - 3c)": a relation put in (c is a root), not a rewrite.
            continue
        decision = exprs_equal(a.expr, b.expr)
        if decision.verdict == "wrong":
            return Decision(
                "wrong",
                W.IS_NOT_BECAUSE.format(left=a.text, right=b.text, detail=decision.detail),
                decision.counterexample,
            )
    return None


def _algebraic(expr: sp.Expr) -> bool:
    """Numbers and letters with + - * / and powers: no functions whose identities (trig,
    floor, logs) a reader may be using."""
    return all(
        isinstance(node, sp.Add | sp.Mul | sp.Pow | sp.Symbol | sp.Number)
        for node in sp.preorder_traversal(expr)
    )


def _degree(expr: sp.Expr) -> tuple[int, int] | None:
    """The total degrees of numerator and denominator, None when not a rational function."""
    num, den = sp.fraction(sp.together(expr))
    gens = sorted(expr.free_symbols, key=str)
    try:
        return sp.Poly(num, *gens).total_degree(), sp.Poly(den, *gens).total_degree()
    except (sp.PolynomialError, sp.GeneratorsNeeded):
        return None


def _rewritten_side(statement: Statement) -> Decision | None:
    """``64 + 32 + 23 - 0.32x = 129 - 0.32x``, ``(25x + 150)/10 = 25x + 15``: one side
    rewritten into the other. Sides that differ by a fixed nonzero number for every value
    cannot both come from one equation, and a side that a known mistake makes of the other
    is that mistake; anything else may be an equation to solve."""
    if len(statement.sides) != 2 or statement.rels != ("=",):
        return None
    left, right = statement.sides
    names = free(left.expr)
    if not names or names != free(right.expr) or any("(" in n.name for n in names):
        return None
    gap = sp.expand(left.expr - right.expr)
    if gap.is_number and gap != 0:
        return Decision(
            "wrong", W.DIFFER_BY.format(left=left.text, right=right.text, gap=render(gap))
        )
    found = mistaken_identity(statement)
    if found is None:
        return None
    return Decision(
        "wrong",
        W.IS_NOT_MISCONCEPTION.format(left=left.text, right=right.text, label=found[1]),
        rule=found[0],
    )


# "410 ÷ 333 = 1 remainder 77", "6 full turns with 90 left", "5 complete cycles".
_REMAINDER = re.compile(
    r"\b(?:remainders?|rem|left\s*over|leftover|left|full|complete|whole|quotient|"
    r"integer\s+part|floor)\b|\d\s*R\s*\d",
    re.I,
)


# "Let x = 6.", "Set a = 2": a value for the rest of the solution, not a case.
_GIVES = re.compile(r"^\W*(?:let|set|define|denote)\b", re.I)
_REFUTES = re.compile(
    r"\b(?:contradict\w*|impossible|false|absurd|not\s+(?:possible|true|valid|equal|hold|"
    r"satisf\w*)|(?:does|do|did)\s*(?:n't|not)\s+(?:hold|work|satisfy|equal|equate|add)|"
    r"cannot\s+be|is\s+not\s+a\s+solution|invalid)\b",
    re.I,
)


def _whole_quotient(statement: Statement) -> Decision | None:
    """``410 / 333 = 1`` where the prose gives a remainder: the whole-number quotient."""
    if len(statement.sides) != 2 or "/" not in statement.sides[0].text:
        return None
    left, right = statement.sides[0].expr, statement.sides[1].expr
    # "-161 / 13 = -12 remainder -5": cut toward zero, as a remainder with a sign is.
    if left.is_Rational and right.is_Integer and right in (sp.floor(left), int(left)):
        return Decision("ok", W.WITH_REMAINDER.format(left=statement.sides[0].text, value=right))
    return None


def _implication(before: Statement, after: Statement) -> Decision | None:
    """``-2 + 4a + 8 = 0 \\implies 4a = -10``: in one unknown, what is implied must keep a
    solution of what implies it. Solution sets that do not meet prove the step wrong."""
    conditions = []
    for statement in (before, after):
        if len(statement.sides) != 2 or statement.rels[0] not in ("=", "<", ">", "<=", ">="):
            return None
        sides = statement.sides
        conditions.append(condition_of(sides[0].expr, statement.rels[0], sides[1].expr))
    names = unknowns(conditions[0])
    if len(names) != 1 or unknowns(conditions[1]) != names:
        return None
    first, second = (solution_set(c, names[0]) for c in conditions)
    if first is None or second is None or first.is_empty or not first.is_finite_set:
        return None
    if not sp.Intersection(first, second).is_empty:
        return None
    shown = ", ".join(render(v) for v in sorted(first, key=sp.default_sort_key)[:3])
    return Decision(
        "wrong",
        W.GIVES_NOT_SOLVING.format(
            before=render_statement(before),
            name=names[0],
            values=shown,
            after=render_statement(after),
        ),
        f"{names[0]} = {shown}",
    )


def _prose_rewrite(text: str, ctx: Context) -> Decision | None:
    """ "Distribute: \\(5x + 4 - 6x + 12\\)" after "Simplify \\(5(x + 4) - 6(x - 2)\\)": a step
    that says it rewrites (distribute, expand, simplify, combine, factor) and shows one
    expression must equal the expression shown last."""
    found = expressions_in(text)
    if len(found) != 1:
        return None
    try:
        expr = parse_statement(found[0]).sides[0].expr
    except (ParseError, TooLarge):
        return None
    if not free(expr) or expr.is_Symbol or isinstance(expr, sp.Function):
        return None  # "Solve for \(f\)": a name, not an expression
    previous, ctx.prose_expression = ctx.prose_expression, expr
    if previous is None or free(previous) != free(expr):
        return None
    math_at = min((text.find(m) for m in ("\\(", "\\[", "$") if m in text), default=0)
    if _NAMES_A_FACTOR.search(text[:math_at]):
        return None  # "multiplying both sides by \\((3 - z)\\)": an operand, not a rewrite
    if not _REWRITES.search(text[max(0, math_at - 60) : math_at]):
        return None  # the step does not say, right before it, that it rewrites
    decision = exprs_equal(previous, expr)
    if decision.verdict != "wrong":
        return decision
    return Decision(
        "wrong",
        W.IS_NOT_BECAUSE.format(left=render(expr), right=render(previous), detail=decision.detail),
        decision.counterexample,
    )


_NAMES_A_FACTOR = re.compile(r"\b(?:by|of|for|with|from|to|into)\s*$", re.I)


def _prose_flip(text: str, ctx: Context) -> Decision | None:
    """``-4x <= 8``, then ``x <= -2``: in one unknown, an inequality whose solutions meet the
    previous one's only at its end is a flip left out (or made where none belongs)."""
    found = inequalities_in(text)
    if len(found) != 1:
        return None
    try:
        statement = parse_statement(found[0])
    except (ParseError, TooLarge):
        return None
    if len(statement.sides) != 2 or statement.rels[0] not in ("<", ">", "<=", ">="):
        return None
    cond = condition_of(statement.sides[0].expr, statement.rels[0], statement.sides[1].expr)
    previous, ctx.prose_inequality = ctx.prose_inequality, cond
    names = unknowns(cond)
    if previous is None or len(names) != 1 or unknowns(previous) != names:
        return None
    if _CASES.search(text) or not _OPERATES.search(text):
        return None  # a second case, or a step that does not say it works on the one before
    before, now = solution_set(previous, names[0]), solution_set(cond, names[0])
    if before is None or now is None:
        return None
    if sp.Intersection(before, now).measure == 0 and sp.Union(before, now).measure == sp.oo:
        return Decision(
            "wrong",
            W.FLIPPED.format(relation=found[0]),
        )
    return None


def _internal_claims_approx(statement: Statement, ctx: Context) -> Decision | None:
    approx = Statement(statement.sides, tuple("~" if r == "=" else r for r in statement.rels))
    return internal_claims(approx, ctx, "model")


def _named_identity(statement: Statement) -> Decision | None:
    """``Total = 3/4 A + A`` then ``Total = 2A``: one quantity, so the two must be identical."""
    left, right = statement.sides[0], statement.sides[-1]
    names = free(left.expr)
    if not names or names != free(right.expr):
        return None
    decision = exprs_equal(left.expr, right.expr)
    if decision.verdict != "wrong":
        return decision
    return Decision(
        "wrong",
        W.SAME_QUANTITY.format(
            left=left.text,
            left_value=render(left.expr),
            right=right.text,
            right_value=render(right.expr),
        ),
        decision.counterexample,
    )


def _equation_claim(
    text: str, ctx: Context, index: int = 0, *, roots: bool = False
) -> Decision | None:
    """An equation in model prose, against itself and against the equation before it.

    A rewrite such as ``(x - 16 + 100) - 25 = x + 69 - 25`` is wrong when its two sides differ
    by a fixed nonzero number. An equation with one unknown that fixes its value
    (``3.01B = 4500``) must give the same value as the previous such equation in that unknown
    (``0.99B + 1.01B + B = 4500``); a stated decimal may be rounded.
    """
    try:
        statement = parse_statement(text)
    except (ParseError, TooLarge):
        return None
    sides = statement.sides
    if not statement.is_relation or any(rel != "=" for rel in statement.rels):
        return None
    for a, b in itertools.pairwise(sides):
        if len(sides) > 2 and free(a.expr) and free(b.expr):
            gap = sp.expand(a.expr - b.expr)
            if gap.is_number and gap != 0:
                return Decision(
                    "wrong", W.DIFFER_BY.format(left=a.text, right=b.text, gap=render(gap))
                )
    names = set().union(*(free(side.expr) for side in sides))
    if len(names) != 1:
        return None
    (var,) = names
    value = _linear_root(sides[0].expr - sides[-1].expr, var)
    if value is None:
        # "x^2 + x - 6 = 0": more than one root may follow, each stated on its own.
        ctx.equation = None
        return None
    decimals = sides[-1].decimals if sides[0].expr == var and sides[-1].is_number else None
    states = _LETTER.fullmatch(sides[0].text.strip()) is not None and not any(
        free(side.expr) for side in sides[1:]
    )
    # "S = 165 * 6/11" leaves its computation open; "x = 12/4 = 3" ends on a value.
    # "x = 10^(100)" is a value too: only a computation left to finish is open.
    last = _bare_text(sides[-1].text)
    open_chain = states and not _PLAIN_VALUE.fullmatch(last) and _COMPUTES.search(last) is not None
    previous = ctx.equation
    ctx.equation = Equation(var, value, text, decimals, states, index, open_chain)
    if previous is None or previous.unknown != var:
        return None
    before, before_text = previous.value, previous.text
    if (
        not states
        and not previous.states
        and _SIMPLE_EQUATION.fullmatch(text)
        and _SIMPLE_EQUATION.fullmatch(before_text)
    ):
        # "4x = 20, so each costs $5", then "3x = 18": two equations of one term each are two
        # questions in the same letter (two bags, two trips), not a rewrite of one another.
        return None
    if previous.states and not (previous.open_chain and previous.step == index and not roots):
        # After "x = 1/2" or "A = 1000(1.05) = 1050" a new equation in the same letter starts
        # something new: the other root, the next part, the formula at another input. Within
        # one step, "S = 165 * 6/11", then "S = 9 * 6", is still one computation.
        return None
    if numbers_equal(value, before) is not False:
        return Decision("ok", W.AGREES_WITH.format(text=text, before=before_text))
    if within_rounding(before, value, decimals, False) or within_rounding(
        value, before, previous.decimals, False
    ):
        return Decision("ok", W.IS_ROUNDED.format(text=text, before=before_text))
    if _bare(statement) and value.is_Integer and abs(value - before) < 1:
        # "x = 5.88", then "x = 5": rounded to a whole number (people, pens, trips).
        return Decision("ok", W.IS_ROUNDED_WHOLE.format(text=text, before=before_text))
    return Decision(
        "wrong",
        W.GIVES_BUT_BEFORE.format(
            text=text, name=var, value=render(value), before=before_text, other=render(before)
        ),
    )


_COMPUTES = re.compile(r"[\d)]\s*[-+*/]")


def _bare_text(text: str) -> str:
    """``-((3)/(5))`` -> ``-3/5``: a side's text without spaces and brackets."""
    return re.sub(r"[\s()]", "", text)


def _linear_root(expr: sp.Expr, var: sp.Symbol) -> sp.Expr | None:
    """The one root of ``expr = 0`` when ``expr`` is linear in ``var``, else None."""
    expr = sp.expand(expr)
    if not expr.is_polynomial(var):
        return None
    poly = sp.Poly(expr, var)
    if poly.degree() != 1:
        return None
    slope, constant = poly.all_coeffs()
    if not (slope.is_number and constant.is_number) or slope == 0:
        return None
    return -constant / slope


def _bare(statement: Statement) -> bool:
    """``x = 5``: an unknown and one number, nothing computed."""
    if len(statement.sides) != 2:
        return False
    left, right = statement.sides
    return (left.expr.is_Symbol and right.is_number) or (right.expr.is_Symbol and left.is_number)
