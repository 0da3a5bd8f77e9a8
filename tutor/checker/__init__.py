"""Stepwise's step-checker: sympy judges every step, bounded in time and memory.

Pure Python with no Django import. Untrusted text is read by our own grammar into whitelisted
sympy nodes and never reaches ``sympify``, ``parse_expr``, ``lambdify`` or ``eval``.
"""

from __future__ import annotations

from tutor.checker.api import check_answer, check_step, check_steps, configure, read_as
from tutor.checker.extract import extract_steps
from tutor.checker.results import AnswerResult, StepResult

__all__ = [
    "AnswerResult",
    "StepResult",
    "check_answer",
    "check_step",
    "check_steps",
    "configure",
    "extract_steps",
    "read_as",
]
