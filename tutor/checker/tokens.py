"""Tokenizer for typed math: Unicode normalisation, numbers, names, operators.

The tokenizer is the first line of defence: any character outside the small alphabet of
arithmetic is an error, so payloads such as ``__import__("os")`` never reach the grammar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from tutor.checker import wording as W
from tutor.checker.limits import MAX_INPUT_CHARS, MAX_LITERAL_DIGITS, ParseError

# Unicode that students and models type, mapped to the plain syntax the grammar reads.
_UNICODE = {
    "\u2212": "-",  # minus sign
    "\u2013": "-",  # en dash, used as a minus by word processors
    "\u2014": "-",
    "\u2012": "-",
    "\ufe63": "-",
    "\uff0d": "-",
    "\u00d7": "*",
    "\u22c5": "*",
    "\u00b7": "*",
    "\u2219": "*",
    "\u2217": "*",
    "\u00f7": "/",
    "\u2215": "/",
    "\u2044": "/",
    "\u2264": "<=",
    "\u2a7d": "<=",
    "\u2265": ">=",
    "\u2a7e": ">=",
    "\u2260": "!=",
    "\u2248": "~",
    "\u2243": "~",
    "\u2245": "~",
    "\u00b1": "\u00b1",
    "\u221a": " sqrt",  # apart from a letter before it: "x√2" is x times sqrt 2
    "\u03c0": "pi",
    "\u00bd": "(1/2)",
    "\u2153": "(1/3)",
    "\u2154": "(2/3)",
    "\u00bc": "(1/4)",
    "\u00be": "(3/4)",
    "\u2009": " ",
    "\u202f": " ",
    "\u00a0": " ",
    "\u200b": "",
    "\u2018": "'",
    "\u2019": "'",
    "\u3000": " ",
    "\uff08": "(",
    "\uff09": ")",
    "\u2192": "=>",
    "\u21d2": "=>",
}
_SUPERSCRIPTS = str.maketrans(
    "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207b", "0123456789-"
)
_SUPERSCRIPT_RUN = re.compile("[\u2070\u00b9\u00b2\u00b3\u2074-\u2079\u207b]+")

GREEK = frozenset(
    [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "epsilon",
        "zeta",
        "eta",
        "theta",
        "iota",
        "kappa",
        "lambda",
        "mu",
        "nu",
        "xi",
        "omicron",
        "rho",
        "sigma",
        "tau",
        "upsilon",
        "phi",
        "chi",
        "psi",
        "omega",
    ]
)
_GREEK_CHARS = {
    "\u03b1": "alpha", "\u03b2": "beta", "\u03b3": "gamma", "\u03b4": "delta",
    "\u03b5": "epsilon", "\u03b8": "theta", "\u03bb": "lambda", "\u03bc": "mu",
    "\u03c3": "sigma", "\u03c4": "tau", "\u03c6": "phi", "\u03c9": "omega", "\u03c1": "rho",
}  # fmt: skip
FUNCTIONS = frozenset(
    [
        "sin",
        "cos",
        "tan",
        "sec",
        "csc",
        "cot",
        "cosec",
        "arcsin",
        "arccos",
        "arctan",
        "asin",
        "acos",
        "atan",
        "sinh",
        "cosh",
        "tanh",
        "asinh",
        "acosh",
        "atanh",
        "ln",
        "lg",
        "log",
        "exp",
        "abs",
        "sqrt",
        "root",
        "factorial",
        "floor",
        "ceil",
        "ceiling",
        "binomial",
        "gcd",
        "lcm",
    ]
)
CONSTANTS = frozenset({"pi", "e", "inf", "infinity", "oo"})
# Words that carry no math: units and fillers. They are dropped, and the line still parses.
UNIT_WORDS = frozenset(
    [
        "apple",
        "apples",
        "egg",
        "eggs",
        "dollar",
        "dollars",
        "cent",
        "cents",
        "hour",
        "hours",
        "hr",
        "hrs",
        "minute",
        "minutes",
        "min",
        "mins",
        "second",
        "seconds",
        "sec",
        "day",
        "days",
        "week",
        "weeks",
        "month",
        "months",
        "year",
        "years",
        "cm",
        "mm",
        "km",
        "m",
        "kg",
        "g",
        "mg",
        "lb",
        "lbs",
        "pound",
        "pounds",
        "oz",
        "ounce",
        "ounces",
        "ft",
        "feet",
        "foot",
        "inch",
        "inches",
        "mile",
        "miles",
        "meter",
        "meters",
        "metre",
        "metres",
        "liter",
        "liters",
        "litre",
        "litres",
        "ml",
        "gallon",
        "gallons",
        "cup",
        "cups",
        "people",
        "person",
        "persons",
        "student",
        "students",
        "item",
        "items",
        "unit",
        "units",
        "box",
        "boxes",
        "book",
        "books",
        "page",
        "pages",
        "point",
        "points",
        "mph",
        "each",
        "total",
        "per",
        "cookies",
        "cookie",
        "candy",
        "candies",
        "marble",
        "marbles",
        "ball",
        "balls",
        "car",
        "cars",
        "dog",
        "dogs",
        "cat",
        "cats",
    ]
)
KEYWORDS = frozenset({"or", "and"})

_NUMBER = re.compile(
    r"\d{1,3}(?:,\d{3})+(?![\d,])(?:\.\d+)?|\d+(?:\.\d*)?[eE][-+]?\d+|\d+(?:\.\d*)?|\.\d+"
)
_OPS: tuple[str, ...] = (
    "**",
    "<=",
    ">=",
    "!=",
    "==",
    "=>",
    "<",
    ">",
    "=",
    "+",
    "-",
    "*",
    "/",
    "^",
    "!",
    "%",
    "~",
)
_OPS += ("(", ")", "[", "]", "{", "}", ",", "|", "\u00b1", "$", ";", "'", "\u2261", "\u00b0")


@dataclass(frozen=True)
class Token:
    """One token: NUM, NAME, FUNC, CONST, OP, KEYWORD, WORD (a unit) or XWORD (unknown)."""

    kind: str
    text: str
    pos: int
    space_before: bool = False
    value: Fraction | None = None
    decimals: int | None = None


_MIXED_VULGAR = re.compile("(?<![\\d.])(\\d+)[ \t]?([\u00bd\u2153\u2154\u00bc\u00be])")


def normalize(text: str) -> str:
    """Map Unicode math symbols and superscripts to plain syntax."""
    text = _SUPERSCRIPT_RUN.sub(lambda m: "^(" + m.group(0).translate(_SUPERSCRIPTS) + ")", text)
    # "1½" is one and a half, not 1 times a half.
    text = _MIXED_VULGAR.sub(lambda m: f"({m.group(1)}+{_UNICODE[m.group(2)]})", text)
    out = []
    for ch in text:
        if ch in _UNICODE:
            out.append(_UNICODE[ch])
        elif ch in _GREEK_CHARS:
            out.append(" " + _GREEK_CHARS[ch] + " ")
        else:
            out.append(ch)
    return "".join(out)


def _number(text: str, pos: int, space: bool) -> Token:
    digits = sum(ch.isdigit() for ch in text)
    if digits > MAX_LITERAL_DIGITS:
        raise ParseError(W.NUMBER_TOO_LONG.text)
    plain = text.replace(",", "")
    if "e" in plain or "E" in plain:
        mantissa, _, exponent = plain.replace("E", "e").partition("e")
        if abs(int(exponent)) > 50:
            raise ParseError(W.EXPONENT_TOO_LARGE.text)
        value = Fraction(mantissa) * Fraction(10) ** int(exponent)
        return Token("NUM", text, pos, space, value, None)
    if plain.endswith("."):
        plain = plain[:-1]
    decimals = len(plain.split(".")[1]) if "." in plain else None
    return Token("NUM", text, pos, space, Fraction(plain), decimals)


def _split_letters(run: str) -> list[tuple[str, str]]:
    """Split a run of letters into known names; leftover letters become single symbols."""
    lower = run.lower()
    whole = _classify_word(run)
    if whole is not None:
        return [(whole, run if whole == "NAME" else lower)]
    if len(run) > 3 and not any(lower.startswith(f) for f in FUNCTIONS | GREEK):
        return [("XWORD", run)]
    parts: list[tuple[str, str]] = []
    i = 0
    while i < len(run):
        for size in range(min(7, len(run) - i), 1, -1):
            piece = lower[i : i + size]
            kind = _classify_word(piece)
            if (kind in ("FUNC", "GREEK") and piece not in ("e",)) or piece == "pi":
                parts.append((kind or "CONST", piece))  # "pir" (from "πr") is pi times r
                i += size
                break
        else:
            parts.append(("NAME", run[i]))
            i += 1
    return parts


def _classify_word(word: str) -> str | None:
    lower = word.lower()
    if len(word) == 1:
        return "CONST" if word == "e" else "NAME"
    if lower in FUNCTIONS:
        return "FUNC"
    if lower in GREEK:
        return "GREEK"
    if lower in CONSTANTS:
        return "CONST"
    if lower in KEYWORDS:
        return "KEYWORD"
    if lower in UNIT_WORDS:
        return "WORD"
    return None


DIGITS = frozenset("0123456789")


def tokenize(text: str, *, strict: bool = False) -> list[Token]:
    """Turn normalised text into tokens; raise ParseError on anything unexpected.

    ``strict`` reads a run of letters as one name, as a CAS does (``xy`` is not ``x*y``).
    """
    if len(text) > MAX_INPUT_CHARS:
        raise ParseError(W.INPUT_TOO_LONG.text)
    text = normalize(text)
    tokens: list[Token] = []
    i, n = 0, len(text)
    space = False
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            space = True
            i += 1
            continue
        # ASCII digits only: str.isdigit() is also true for digits like "🄀" or "٣", which
        # the number pattern does not read.
        if ch in DIGITS or (ch == "." and i + 1 < n and text[i + 1] in DIGITS):
            m = _NUMBER.match(text, i)
            assert m is not None
            tokens.append(_number(m.group(0), i, space))
            i = m.end()
        elif ch.isascii() and ch.isalpha():
            j = i
            while j < n and text[j].isascii() and text[j].isalpha():
                j += 1
            if j < n and text[j] == "_":
                raise ParseError(W.UNKNOWN_NAME.format(name=repr(text[i : j + 1])))
            if text[i:j].lower() == "of":
                tokens.append(Token("OP", "*", i, space))  # "50% of 80", "1/3 of 18"
                i, space = j, False
                continue
            if text[i:j].lower() == "mod":
                tokens.append(Token("OP", "mod", i, space))  # "2310 mod 42": the remainder
                i, space = j, False
                continue
            parts = _split_letters(text[i:j])
            if strict and len(parts) > 1:
                parts = [("XWORD", text[i:j])]
            if j < n and text[j] == "\u2039" and parts and parts[-1][0] == "NAME":
                # LaTeX's a_{n+1} (marked by latex.SUB_OPEN/SUB_CLOSE): the last letter and its
                # index, one name.
                close = text.find("\u203a", j)
                if close < 0 or close - j > 14:
                    raise ParseError(W.INDEX_NOT_CLOSED.text)
                parts[-1] = ("NAME", f"{parts[-1][1]}_{text[j + 1 : close]}")
                j = close + 1
            for kind, piece in parts:
                tokens.append(Token("NAME" if kind == "GREEK" else kind, piece, i, space))
                space = False
            i = j
        else:
            for op in _OPS:
                if text.startswith(op, i):
                    tokens.append(Token("OP", op, i, space))
                    i += len(op)
                    break
            else:
                raise ParseError(W.UNEXPECTED_CHARACTER.format(character=repr(ch)))
        space = False
    return tokens
