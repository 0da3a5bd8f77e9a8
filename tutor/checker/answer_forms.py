"""The form a question asks its answer in: expanded, factored, fully simplified, exact, in
lowest terms, with units. A right value in another form is "right value, but ...", not wrong.

Each test reads the student's own text (the form is what was written, so nothing here looks at
the key), and a test that cannot read the answer passes it: the form is a second question,
asked only of an answer already proven right.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import sympy as sp

from tutor.checker import wording as W
from tutor.checker.answer_text import clean, with_units
from tutor.checker.grammar import parse_statement
from tutor.checker.limits import ParseError
from tutor.checker.relations import free

# The forms a teacher can ask for, with the words a student reads.
FORMS: dict[str, str] = {
    "expanded": W.FORM_EXPANDED.text,
    "factored": W.FORM_FACTORED.text,
    "simplified": W.FORM_SIMPLIFIED.text,
    "exact": W.FORM_EXACT.text,
    "lowest_terms": W.FORM_LOWEST_TERMS.text,
    "units": W.FORM_UNITS.text,
}

# The verb or phrase in a statement that asks for a form, checked in this order.
_SUGGESTIONS = (
    ("expanded", re.compile(r"\b(?:expand|multiply out)\b", re.I)),
    ("factored", re.compile(r"\bfactori[sz]e\b|\bfactor\b(?!s)(?!\s+of)", re.I)),
    ("lowest_terms", re.compile(r"\b(?:lowest|simplest)\s+terms\b|\bsimplest\s+form\b", re.I)),
    ("exact", re.compile(r"\bexact(?:ly)?\b|\bsimplest\s+radical\b", re.I)),
    ("simplified", re.compile(r"\bsimplif(?:y|ied)\b", re.I)),
    ("units", re.compile(r"\b(?:include|with|give)\s+(?:the\s+)?units?\b", re.I)),
)


def suggest_form(statement: str) -> str:
    """The form a statement's verb asks for ("Expand (x+3)^2" -> ``expanded``), or ``""``."""
    for form, pattern in _SUGGESTIONS:
        if pattern.search(statement[:2000]):
            return form
    return ""


def form_problem(answer: str, form: str) -> str | None:
    """What a right answer lacks for ``form``, in words for the student, or None when it has
    the form (or the form is not one of ``FORMS``, or the answer cannot be read for it)."""
    test = _TESTS.get(form)
    if test is None:
        return None
    try:
        text = clean(answer, False)
        holds = test(text)
    except (ParseError, ValueError, TypeError, RecursionError):
        return None
    if holds is not False:
        return None
    return W.RIGHT_VALUE_FORM.format(form=FORMS[form])


def _value(text: str) -> sp.Expr:
    """The answer's value (the right side of ``y = ...``), as typed, sympy's own tidying only."""
    statement = parse_statement(text)
    if len(statement.sides) > 2 or (statement.is_relation and statement.rels[0] != "="):
        raise ParseError(W.NOT_ONE_VALUE.text)
    return statement.sides[-1].expr


def _expanded(text: str) -> bool:
    expr = _value(text)
    return bool(expr == sp.expand(expr))


def _factored(text: str) -> bool:
    expr = _value(text)
    names = sorted(free(expr), key=str)
    if not names or not expr.is_polynomial(*names):
        return True
    factors = sp.Mul.make_args(expr)
    bases = [f.base if isinstance(f, sp.Pow) else f for f in factors]
    # Fully factored: every factor is irreducible over the rationals (its own factorisation).
    return all(b.is_number or _irreducible(b) for b in bases)


def _irreducible(base: sp.Expr) -> bool:
    _, found = sp.factor_list(base)
    return len(found) == 1 and found[0][1] == 1


def _exact(text: str) -> bool:
    return re.search(r"\d\.\d|~|\u2248", text) is None


def _lowest_terms(text: str) -> bool:
    if not _exact(text):
        return False
    for m in re.finditer(r"(?<![\d.])(\d+)\s*/\s*(\d+)(?![\d.])", text):
        if math.gcd(int(m.group(1)), int(m.group(2))) != 1:
            return False
    return True


def _simplified(text: str) -> bool:
    if not _lowest_terms(text):
        return False
    typed = parse_statement(text, evaluate=False).sides[-1].expr
    value = _value(text)
    if not free(value):
        # "2/3 + 1/6" is not done: a number is simplified when it is one number written once.
        return sp.count_ops(typed) <= sp.count_ops(sp.nsimplify(value))
    return bool(sp.count_ops(typed) <= sp.count_ops(sp.simplify(value)))


def _units(text: str) -> bool:
    found = with_units(text)
    return found is not None and bool(found[1])


_TESTS: dict[str, Callable[[str], bool]] = {
    "expanded": _expanded,
    "factored": _factored,
    "simplified": _simplified,
    "exact": _exact,
    "lowest_terms": _lowest_terms,
    "units": _units,
}
