"""The context a step is judged in: what the steps before it established."""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from tutor.checker.solving import Condition


@dataclass(frozen=True)
class Equation:
    """The last equation in one unknown in model prose, kept to compare the next one with."""

    unknown: sp.Symbol
    value: sp.Expr  # the one value it gives the unknown
    text: str
    decimals: int | None  # the places shown in "x = 0.33": that value may be a rounding
    states: bool  # states the value outright, as in "x = 1/2"
    step: int  # the index of the step it is in
    # Leaves its computation open, as in "S = 165 * 6/11": the same step may go on with it.
    open_chain: bool


@dataclass
class Context:
    """What earlier steps established: known values and the last statement of each kind."""

    known: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)
    # Values a model's "Let x = 6" gives for the rest of its prose (other values hold only
    # in the step that gives them).
    given: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)
    expression: sp.Expr | None = None  # the last step that was a bare expression
    prose_expression: sp.Expr | None = None  # the last expression shown in model prose
    prose_inequality: Condition | None = None  # the last inequality shown in model prose
    condition: Condition | None = None  # the last equation or inequality
    before: Condition | None = None  # the condition before a run of "x = value" lines
    previous_text: str | None = None
    history: list[Condition] = field(default_factory=list)  # earlier conditions, oldest first
    after_wrong: bool = False  # the line before was wrong: the last right line is history[-1]
    equation: Equation | None = None  # the last equation in one unknown in model prose
