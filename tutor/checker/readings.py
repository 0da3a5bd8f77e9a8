"""The readings a piece of prose math allows: a claim is wrong only when wrong in every one.

Prose above school arithmetic writes ``f(3)`` for a function's value and ``n(n + 1)`` for a
product, ``e`` for edges and for Euler's number, ``[x]`` for the integer part and for brackets,
``%`` for the remainder and for percent. The text alone does not say which is meant, so each
reading the text allows is parsed, and a claim is proven wrong only when it is wrong in all.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import fields, replace

from tutor.checker import wording as W
from tutor.checker.grammar import SCHOOL, Reading, Statement, parse_statement
from tutor.checker.limits import ParseError

# What in the text makes each other reading possible.
_TRIGGERS = {
    "functions": re.compile(
        r"(?<![A-Za-z\\])[A-Za-z]'*\(|\barc|\ba(?:sin|cos|tan)\b"
        r"|(?:sin|cos|tan|sec|csc|cot)\s*\^\s*\(?\s*-\s*1"
    ),
    "e_letter": re.compile(r"(?<![A-Za-z\\])e(?![A-Za-z])"),
    "modulo": re.compile(r"%\s*[\d(A-Za-z]"),
    "floor_brackets": re.compile(r"\["),
    "degrees": re.compile("\u00b0"),
    "imaginary": re.compile(r"(?<![A-Za-z\\])i(?![A-Za-z])"),
}
_NAMES = tuple(f.name for f in fields(Reading))


def readings_of(text: str) -> list[Reading]:
    """The school reading first, then every combination of the other readings ``text`` allows."""
    possible = [name for name in _NAMES if _TRIGGERS[name].search(text)]
    found = []
    for chosen in itertools.product((False, True), repeat=len(possible)):
        found.append(replace(SCHOOL, **dict(zip(possible, chosen, strict=True))))
    return found


def parse_readings(text: str, *, words: bool = True) -> list[Statement]:
    """``text`` parsed in each reading it allows (those that parse), the school reading first.

    Raises ParseError when no reading parses, and TooLarge when one is too large to compute.
    ``words=False`` refuses words instead of dropping them as units (math written in LaTeX).
    """
    statements = []
    error: ParseError | None = None
    for reading in readings_of(text):
        try:
            statements.append(parse_statement(text, reading=reading, words=words))
        except ParseError as exc:
            if type(exc) is not ParseError:
                raise  # TooLarge: too large in one reading is too large to judge
            error = exc
    if not statements:
        raise error or ParseError(W.NO_READING.text)
    return statements
