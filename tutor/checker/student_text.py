"""Reading a student's typed line before it is judged (``steps.py``).

Notes in brackets, lead words ("we get"), labels ("cost = ..."), what is counted after the
last number ("= 18 pencils", "24 cm²"), operation words ("5 squared"), fractions around a
division sign, "x = 2 or 5", lines of words, and units of measure. Pure text: no sympy.
"""

from __future__ import annotations

import re

from tutor.checker.tokens import CONSTANTS, FUNCTIONS, GREEK, UNIT_WORDS

_LEAD = re.compile(
    r"^\s*(=>|\u21d2|->|so\b|thus\b|therefore\b|hence\b|then\b|now\b|which gives\b|"
    r"this gives\b|gives\b|we get\b|we have\b|so we get\b|the answer is\b|answer\b|:)\s*",
    re.I,
)

# "2x = 8 so x = 4": two steps on one line.
_CONNECTOR = re.compile(r"\s+(?:so|then|thus|therefore|hence)\s+|\s*(?:=>|\u21d2)\s*", re.I)

# Notes beside a step: "(subtract 6)", "(+4)", "(divide both sides by 2)".
_ANNOTATION = re.compile(
    r"\s*\((?:[^()]*[A-Za-z]{3,}[^()]*|\s*[-+*/\u00d7\u00f7]\s*\d[\d.]*\s*)\)\s*$"
)

_OP_WORDS = (
    (re.compile(r"\s+squared\b", re.I), "^2"),
    (re.compile(r"\s+cubed\b", re.I), "^3"),
    (re.compile(r"\s*\bper\s*cent\b|\s*\bpercent\b", re.I), "%"),
)

_FRACTIONS_DIVIDED = re.compile(r"(?<![\w./])(\d+/\d+)\s+/\s+(\d+/\d+)(?![\w./^])")

_SCIENTIFIC_DIVISOR = re.compile(r"/\s*(\d+(?:\.\d+)?\s*[\u00d7*\u00b7xX]\s*10\s*\^\s*\(?-?\d+\)?)")

_FRACTION_BEFORE_DIVIDE = re.compile(r"(?<![\w./])(\d+/\d+)\s*\u00f7")

_FRACTION_AFTER_DIVIDE = re.compile(r"\u00f7\s*(\d+/\d+)(?![\w./^])")

_ASSIGNED = re.compile(r"^\s*([A-Za-z])\s*=")

_WORD = re.compile(r"[A-Za-z]{3,}")

_UNIT_POWER = re.compile(
    r"([\d)\u03c0]\s*)(cm|mm|km|ft|yd|mi|in|m)\s*(?:\^\s*\(?[23]\)?|[\u00b2\u00b3])"
)

# A computation with an operator before "=": "2 hours + 30 minutes = 150 minutes" is checked.
_NUMERIC_CLAIM = re.compile(r"\d\s*[A-Za-z]*\s*[-+*/\u00d7\u00f7]\s*\d[^=]*=")

_NAMED_VALUE = re.compile(r"\s*-?\$?\d[\d,]*(?:\.\d+)?%?\s*")

_COMMON_WORDS = frozenset(
    [
        "add",
        "all",
        "any",
        "for",
        "how",
        "not",
        "off",
        "own",
        "who",
        "why",
        "also",
        "and",
        "are",
        "back",
        "been",
        "both",
        "but",
        "call",
        "can",
        "come",
        "did",
        "does",
        "done",
        "each",
        "find",
        "from",
        "get",
        "gets",
        "give",
        "goes",
        "got",
        "half",
        "has",
        "have",
        "her",
        "here",
        "his",
        "into",
        "its",
        "just",
        "keep",
        "know",
        "last",
        "left",
        "let",
        "like",
        "look",
        "made",
        "make",
        "many",
        "more",
        "most",
        "move",
        "much",
        "must",
        "need",
        "next",
        "now",
        "one",
        "only",
        "our",
        "out",
        "over",
        "put",
        "same",
        "see",
        "she",
        "show",
        "side",
        "some",
        "such",
        "sum",
        "take",
        "term",
        "than",
        "that",
        "the",
        "them",
        "then",
        "they",
        "this",
        "two",
        "use",
        "very",
        "want",
        "was",
        "way",
        "well",
        "were",
        "what",
        "when",
        "will",
        "with",
        "work",
        "you",
    ]
)

# "cost = ...", "Total cost = ...", "f(0) = ...", "P(red) = ...": a name for the result. Not
# a single letter ("x = 5"), and not a function's definition ("f(x) = 2x").
_LABEL = re.compile(
    r"^\s*(?:(?:[A-Za-z][A-Za-z' ]*[A-Za-z]{2}"
    r"|[A-Za-z]\(\s*(?:[-\d.]+|[A-Za-z]\(\s*[-\d.]+\s*\))\s*\))\s*=(?!=)\s*)+"
)

_COUNTED = re.compile(
    r"(?<=\d)(?:\s+(?:[A-Za-z]{2,}|[mgshlL])(?:/[A-Za-z]+)?"
    r"|(?:cm|mm|km|kg|mg|ml|ft|yd|mi|hr|min|lbs?|oz)(?![A-Za-z]))"
    r"(?:\^?[23\u00b2\u00b3])?(?:\s+[A-Za-z]+)*\s*\.?$"
)

# Two-letter words that are never a product of two unknowns in a student's line.
_SHORT_WORDS = re.compile(r"(?<![A-Za-z])(?:is|it|we|be|to|if|as|us)(?![A-Za-z])", re.I)

_MATH_WORDS = FUNCTIONS | CONSTANTS | GREEK | UNIT_WORDS | {"root", "sqrt", "abs"}

_SPLIT_OR = re.compile(r"\s+or\s+|\s*;\s*|,\s+(?=[A-Za-z]\s*=)", re.I)


def _is_prose(word: str) -> bool:
    """A word, not letters multiplied: "like" and "terms" are words, "xyz" and "abc" are not.
    Short runs count as words only when they are common ones, long runs always do."""
    lower = word.lower()
    if lower in _MATH_WORDS:
        return False
    return len(lower) > 4 or lower in _COMMON_WORDS


def clean_line(text: str) -> str:
    line = _ANNOTATION.sub("", text.strip())
    # "15 cm²": the power belongs to the unit, which is dropped, not to the number.
    line = _UNIT_POWER.sub(r"\1\2", line)
    while (stripped := _LEAD.sub("", line)) != line:
        line = stripped
    # "cost = 6 * 2 = 12", "f(0) = 4(0) - 2": a label or a function's value names the result.
    line = _LABEL.sub("", line)
    # "6 * 3 = 18 pencils", "= 15 m", "24 cm²": what is counted, after the last number, on
    # a line of numbers only ("= 5x" keeps its x).
    counted = _COUNTED.search(line)
    if counted is not None and not re.search(r"[A-Za-z]", line[: counted.start()]):
        line = line[: counted.start()]
    for word, replacement in _OP_WORDS:
        line = word.sub(replacement, line)
    # "3/4 ÷ 1/2" and "1/2 / 1/4": the slashes bind the fractions, the ÷ (or a slash set
    # apart by spaces) divides them.
    line = _FRACTIONS_DIVIDED.sub("(\\1)/(\\2)", line)
    # "6.4 * 10^6 / 2 * 10^2": a number in scientific notation is divided by whole.
    line = _SCIENTIFIC_DIVISOR.sub("/(\\1)", line)
    line = _FRACTION_BEFORE_DIVIDE.sub("(\\1) \u00f7", line)
    return _FRACTION_AFTER_DIVIDE.sub("\u00f7 (\\1)", line).strip()


_MEASURES = {
    "second": "second", "minute": "minute", "hour": "hour", "day": "day", "week": "week",
    "month": "month", "year": "year", "inch": "inch", "inche": "inch", "foot": "foot",
    "feet": "foot", "yard": "yard", "mile": "mile", "meter": "meter", "metre": "meter",
    "cm": "cm", "mm": "mm", "km": "km", "gram": "gram", "kg": "kg", "pound": "pound",
    "ounce": "ounce", "liter": "liter", "litre": "liter", "ml": "ml", "gallon": "gallon",
    "quart": "quart", "pint": "pint", "cup": "cup", "dollar": "dollar", "cent": "cent",
    "dozen": "dozen", "lb": "pound", "oz": "ounce", "ft": "foot", "mi": "mile", "yd": "yard",
    "g": "gram", "mg": "mg", "m": "meter", "hr": "hour", "min": "minute", "sec": "second",
}  # fmt: skip


def measures(line: str) -> set[str]:
    """The units of measure a line names, one name per unit ("feet" and "foot" are one)."""
    words = (w.lower() for w in re.findall(r"[A-Za-z]+", line))
    found = {_MEASURES[w.rstrip("s")] for w in words if w.rstrip("s") in _MEASURES}
    if re.search(r"\d\s*in\b", line):
        found.add("inch")  # "24 in": inches, where "in" follows a number
    return found | ({"dollar"} if "$" in line else set())


def or_parts(line: str) -> list[str]:
    """``x = 2 or x = 5``; ``x = 2 or 5`` is read the same way."""
    parts = [p for p in _SPLIT_OR.split(line) if p]
    head = _ASSIGNED.match(parts[0]) if parts else None
    if head is None:
        return parts
    return [parts[0]] + [
        p if re.search(r"[=<>~]", p) else f"{head.group(1)} = {p}" for p in parts[1:]
    ]


def split_steps(line: str) -> list[str]:
    """``2x = 8 so x = 4``: the steps written on one line."""
    return [part for part in _CONNECTOR.split(line) if part.strip()]


def prose_words(line: str) -> list[str]:
    """The words of a line that are words, not letters multiplied or names of functions."""
    return [w for w in _WORD.findall(line) if _is_prose(w)] + _SHORT_WORDS.findall(line)


def names_a_value(text: str, line: str) -> bool:
    """``Total = 15``, ``f(g(2)) = f(3) = 9``: a label given a value, nothing computed. (A
    named computation, ``mean = (72 + 77) / 2``, is read as the expression it is.)"""
    stripped = text.strip()
    return line != stripped and bool(_LABEL.match(stripped)) and bool(_NAMED_VALUE.fullmatch(line))


def changes_units(line: str) -> bool:
    """``2.5 kg = 2500 g``: a unit change stated, not a computation with an operator."""
    return len(measures(line)) > 1 and not _NUMERIC_CLAIM.search(line)
