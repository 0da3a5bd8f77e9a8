"""Size limits that every parse respects, and the errors raised when one is passed."""

from __future__ import annotations

from tutor.checker import wording as W

MAX_INPUT_CHARS = 4000  # one step or one answer; longer text is refused before tokenizing
MAX_DEPTH = 60  # nesting of brackets and operators in the grammar
MAX_LITERAL_DIGITS = 120  # digits in one typed number
MAX_RESULT_DIGITS = 5000  # digits of an exact integer power computed while parsing
MAX_EXPONENT = 10_000  # |n| in x^n for a symbolic base; larger is refused, not expanded
MAX_FACTORIAL = 2000
MAX_DETAIL_CHARS = 160  # a rendered expression inside a verdict's detail

UNKNOWN_TOO_LARGE = W.UNKNOWN_TOO_LARGE.text


class ParseError(ValueError):
    """The text is not math we can read (or is outside the whitelist)."""


class TooLarge(ParseError):
    """The text is math, but evaluating it would be too large or too slow."""
