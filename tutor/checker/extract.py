"""Finding the math in prose: steps in model text, and the claims inside one step.

A claim is a relation such as ``18 - 6 = 12`` that the writer asserts. Prose is full of numbers
that are not claims ("half of 10 = 5" says 5 = half of 10, not 10 = 5), so a span of plain text
is only taken as a claim when it stands on its own: see ``_plain_claims``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from tutor.checker.latex import latex_to_plain
from tutor.checker.limits import ParseError
from tutor.checker.student_text import measures
from tutor.checker.tokens import normalize

_THINK = re.compile(r"</?think>", re.I)
_NOTE = re.compile(r"<<([^<>]{1,400})>>")
_DISPLAY = re.compile(r"\\\[(.+?)\\\]|\$\$(.+?)\$\$", re.S)
_INLINE = re.compile(r"\\\((.+?)\\\)", re.S)
_DOLLAR = re.compile(r"(?<![\\$])\$(?!\$)([^$\n]{1,300}?)(?<![\\$])\$(?!\d)")
_BOXED = re.compile(r"\\boxed\{")
# Characters a numeric claim can be written with; any other character ends the span.
_SPAN = re.compile(r"(?:[\d$(]|\.\d)[\d\s.,+\-*/^()=<>%$~]*[\d)%]")
_BINARY_START = re.compile(r"^\s*[*/^+×÷·=<>]")  # noqa: RUF001
_TIMES_X = re.compile(r"(?<=[\d)%])\s*[xX]\s*(?=[$(]*\.?\d)")
_OF = re.compile(r"(\d%|\d/\d+)\s+of\s+(?=\$?\d)")
# Words after which a number is not the start of a self-contained computation.
_MODIFIERS = frozenset(
    [
        "of",
        "half",
        "twice",
        "thrice",
        "double",
        "triple",
        "times",
        "than",
        "by",
        "per",
        "quarter",
        "third",
        "fourth",
        "fifth",
        "tenth",
        "percent",
        "each",
        "every",
        "about",
        "around",
        "approximately",
        "nearly",
        "almost",
        "over",
        "under",
        "least",
        "most",
        "only",
        "minus",
        "plus",
        "and",
    ]
)
_APPROX_WORDS = re.compile(
    r"\b(about|approximately|approx\.?|around|roughly|nearly|almost)\s*$", re.I
)


@dataclass(frozen=True)
class Claim:
    """One piece of math found in a step, in plain syntax."""

    text: str
    approx: bool = False
    source: str = "plain"  # plain | latex | note | named
    mixed_units: bool = False  # units were dropped, and not all the same one
    at: int = 0  # where it starts in the step: claims are judged in the order written
    implied: bool = False  # written after "=>" from the claim before it


def extract_steps(text: str) -> list[str]:
    """Split model prose into steps: one per non-empty line, display math kept whole."""
    text = _THINK.sub("\n", text)
    protected = _DISPLAY.sub(lambda m: m.group(0).replace("\n", " "), text)
    return [line.strip() for line in protected.split("\n") if line.strip()]


def boxed_answers(text: str) -> list[str]:
    """The contents of every ``\\boxed{...}`` in ``text``."""
    found = []
    for m in _BOXED.finditer(text):
        depth, start = 1, m.end()
        for j in range(start, min(len(text), start + 500)):
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            if depth == 0:
                found.append(text[start:j])
                break
    return found


_BOXED_SIMPLE = re.compile(r"\\boxed\{([^{}]*)\}")
_ASIDE = re.compile(r"\s*\([^()]*[A-Za-z]{2,}[^()]*\)")
_PER_UNIT = re.compile(r"(?<=\d)\s*/\s*[A-Za-z]+(?:\s*/\s*[A-Za-z]+)*")
_UNIT = re.compile(
    r"(?<=[\d%])(\s+[A-Za-z][A-Za-z'\-]*(?:\s+[A-Za-z][A-Za-z'\-]*){0,2})(?=\s*(?:[-+*/=×÷)]|[xX]\s))"  # noqa: RUF001
)
_NOT_UNITS = frozenset(
    [
        "times",
        "of",
        "and",
        "or",
        "is",
        "are",
        "was",
        "minus",
        "plus",
        "than",
        "more",
        "less",
        "by",
        "per",
        "x",
        "X",
        # "(-2)^2 = 4 but -2^2 = -4": words that join two claims, never units.
        "but",
        "while",
        "whereas",
        "since",
        "because",
        "so",
        "then",
        "which",
        "that",
        "when",
        "if",
        "yet",
        "thus",
        "hence",
        "giving",
        "making",
        "leaving",
    ]
)


def _strip_units(text: str) -> tuple[str, set[str]]:
    """``2 books * 2 pounds/book = 4 pounds`` -> ``2 * 2 = 4 pounds``; returns the units."""
    units: set[str] = set()
    text = _ASIDE.sub(" ", text)
    text = _PER_UNIT.sub("", text)

    def drop(m: re.Match[str]) -> str:
        words = m.group(1).split()
        if any(w in _NOT_UNITS for w in words):
            return m.group(0)
        if words[0].lower() in ("dozen", "dozens"):
            return " * 12"  # "3 dozen - 10 = 26": a count, not a unit to drop
        units.add(words[-1].lower().rstrip("s"))
        return ""

    return _UNIT.sub(drop, text), units


_NAMED_TEXT = re.compile(r"\\text\{([^{}]{3,60})\}\s*=\s*([^\\]*?)\s*\\\]")
_NAMED_PLAIN = re.compile(
    r"(?:^|[.:]\s+)([A-Z][A-Za-z' ]{2,40}?)\s*=\s*([$\d(][^=\n]*?)(?=\.\s|\.?$|\n)"
)


_ARITH_TEXT = re.compile(r"[$\d\s.,+\-*/()%]+")
_LONE_LETTER = re.compile(r"(?<![A-Za-z'])[A-Za-z](?![A-Za-z'])")


def _named_claims(text: str) -> list[Claim]:
    """``Total = 3 + 3 + 1.5. Total = 8.`` : the same named quantity given two values in a row.

    Asides in brackets are dropped (``$3.00 (laundry)``) and inline math is read as plain
    text, so ``Total = \\(\\frac{3}{4}A + A\\) Total = \\(2A\\)`` is a claim too. A value
    may use one-letter unknowns (``A``); such a claim says two expressions are the same.
    """
    found: list[tuple[int, str, str, int | None]] = [
        (m.start(), m.group(1), m.group(2), None) for m in _NAMED_TEXT.finditer(text)
    ]
    plain = _ASIDE.sub(" ", _inline_as_sentences(text))
    found += [
        (m.start(), m.group(1), m.group(2), plain[: m.start()].count("\n"))
        for m in _NAMED_PLAIN.finditer(plain)
    ]
    found.sort()
    claims = []
    seen: set[str] = set()
    for (_, name1, rhs1, line1), (_, name2, rhs2, line2) in itertools.pairwise(found):
        if name1.strip().lower() != name2.strip().lower() or not _a_quantity(name1):
            continue
        if line1 is not None and line2 is not None and line1 != line2:
            continue  # "- Jack: Probability = 3/4" then "- Jill: Probability = 1/4": two things
        last1 = re.split(r"=", rhs1)[-1].strip()
        first2 = re.split(r"=", rhs2)[0].strip()
        claim = f"{last1} = {first2}"
        if claim not in seen and _ARITH_TEXT.fullmatch(_LONE_LETTER.sub("", last1 + first2)):
            seen.add(claim)
            claims.append(Claim(claim, False, "named", at=-1))
    return claims


_SUPPOSING = re.compile(
    r"^(?:if|when|for|let|suppose|assume|assuming|case|try|trying|test|testing|then|so|and|"
    r"or|with|where|since|because|now|here|at|given)\b",
    re.I,
)


def _a_quantity(name: str) -> bool:
    """``Total``, ``Total cost``: a quantity named in words. Not ``If x`` (a value tried) and
    not a name holding a lone letter (a letter's values are compared elsewhere)."""
    name = name.strip()
    return not _SUPPOSING.match(name) and all(len(w) > 1 for w in re.findall(r"[A-Za-z]+", name))


def _inline_as_sentences(text: str) -> str:
    """``\\(a + b\\)`` -> ``a + b .``: inline math read as plain text that ends a sentence."""

    def plain(m: re.Match[str]) -> str:
        try:
            return " " + latex_to_plain(m.group(1)) + " . "
        except ParseError:
            return " ; "

    return _INLINE.sub(plain, text)


def claims_in(text: str) -> list[Claim]:
    """Every claim in a step of prose, in the order written: calculator notes, LaTeX math
    and plain arithmetic (and a named quantity given two values in a row)."""
    claims: list[Claim] = _named_claims(text)
    text = _BOXED_SIMPLE.sub(lambda m: " " * 7 + m.group(1) + " ", text)
    for m in _NOTE.finditer(text):
        claims.append(Claim(m.group(1), source="note", at=m.start()))
    # The note is the authoritative computation; the prose around it is often loose
    # ("3/4 of 364 = 364 / 4 = <<3/4*364=273>>273"), so the note's place ends the span.
    # Each piece of math read is blanked to the same length, so positions stay those of
    # the step and the claims can be put in the order they are written.
    text = _NOTE.sub(_blank, text)

    def latex(m: re.Match[str]) -> str:
        body = next(g for g in m.groups() if g is not None)
        claims.extend(latex_claims(body, m.start()))
        return _blank(m)

    text = _DISPLAY.sub(latex, text)
    text = _INLINE.sub(latex, text)
    text = _DOLLAR.sub(lambda m: latex(m) if _looks_like_math(m.group(1)) else m.group(0), text)
    # "9 \times 18 = 172" written without math delimiters.
    text = _BARE_OPERATOR.sub(lambda m: _BARE_OPERATORS[m.group(0)].ljust(len(m.group(0))), text)
    for m in _PLAIN_CONGRUENCE.finditer(normalize(text)):
        claims.append(Claim(m.group(0), source="congruence", at=m.start()))
    claims.extend(_plain_claims(text, strict=True))
    # Stable: claims of one piece of math keep their order.
    return sorted(claims, key=lambda c: c.at)


_PLAIN_CONGRUENCE = re.compile(
    r"-?[\d(][\d\s^()*+\-!]*(?:\u2261\s*-?[\d(][\d\s^()*+\-!]*)+\(\s*mod\s+\d+\s*\)"
)


def _blank(m: re.Match[str]) -> str:
    """The matched text replaced by a statement break of the same length."""
    return " ; ".ljust(len(m.group(0)))


def latex_claims(body: str, at: int = 0) -> list[Claim]:
    """The claims in one piece of LaTeX math, each statement of it on its own.

    Words in ``\\text{}`` are dropped (a unit, a label) or end a statement (``\\text{ and }``),
    ``\\implies`` and ``\\quad`` end one, and a statement is read whole when it parses, with
    letters as unknowns and function values as such (``tutor.checker.readings``). Otherwise only
    plain arithmetic that stands apart is taken: ``6 = 10`` is not a claim of
    ``6 = 10 \\sin \\theta``. Units in ``\\text{}`` that differ mark the claims
    ``mixed_units``.
    """
    # "x_1 = \frac{12}{2} = 6": the 1 names a root; x_1 is read as a name of its own.
    body = _TEXT_ASIDE.sub(" ", body)
    try:
        plain = latex_to_plain(body, breaks=True)
    except ParseError:
        return []
    mixed = len(_text_units(body)) > 1
    claims: list[Claim] = []
    implied = False
    for piece in _STATEMENT_BREAK.split(plain):
        if piece is None:  # the break matched was not "=>"
            continue
        if piece == "=>":
            implied = True
            continue
        piece = piece.strip().rstrip(".")
        if not piece:
            continue
        if "\u2261" in piece:
            claims.append(Claim(piece, False, "congruence", mixed, at))
        elif _whole_statement(piece):
            claims.append(Claim(piece, False, "latex", mixed, at, implied))
        else:
            claims.extend(
                Claim(c.text, c.approx, "latex", c.mixed_units or mixed, at)
                for c in _plain_claims(piece, strict=False, latex=True)
            )
        implied = False
    return claims


# Where one statement of a display ends: "=>" (kept, to know what implies what), ";", and a
# comma between statements (not "1,000", not "f(1, 2)": a comma inside brackets is kept).
_STATEMENT_BREAK = re.compile(r"\s*(=>)\s*|\s*;\s*|,\s+(?![^()\[\]]*[)\]])")
# "15 (\\text{light blue}) + 45": words in brackets are an aside.
_TEXT_ASIDE = re.compile(r"\(\s*\\(?:text|textrm|mathrm|mbox)\s*\{[^{}]*\}\s*\)")
_UNIT_TEXT = re.compile(
    r"[\d})]\s*(?:\\[,;:! ]\s*)*\\(?:text|textrm|mathrm|mbox)\s*\{\s*([A-Za-z]+)"
)


def _text_units(body: str) -> set[str]:
    """The units written in ``\\text{}`` after a value (and ``\\$``), one name per unit."""
    found = set()
    for word in _UNIT_TEXT.findall(body):
        unit = word.lower().rstrip("s")
        if unit not in _NOT_UNITS and unit not in ("dozen",):
            found |= measures(word) or {unit}
    return found | ({"dollar"} if "\\$" in body else set())


def expressions_in(text: str) -> list[str]:
    """The math of a step that is an expression, not a relation: ``\\(5x + 20 - 6x + 12\\)``."""
    found = []
    for m in _ANY_MATH.finditer(text):
        body = next(g for g in m.groups() if g is not None)
        if _SUBSCRIPT.search(body) or re.search(r"[=<>]|\\(?:le|ge|leq|geq|approx|neq)\b", body):
            continue
        try:
            found.append(latex_to_plain(body))
        except ParseError:
            continue
    return found


def inequalities_in(text: str) -> list[str]:
    """Inequalities written as math in a step: ``\\( -4x \\le 8 \\)`` as ``-4x <= 8``."""
    found = []
    for m in _ANY_MATH.finditer(text):
        body = next(g for g in m.groups() if g is not None)
        if "=" in body.replace("\\le", "").replace("\\ge", "") or _SUBSCRIPT.search(body):
            continue
        if not re.search(r"[<>]|\\(?:le|ge|leq|geq|lt|gt)\b", body):
            continue
        try:
            found.append(latex_to_plain(body))
        except ParseError:
            continue
    return found


_BARE_OPERATORS = {"\\times": " * ", "\\cdot": " * ", "\\div": " / "}
_BARE_OPERATOR = re.compile(r"\\(?:times|cdot|div)(?![A-Za-z])")


def _whole_statement(plain: str) -> bool:
    """A LaTeX statement that reads whole as one relation in some reading, e.g.
    ``9x - 21 = 339`` or ``f(2) = 2(2) + 1``; words (left outside ``\\text{}``) refuse it."""
    from tutor.checker.readings import parse_readings

    try:
        return any(s.is_relation for s in parse_readings(plain, words=False))
    except (ParseError, ValueError, TypeError, RecursionError):
        return False


def _looks_like_math(body: str) -> bool:
    """``$12 + 6 = 18$`` is math; ``$5 and $`` (two prices) is not."""
    words = re.sub(r"\\[A-Za-z]+", " ", body)  # "\times" is math, not a word
    return bool(re.search(r"[=<>]|\\", body)) and not re.search(r"[A-Za-z]{4,}(?![^{]*\})", words)


_MOD_WORD = re.compile(r"(?<=[\d)])\s*\bmod\b\s*(?=[\d(])")
_PIECE_BREAK = re.compile(r"[,;:]\s|\.\s|\n|\s[-\u2013\u2014]\s(?=[A-Za-z])")


def _pieces(text: str) -> list[tuple[int, str]]:
    """The sentence pieces of ``text`` with where each starts."""
    found, start = [], 0
    for m in _PIECE_BREAK.finditer(text):
        found.append((start, text[start : m.start()]))
        start = m.end()
    found.append((start, text[start:]))
    return found


def _plain_claims(text: str, *, strict: bool, latex: bool = False) -> list[Claim]:
    """Arithmetic that stands on its own in plain text (``latex``: a statement of LaTeX math
    that did not read whole, whose letters are math, not units)."""
    claims = []
    for at, raw in _pieces(text):
        raw = _OF.sub(r"\1 * ", _TIMES_X.sub(" * ", normalize(raw)))
        raw = _MOD_WORD.sub(" % ", raw)  # "2310 mod 42 = 18": read as the remainder too
        piece, units = (raw, set()) if latex else _strip_units(raw)
        rounded = _APPROX_NOTE.search(raw) is not None  # "= 1158 (rounded)"
        for m in _SPAN.finditer(piece):
            span = m.group(0).strip()
            if "=" not in span and "~" not in span and "<" not in span and ">" not in span:
                continue
            before, after = piece[: m.start()], piece[m.end() :]
            if _COMPOUND.match(after) and not latex:
                # "= 2 hours 45 minutes": the last side goes on past its number.
                span = span[: max(span.rfind(c) for c in "=<>~")].rstrip(" =<>~")
            claim = _standalone(span, before, after, strict, latex)
            if claim is not None:
                # "5 m = 500 cm": the last side's unit follows the span, not an operator.
                trailing = None if latex else _TRAILING_UNIT.match(after)
                found = units | ({trailing.group(1).lower().rstrip("s")} if trailing else set())
                if "$" in span and "cent" in found:
                    found.add("dollar")  # "$1.00 - $0.35 = $0.65 = 65 cents"
                mixed = len(found) > 1
                approx = claim.approx or rounded
                claims.append(Claim(claim.text, approx, claim.source, mixed, at + m.start()))
    return claims


_SUBSCRIPT = re.compile(r"[A-Za-z]\s*_")
# "187 = 13 * 14", "1584 = 2^4 * 3^2 * 11": a whole number stated as a product of numbers.
_FACTORED = re.compile(r"\d+\s*=\s*\d+(?:\s*\^\s*\d+)?(?:\s*\*\s*\d+(?:\s*\^\s*\d+)?)+")
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|\u2026|\\[lc]?dots)")
_ELLIPSIS_BEFORE = re.compile(r"(?:\.\.\.|\u2026)\s*$")
_MATH_GOES_ON = re.compile(r"\s*(?:[A-Za-z(\['!|]|[-+*/^]\s*[^\s\d])")
_MATH_CAME_BEFORE = re.compile(r"[A-Za-z)\]'!|]\s*$|[-+*/^(]\s*$")
_FUNCTION_VALUE = re.compile(r"(?<![A-Za-z\d\\])[A-Za-z]\s*\((?:[^()]|\([^()]*\))*\)\s*(?==)")
_UNIT_BEFORE = re.compile(r"\d\s*[A-Za-z]{1,12}\s+$")  # "1 hr 30 min = 90 min"
_APPROX_NOTE = re.compile(r"\(\s*(?:rounded|approx|approximately|about|roughly)\b", re.I)
_APPROX_AFTER = re.compile(r"\s*\(?\s*(?:rounded|approx|approximately|about|roughly)\b", re.I)
_COMPOUND = re.compile(r"\s*[A-Za-z]+\s+(?:and\s+)?\d")
_TRAILING_UNIT = re.compile(r"\s*([A-Za-z]{1,20})\b(?!\s*[=(])")
# Words after which a number is a name, not a quantity: "Day 1 - 5 + 3 = 8".
_LABELS = frozenset(
    [
        "day",
        "week",
        "month",
        "year",
        "step",
        "part",
        "case",
        "option",
        "question",
        "problem",
        "round",
        "level",
        "stage",
        "phase",
        "page",
        "room",
        "chapter",
        "grade",
        "table",
        "figure",
        "team",
        "group",
        "game",
        "trip",
        "test",
        "quiz",
        "lap",
        "row",
        "column",
        "line",
        "box",
        "item",
    ]
)
_FUNCTION_WORD = re.compile(
    r"(?:\b(?:log|ln|sin|cos|tan|sqrt|exp|floor|ceiling|binomial|gcd|lcm)|[\u221a\u221b])\s*$",
    re.I,
)


def _factorization(span: str) -> bool:
    """``187 = 13 * 14``: a whole number stated as a product of factors each smaller than it
    (``2 = 16 * 2`` restates a quantity, it does not factor one)."""
    if not _FACTORED.fullmatch(span):
        return False
    number, _, product = span.partition("=")
    factors = [int(f.split("^")[0]) for f in product.split("*")]
    return all(1 < f < int(number) for f in factors)


def _standalone(
    span: str, before: str, after: str, strict: bool, latex: bool = False
) -> Claim | None:
    """Keep a span only when its left side is a whole computation and its right side ends."""
    if _BINARY_START.match(span):
        return None
    if _ELLIPSIS.match(after) or _ELLIPSIS_BEFORE.search(before):
        return None  # "1234.234... - 1.234...": a decimal that goes on is not a value
    if latex:
        # In math, a letter or a bracket next to the span is more of the same side:
        # "6 = 10 sin(theta)", "2(lw + lh)", "f''(4) = 6".
        if _MATH_GOES_ON.match(after):
            span = span[: max(span.rfind(c) for c in "=<>~")].rstrip(" =<>~")
        if _MATH_CAME_BEFORE.search(before):
            first = re.search(r"[=<>~]", span)
            span = span[first.end() :].strip() if first else ""
        if not re.search(r"[=<>~]", span):
            return None
    if re.search(r"\d\s*:\s*$", before) or re.match(r"\s*:\s*\d", after):
        return None  # "12:16 = 3:4", "2:30": ratios and times
    if re.match(r"\s*(?:R|r|rem|remainder)\.?\s*\d", after):
        return None  # "23 ÷ 5 = 4 R 3": division with a remainder
    sides = re.split(r"[=<>~]", span)
    if re.search(r"\d-\d", sides[0]) and re.search(r"\d-\d", sides[-1]):
        return None  # "3-4 hours * 2 = 6-8 hours": ranges, not subtractions
    label = re.findall(r"[A-Za-z]+", before[-20:])
    if label and label[-1].lower() in _LABELS and re.search(r"[A-Za-z]\s*$", before):
        return None  # "Day 1 - 5 + 3 = 8": the 1 names the day
    if (
        _FUNCTION_WORD.search(before)
        or before.rstrip().endswith("_")
        or _UNIT_BEFORE.search(before)
    ):
        # "\log 100 = 2", "√(x + 3) = 5", "x_1 = 6": the first side began before the span.
        first = re.search(r"[=<>~]", span)
        if first is None:
            return None
        span = span[first.end() :].strip()
        if not re.search(r"[=<>~]", span):
            return None
    if (
        re.match(r"[A-Za-z(*/^]", after)
        or re.match(r"\s*[*/^]", after)
        or re.match(r"\s*[-+]\s*(?:[(\\]|[A-Za-z](?![A-Za-z]))", after)
    ):
        # "250 = (5/2)x" or "9 = (3/4)*number": the last side goes on in words.
        span = span[: max(span.rfind(c) for c in "=<>~")].rstrip(" =<>~")
        if not re.search(r"[=<>~]", span):
            return None
    if strict and not (
        re.search(r"[\d)%]\s*[-+*/^%]\s*[\d(.$]", span.split("=")[0]) or _factorization(span)
    ):
        # "48 = 100% + 20%": the left side is not a computation, the prose is restating.
        return None
    words = re.findall(r"[A-Za-z]+", before[-40:])
    if strict and words and words[-1].lower() in _MODIFIERS and before.rstrip()[-1:].isalpha():
        return None
    if before.rstrip().endswith(("/", "*", "^", "-", "+", "(")) or before[-1:].isalnum():
        # "Naomi's points + 17 = 68 + 17 = 85": the first side began in words; keep the rest.
        first = re.search(r"[=<>~]", span)
        if first is None:
            return None
        span = span[first.end() :].strip()
        if not re.search(r"[=<>~]", span):
            return None
    approx = bool(_APPROX_WORDS.search(before) or _APPROX_AFTER.match(after))
    return Claim(span.strip().rstrip(" ."), approx)


_ANY_MATH = re.compile(r"\\\[(.+?)\\\]|\$\$(.+?)\$\$|\\\((.+?)\\\)", re.S)
# A run of numbers, one-letter unknowns, operators and brackets, as in "0.99B + B = 4500".
_NUM = r"(?:(?:\d{1,3}(?:,\d{3})+(?![\d,])|\d+)(?:\.\d+)?|\.\d+)"
_VAR = r"(?<![A-Za-z'_\\])[A-Za-z](?![A-Za-z'_])"  # not "t_b", not a word
_EQUATION = re.compile(rf"(?:\$?{_NUM}%?|{_VAR}|[-+*/^=()]|[ \t])+")
_BULLET = re.compile(r"(?m)(?:^|(?<=[.:!?]))\s*[-*\u2022]\s+(?=\\\(|\$|[A-Za-z])")
_LETTER_CALL = re.compile(r"(?<![A-Za-z])[A-Za-z]'*\(")
_WORDY_VAR = re.compile(r"(?<![A-Za-z'])(?:a|A|I)\s+(?=[A-Za-z]{2})")
_LETTER_THEN_NUMBER = re.compile(r"(?<![A-Za-z'])[A-Za-z]\s+\$?\d")  # "a 5": prose, not a product


def equations_in(text: str) -> list[str]:
    """Relations with one-letter unknowns, in the order they are written.

    ``150 + \\(x\\) = 500. Subtracting 150, we get \\(x\\) = 350 - 150`` gives
    ``150 + x = 500`` and ``x = 350 - 150``. Math in LaTeX is read as plain text first, so an
    equation split between prose and ``\\( \\)`` is found whole. Numeric claims without an
    unknown are left to ``claims_in``.
    """
    text = _NOTE.sub(" ; ", _BOXED_SIMPLE.sub(r"\1", text))
    # "- \(x + 18 = 17\)": a list bullet, not a minus sign.
    text = _BULLET.sub(" ; ", text)

    def plain(m: re.Match[str]) -> str:
        body = next(g for g in m.groups() if g is not None)
        if _SUBSCRIPT.search(body):
            return " ; "  # x_1, x_2: two names that would read as one unknown x
        try:
            return " " + latex_to_plain(body, keep_text=True) + " ; "
        except ParseError:
            return " ; "

    # Inline math that is one unknown ("\(x\)") continues the sentence it sits in.
    text = re.sub(r"\\\(\s*([A-Za-z])\s*\\\)", r"\1", text)
    # "f(2) = 5", "P(heads) = 1/2": a function's value, not an equation in the letter f or P.
    text = _FUNCTION_VALUE.sub(" ; ", text)
    text = _ASIDE.sub(" ", _ANY_MATH.sub(plain, text))
    # "2x = 20°": the degree sign on every side of an equation changes nothing.
    text = _TIMES_X.sub(" * ", normalize(text).replace("\\$", "$").replace("\u00b0", ""))
    found = []
    for m in _EQUATION.finditer(text):
        span = m.group(0).strip()
        if re.match(r"[-+*/^=]", span) and re.search(r"[\w')]\s*$", text[: m.start()]):
            # "Kassidy's money + 5 = 3x": the first side began in words; keep the rest.
            span = span[span.find("=") + 1 :] if "=" in span else ""
        if re.search(r"[-+*/^=(]$", span):
            # "P = 2 * (Length + Width)": the last side goes on in words.
            span = span[: span.rfind("=")] if "=" in span else ""
        span = span.strip().lstrip("+*/^= ").rstrip("-+*/^= ")
        if "=" not in span or not re.search(_VAR, span) or not re.search(r"\d", span):
            continue
        if _WORDY_VAR.search(span) or _LETTER_THEN_NUMBER.search(span):
            continue
        if span.count("(") != span.count(")") or _LETTER_CALL.search(span):
            # "a(3 - 3r)", "f(x + 1)": a product or a function's value; not one unknown.
            continue
        if _FUNCTION_WORD.search(text[: m.start()]) or text[: m.start()].endswith("_"):
            continue  # "√(x + 3) = 5", "log(x) = 2": the function is not part of the span
        found.append(span)
    return found


# A final answer as a GSM8K-style sentence states it: $1,200, 1/2, -3/2, \frac{3}{4}, 12.5%.
_ANSWER_TOKEN = re.compile(r"-?\$?\s?(?:\\frac\{-?\d+\}\{\d+\}|\d[\d,]*(?:\.\d+)?(?:/\d+)?)%?")
_FRAC = re.compile(r"\\frac\{(-?\d+)\}\{(\d+)\}")
_SPACED_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?!\d|[,.]\d)")
_PROSE = re.compile(r"[A-Za-z]{3,}")
_LATEX_END = re.compile(r"\\[)\]]|\$+")
MAX_READINGS = 8
MAX_TAIL = 200  # characters of an answer compared whole


def final_answers(steps: Sequence[str]) -> tuple[int, list[str]] | None:
    """The solution's final answer, with the step that states it, as readings to try in order.

    The last ``\\boxed{}`` is the only reading when there is one. Without a box, GSM8K-style
    solutions end on a sentence whose last number is not always the answer ("a total of 34
    hours in 4 weeks", "he can make 1600 because 1600 > 1200"). The readings are then: what
    follows the sentence's last ``=`` (when it is math, not prose), then each number of the
    sentence from the last; fractions are read whole. A sentence with no number gives no
    reading. A caller should call the answer wrong only when every reading is wrong. None for
    no steps.
    """
    for index in range(len(steps) - 1, -1, -1):
        boxed = boxed_answers(steps[index])
        if boxed:
            return index, [boxed[-1]]
    if not steps:
        return None
    last = steps[-1][-2000:]  # the answer is at the end; bounded work on a huge line
    tail = _math_tail(last)
    readings = [tail] if tail else []
    if "=" in last:
        after = _LATEX_END.sub(" ", last.rpartition("=")[2]).split(". ")[0].strip(" .")
        if after and not _PROSE.search(_FRAC.sub("", after)):
            readings.append(after)
    readings += [m.replace(" ", "") for m in _SPACED_THOUSANDS.findall(last)][::-1]
    readings += [t.replace(" ", "") for t in _ANSWER_TOKEN.findall(last)][::-1]
    readings = [_FRAC.sub(r"\1/\2", r).rstrip(",") for r in readings]
    # Each reading is one bounded check; a sentence stuffed with numbers must not multiply them.
    return len(steps) - 1, list(dict.fromkeys(r for r in readings if r))[:MAX_READINGS]


# Words that join math in an answer ("x = 1 or x = -3"); any other run of 2+ letters is prose.
_JOINERS = frozenset(["or", "and", "sqrt", "pi", "frac", "infty", "oo"])
_LETTERS = re.compile(r"[A-Za-z]{2,}")
# Math and Markdown around an answer: \( \) \[ \] $ ** and an escaped "\$".
_DELIMITERS = re.compile(r"\\[()\[\]$]|\$+|\*\*")


def _math_tail(sentence: str) -> str:
    """The words at the end of ``sentence`` that are math, not prose: "The interval is
    (1, 3]." gives ``(1, 3]``. Empty when it ends on a word, or on plain arithmetic."""
    words = _DELIMITERS.sub(" ", sentence).strip().rstrip(".").split()
    kept: list[str] = []
    for word in reversed(words):
        if any(run.lower() not in _JOINERS for run in _LETTERS.findall(word)):
            break
        kept.append(word)
    while kept and kept[-1].lower() in ("or", "and"):  # the tail starts on math, not a joiner
        kept.pop()
    tail = " ".join(reversed(kept)).lstrip("=~≈ ")
    # Plain arithmetic is read by the number readings; the tail adds what they would split.
    whole = any(c.isalpha() for c in tail) or ("," in tail and any(c in tail for c in "{[("))
    return tail if whole and len(tail) <= MAX_TAIL else ""
