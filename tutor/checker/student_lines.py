"""A student's work, one line at a time: each line against the lines before it."""

from __future__ import annotations

import sympy as sp

from tutor.checker import wording as W
from tutor.checker.context import Context
from tutor.checker.facts import false_facts
from tutor.checker.grammar import Statement, parse_statement
from tutor.checker.limits import ParseError, TooLarge
from tutor.checker.misconceptions import explain
from tutor.checker.relation_step import relation_step
from tutor.checker.relations import COMPLEX_ROOT, Decision, condition_of, exprs_equal, free
from tutor.checker.results import StepResult
from tutor.checker.sampling import holds, real_value, render
from tutor.checker.solving import Condition
from tutor.checker.statements import definition_of, internal_claims, render_statement
from tutor.checker.student_text import (
    changes_units,
    clean_line,
    measures,
    names_a_value,
    or_parts,
    prose_words,
    split_steps,
)


def judge_student(text: str, index: int, ctx: Context) -> StepResult:
    """One line of a student's work, which may hold two steps ("2x = 8 so x = 4"), judged
    against the line before and, after a mistake, against the last line that was right."""
    result = _judge_student(text, index, ctx)
    if result.verdict in ("ok", "wrong", "weaker"):
        ctx.after_wrong = result.verdict == "wrong"
    return result


def _judge_student(text: str, index: int, ctx: Context) -> StepResult:
    line = clean_line(text)
    if not line:
        return StepResult(index, "none", W.NO_MATH_ON_LINE.text)
    if names_a_value(text, line):
        return StepResult(index, "none", W.VALUE_GIVEN_A_NAME.text)
    facts = false_facts(line)
    if facts:
        # "1 ft = 10 in", "there are 100 minutes in an hour": a fixed fact stated wrongly.
        return StepResult(index, "wrong", facts[0].detail, None, facts[0].text)
    if changes_units(line):
        # Left out of the context: "g" in "2500 g" is not an unknown.
        return StepResult(index, "unknown", W.UNITS_DIFFER.text)
    prose = prose_words(line)
    if prose:
        # "add like terms", "(subtract 6)": words about the work, not a step of it. The line
        # is left out of the context, so the next line is compared with the one before it.
        return StepResult(index, "none", W.WORDS_NOT_MATH.format(words=prose[0]))
    parts = split_steps(line)
    if len(parts) > 1:
        # "2x = 8 so x = 4": two steps on one line, each judged against the one before it.
        results = []
        for part in parts:
            results.append(_judge_student_line(part, index, ctx))
            ctx.previous_text = part
        return next((r for r in results if r.verdict == "wrong"), results[-1])
    return _judge_student_line(line, index, ctx)


def _judge_student_line(line: str, index: int, ctx: Context) -> StepResult:
    continuation = line.startswith("=") and not line.startswith("==")
    try:
        statements = [parse_statement(part) for part in or_parts(line.lstrip("="))]
    except TooLarge:
        raise
    except ParseError as exc:
        return StepResult(index, "none", W.COULD_NOT_READ_LINE.format(reason=exc))
    if not statements:
        return StepResult(index, "none", W.NO_MATH_ON_LINE.text)
    shown = " or ".join(render_statement(s) for s in statements)
    if continuation and ctx.expression is not None and not statements[0].is_relation:
        decision = _compare_expression(ctx, statements[0].sides[0].expr)
        return _result(index, decision, shown, ctx, statements)
    if len(statements) == 1 and not statements[0].is_relation:
        return _result(
            index, _compare_expression(ctx, statements[0].sides[0].expr), shown, ctx, statements
        )
    if len(statements) == 1 and not any(free(side.expr) for side in statements[0].sides):
        # "4/8 * 1/3 = 4/24", then "= 1/6": the next line goes on from the last value.
        ctx.expression = statements[0].sides[-1].expr
    for statement in statements:
        internal = internal_claims(statement, ctx, "student")
        if internal is not None and internal.verdict == "wrong":
            if _contradiction(ctx.condition) and _contradiction(_constant_condition(statement)):
                # "2x + 1 = 2x + 5", then "1 = 5": showing there is no solution.
                internal = Decision("ok", W.NO_SOLUTION_SHOWN.text)
            elif len(measures(line)) > 1:
                # "3 feet = 36 inches": the unit words were dropped, and they differ.
                internal = Decision("unknown", W.UNITS_DIFFER.text)
            elif _wrong_only_with_known_values(statement, ctx):
                # "x - 3 = 0" after "x = 2": with the value put in it is false, but it may be
                # the next case of an earlier line; the relation step decides.
                relation = relation_step(statements, ctx, known=False)
                internal = relation if relation.verdict != "wrong" else internal
            return _result(index, internal, shown, ctx, statements)
    return _result(index, relation_step(statements, ctx), shown, ctx, statements)


def _wrong_only_with_known_values(statement: Statement, ctx: Context) -> bool:
    """Whether a claim is false only once known values are put in ("x - 3 = 0" after
    "x = 2"), not in its own arithmetic ("b^2 - 4ac = 16 - 12 = 28")."""
    if not ctx.known or not any(free(side.expr) for side in statement.sides):
        return False
    alone = internal_claims(statement, Context(), "student")
    return alone is None or alone.verdict != "wrong"


def _constant_condition(statement: Statement) -> Condition | None:
    if any(free(side.expr) for side in statement.sides) or len(statement.sides) != 2:
        return None
    return condition_of(statement.sides[0].expr, statement.rels[0], statement.sides[1].expr)


def _contradiction(cond: Condition | None) -> bool:
    """A condition with no unknowns that is false: "1 = 5"."""
    if not cond:
        return False
    values = [real_value(f, {}) for f, _ in cond if not free(f)]
    if len(values) != len(cond) or any(v is None for v in values):
        return False
    return not any(holds(v, rel) for v, (_, rel) in zip(values, cond, strict=True))


def _compare_expression(ctx: Context, expr: sp.Expr) -> Decision:
    previous = ctx.expression
    ctx.expression = expr
    expr = expr.xreplace(ctx.known) if ctx.known else expr
    if previous is None:
        if not free(expr):
            return Decision(
                "ok",
                W.EQUALS_VALUE.format(value=render(sp.nsimplify(expr) if expr.is_Float else expr)),
            )
        return Decision("none", W.EXPRESSION_NOTHING_YET.text)
    return exprs_equal(previous, expr)


def _result(
    index: int, decision: Decision, shown: str, ctx: Context, statements: list[Statement]
) -> StepResult:
    rule = decision.rule
    detail = decision.detail
    if (
        decision.verdict == "wrong"
        and ctx.previous_text is not None
        and not ctx.after_wrong
        and COMPLEX_ROOT not in detail
    ):
        # After a wrong line, the mistake in this one is not a rewrite of that line.
        found = explain(ctx.previous_text, statements)
        if found is not None:
            rule, label = found
            detail = W.WITH_MISCONCEPTION.format(detail=detail.rstrip("."), label=label)
    for statement in statements if len(statements) == 1 else ():
        # "x = √2 or x = -√2" gives x no one value to carry forward.
        definition = definition_of(statement)
        if definition is not None and decision.verdict in ("ok", "none", "weaker"):
            ctx.known[definition[0]] = definition[1]
    return StepResult(index, decision.verdict, detail, rule, shown, decision.counterexample)
