"""Reading an answer as people write it, before it is compared (``answers.py``).

Boxes, "the answer is", TeX delimiters and set braces, repeating decimals, "x is 5",
scientific notation, spaced thousands, units and multipliers ("1.5 million"), and lists of
solutions ("x = -2, 3", "3 and -3"), split only outside brackets.
"""

from __future__ import annotations

import re
from fractions import Fraction

from tutor.checker import wording as W
from tutor.checker.extract import boxed_answers
from tutor.checker.latex import latex_to_plain, repeating_decimals
from tutor.checker.limits import MAX_INPUT_CHARS, ParseError
from tutor.checker.tokens import CONSTANTS, FUNCTIONS, UNIT_WORDS

_ANSWER_PREFIX = re.compile(r"^\s*(the\s+)?(final\s+)?answer\s*(is)?\s*[:=]?\s*", re.I)
_MAXIMA = (("%pi", "pi"), ("%e", "e"))
# LaTeX that ``latex_to_plain`` would misread, rewritten first. Set braces become placeholder
# characters (latex_to_plain turns ``\{`` into a parenthesis, which reads {1, 2} as an interval).
_SET_OPEN, _SET_CLOSE = "\u2983", "\u2984"
_LATEX_FIRST = (
    ("\\lbrace", _SET_OPEN),
    ("\\rbrace", _SET_CLOSE),
    ("\\{", _SET_OPEN),
    ("\\}", _SET_CLOSE),
    ("\\emptyset", "\u2205"),
    ("\\varnothing", "\u2205"),
    ("\\mathbb{R}", "\u211d"),
    ("\\mathbb R", "\u211d"),
    ("\\cup", "\u222a"),
    ("^{\\circ}", "\u00b0"),
    ("^\\circ", "\u00b0"),
)
_DELIMITED = re.compile(r"^\\\((.*)\\\)$|^\\\[(.*)\\\]$", re.S)
_TEXT_ONLY = re.compile(r"^\\(?:text|textbf|textrm|mathrm|mbox)\s*\{([^{}]*)\}$")
_IS = re.compile(r"^([A-Za-z])\s+is\s+(?=\S)")
_IT_IS = re.compile(r"^(?:it|that|this)(?:\s+is|'s)\s+(?=\S)", re.I)
_SCIENTIFIC = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s*(?:[eE]|[xX*\u00d7\u22c5\u00b7]\s*10\s*\^)\s*"
    r"(?:\(([-+]?\d+)\)|([-+]?\d+))(?![\w.])"
)
_SPACED_THOUSANDS = re.compile(r"(?<![\d.])\d{1,3}(?: \d{3})+(?!\d)")
_CURRENCY = "$\u20ac\u00a3\u00a5\u20b9"
_UNIT_NUMBER = re.compile(
    r"^(?P<var>[A-Za-z]\s*=\s*)?(?P<sign>-?)\s*[" + _CURRENCY + r"]?\s*"
    r"(?P<num>\d{1,3}(?:[ ,]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*"
    r"(?P<mult>(?i:hundred|thousand|million|billion|trillion)\b)?(?P<rest>.*)$"
)
_UNIT_PIECE = re.compile(
    r"([A-Za-z]+)(?:\^\(?[23]\)?|[\u00b2\u00b3])?|\u00b0[CF]?|[" + _CURRENCY + "]"
)
_UNIT_GAP = re.compile(r"[\s/*.]+")
_MULTIPLIERS = {"hundred": 2, "thousand": 3, "million": 6, "billion": 9, "trillion": 12}
# Units the tokenizer does not drop (single letters are read as names there).
_MORE_UNITS = frozenset(
    {"h", "s", "l", "kph", "kmh", "deg", "degree", "degrees", "yd", "yard", "yards", "mi"}
    | {"cl", "dl", "ha", "acre", "acres", "sq", "square", "cubic", "euro", "euros", "usd"}
    | {"eur", "gbp", "tonne", "tonnes", "ton", "tons", "km", "kw", "kwh", "rad"}
    | {"yr", "yrs", "pc", "pcs", "gal", "gals", "in", "men", "women", "people", "persons"}
)
# "so x = 5", "about 12": words before the answer that do not change it (a rounded value is
# compared with the rounding rule either way).
_LEAD_WORD = re.compile(
    r"^(?:so|thus|therefore|hence|about|approximately|approx\.?|around|roughly)\b,?\s*", re.I
)
_PERCENT_WORD = re.compile(r"\s*\b(?:per\s?cent|pct)\b", re.I)
# Separators of a list of solutions. "a and b" alone is not split here: see split_list.
_LIST = re.compile(r"\s+or\s+|\s*;\s*|(?:,\s*|\s+and\s+)(?=[A-Za-z]\s*=)|,\s+")
_AND = re.compile(r"\s+and\s+", re.I)
_ROOT_COMMA = re.compile(r",(?!\d{3}(?!\d))")  # a comma that is not a thousands separator
ROOT_LIST = re.compile(r"^[A-Za-z]\s*=[^=<>]*\d,\d")
_OPENERS, _CLOSERS = "([{", ")]}"


def clean(text: str, strict: bool) -> str:
    """The answer without its wrapping (boxes, "the answer is", TeX delimiters) in plain text."""
    if len(text) > MAX_INPUT_CHARS:
        raise ParseError(W.INPUT_TOO_LONG.text)  # before any rewrite: they are not all linear
    text = _FBOX.sub(r"\\boxed{", text.strip())
    boxed = boxed_answers(text)
    if len(boxed) > 1:
        # "\boxed{3} and \boxed{5}": one answer in several boxes is the list of them.
        text = ", ".join(b.strip() for b in boxed)
    elif boxed:
        text = boxed[-1]
    if (m := _DELIMITED.match(text.strip())) is not None:
        text = m.group(1) if m.group(1) is not None else m.group(2)
    text = _ANSWER_PREFIX.sub("", text).strip().strip("$").strip().rstrip(".").strip()
    if "\\" in text:
        text = _latex(text)
    text = text.replace("\u221e", "oo")
    if strict:
        for old, new in _MAXIMA:
            text = text.replace(old, new)
    else:
        # Before units are dropped: "per" and "cent" are unit words on their own.
        text = _PERCENT_WORD.sub("%", text)
    return text.strip()


_FBOX = re.compile(r"\\fbox\s*\{")
# "11,\! 111,\! 100", "1{,}000": thousands written with a TeX thin space or a braced comma.
_TEX_THOUSANDS = re.compile(r"(?<=\d)(?:,\\!\s*|\{,\}\s*)(?=\d{3}(?!\d))")
_TEXT_JOINER = re.compile(r"\\(?:text|mbox|textrm)\s*\{\s*(or|and)\s*\}", re.I)
_MEMBER_OF = re.compile(r"^\s*[A-Za-z]\s*\\in\s*")
_MATRIX = re.compile(r"\\begin\{([pbvB]?matrix)\}(.*?)\\end\{\1\}", re.S)


def _matrix(m: re.Match[str]) -> str:
    """A matrix or vector as the tuple of its entries, row by row (a column vector reads as
    the tuple it is written for)."""
    rows = [r for r in re.split(r"\\\\", m.group(2)) if r.strip()]
    cells = [[c.strip() for c in r.split("&")] for r in rows]
    if len({len(r) for r in cells}) != 1:
        raise ParseError(W.MATRIX_ROWS.text)
    entries = [c for r in cells for c in r]
    if len(entries) == 1:
        return entries[0]
    return "(" + ", ".join(entries) + ")"


def _latex(text: str) -> str:
    if (m := _TEXT_ONLY.match(text)) is not None:
        return m.group(1).strip()
    text = _TEX_THOUSANDS.sub("", text)
    text = _TEXT_JOINER.sub(r" \1 ", text)
    text = _MEMBER_OF.sub("", text)
    text = _MATRIX.sub(_matrix, text)
    text = repeating_decimals(text)
    for old, new in _LATEX_FIRST:
        text = text.replace(old, new)
    if "\\" in text:
        text = latex_to_plain(text)
    return text.replace(_SET_OPEN, "{").replace(_SET_CLOSE, "}")


def tutor_text(text: str) -> str:
    """What students write that the grammar reads otherwise: "x is 5", 1.2 x 10^3, 3 000,
    "so x = 5", "about 12"."""
    text = _LEAD_WORD.sub("", text)
    text = _IT_IS.sub("", _IS.sub(r"\1 = ", text))
    text = _SCIENTIFIC.sub(lambda m: f"({m.group(1)}*10^({m.group(2) or m.group(3)}))", text)
    return _SPACED_THOUSANDS.sub(lambda m: m.group(0).replace(" ", ""), text)


def with_units(text: str) -> tuple[str, str] | None:
    """``5 m``, ``60 km/h``, ``€5``, ``1.5 million`` as (the number, its units as written)."""
    m = _UNIT_NUMBER.match(text)
    if m is None or not _only_units(m.group("rest")):
        return None
    number = m.group("num").replace(" ", "")
    if m.group("mult"):
        value = Fraction(number.replace(",", "")) * 10 ** _MULTIPLIERS[m.group("mult").lower()]
        number = f"({value.numerator}/{value.denominator})"
    units = re.sub(r"[\s*]", "", m.group("rest")).lower()
    return f"{m.group('var') or ''}{m.group('sign')}{number}", units


def _only_units(rest: str) -> bool:
    for piece in _UNIT_GAP.split(rest.strip()):
        if not piece:
            continue
        m = _UNIT_PIECE.fullmatch(piece)
        if m is None:
            return False
        word = m.group(1)
        if word is not None and word.lower() not in UNIT_WORDS | _MORE_UNITS:
            return False  # "5x" is an expression, not five of a unit
    return True


def depths(text: str) -> list[int]:
    """How many brackets are open before each character."""
    out, depth = [], 0
    for ch in text:
        if ch in _CLOSERS:
            depth -= 1
        out.append(depth)
        if ch in _OPENERS:
            depth += 1
    return out


def split_top(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Split at the matches of ``pattern`` outside brackets: ``f(1, 2)`` is one piece."""
    depth = depths(text)
    parts, start = [], 0
    for m in pattern.finditer(text):
        if m.end() > m.start() and depth[m.start()] == 0 and m.start() >= start:
            parts.append(text[start : m.start()])
            start = m.end()
    parts.append(text[start:])
    return parts


def wrapped(text: str, opening: str, closing: str) -> bool:
    """``text`` is one bracket pair: ``{1, 2}`` is, ``{1} U {2}`` is not."""
    if len(text) < 2 or text[0] not in opening or text[-1] not in closing:
        return False
    depth = depths(text)
    return all(d > 0 for d in depth[1:-1]) and depth[-1] == 0


def split_list(text: str, strict: bool) -> list[str]:
    parts = split_top(text, _LIST)
    if strict:
        return parts
    out: list[str] = []
    for part in parts:
        pieces = split_top(part, _AND)
        # "x > 1 and x < 3" is one condition; "3 and -3" lists two answers.
        if len(pieces) > 1 and not all(_short_math(p) for p in pieces):
            pieces = [part]
        out.extend(pieces)
    if ROOT_LIST.match(text):
        # "x=-2,3": the roots listed after one "x =".
        out = [p for part in out for p in split_top(part, _ROOT_COMMA)]
    return [p for p in out if p.strip()]


def _short_math(piece: str) -> bool:
    """A piece of "3 and -3": a value, with no inequality, word or variable ("x > 1 and x < 3",
    "4 blue boxes and 6 red boxes", "A and B" are not lists of answers)."""
    if re.search(r"[<>=\u2264\u2265]", piece):
        return False
    words = re.findall(r"[A-Za-z]+", piece)
    return all(w.lower() in FUNCTIONS or w.lower() in CONSTANTS for w in words)
