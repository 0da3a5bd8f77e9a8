"""Stepwise's step-checker: sympy judges every step, bounded in time and memory.

Pure Python with no Django import. Untrusted text is read by our own grammar into whitelisted
sympy nodes and never reaches ``sympify``, ``parse_expr``, ``lambdify`` or ``eval``.
"""

from __future__ import annotations

from tutor.checker.answer_forms import FORMS, suggest_form
from tutor.checker.api import (
    BUSY_FEEDBACK,
    NOT_CHECKED_YET,
    check_answer,
    check_answer_form,
    check_final_answer,
    check_key,
    check_solution,
    check_step,
    check_steps,
    configure,
    departure_detail,
    locate_departure,
    make_variants,
    read_as,
)
from tutor.checker.extract import extract_steps
from tutor.checker.reference import Departure
from tutor.checker.results import AnswerResult, FinalAnswer, KeyReading, SolutionResult, StepResult
from tutor.checker.variants import TemplateError, Variant, seed_for

__all__ = [
    "BUSY_FEEDBACK",
    "FORMS",
    "NOT_CHECKED_YET",
    "AnswerResult",
    "Departure",
    "FinalAnswer",
    "KeyReading",
    "SolutionResult",
    "StepResult",
    "TemplateError",
    "Variant",
    "check_answer",
    "check_answer_form",
    "check_final_answer",
    "check_key",
    "check_solution",
    "check_step",
    "check_steps",
    "configure",
    "departure_detail",
    "extract_steps",
    "locate_departure",
    "make_variants",
    "read_as",
    "seed_for",
    "suggest_form",
]
