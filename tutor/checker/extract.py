"""Finding the math in prose: steps in model text, and the claims inside one step.

A claim is a relation such as ``18 - 6 = 12`` that the writer asserts. Prose is full of numbers
that are not claims ("half of 10 = 5" says 5 = half of 10, not 10 = 5), so a span of plain text
is only taken as a claim when it stands on its own: see ``_plain_claims``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tutor.checker.latex import latex_to_plain
from tutor.checker.limits import ParseError

_THINK = re.compile(r"</?think>", re.I)
_NOTE = re.compile(r"<<([^<>]{1,400})>>")
_DISPLAY = re.compile(r"\\\[(.+?)\\\]|\$\$(.+?)\$\$", re.S)
_INLINE = re.compile(r"\\\((.+?)\\\)", re.S)
_DOLLAR = re.compile(r"(?<![\\$])\$(?!\$)([^$\n]{1,300}?)(?<![\\$])\$(?!\d)")
_BOXED = re.compile(r"\\boxed\{")
# Characters a numeric claim can be written with; any other character ends the span.
_SPAN = re.compile(r"[\d$(][\d\s.,+\-*/^()=<>%$~×÷−·]*[\d)%]")
_BINARY_START = re.compile(r"^\s*[*/^+×÷·=<>]")
_TIMES_X = re.compile(r"(?<=[\d)])\s*[xX×]\s*(?=[$(]?\d)")
_OF = re.compile(r"(\d%|\d/\d+)\s+of\s+(?=\$?\d)")
# Words after which a number is not the start of a self-contained computation.
_MODIFIERS = frozenset(
    """
    of half twice thrice double triple times than by per quarter third fourth fifth tenth
    percent each every about around approximately nearly almost over under least most only
    minus plus and
    """.split()
)
_APPROX_WORDS = re.compile(r"\b(about|approximately|approx\.?|around|roughly|nearly|almost)\s*$", re.I)


@dataclass(frozen=True)
class Claim:
    """One piece of math found in a step, in plain syntax."""

    text: str
    approx: bool = False
    source: str = "plain"  # plain | latex | note


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


def claims_in(text: str) -> list[Claim]:
    """Every claim in a step of prose: calculator notes, LaTeX math, then plain arithmetic."""
    claims: list[Claim] = []
    for m in _NOTE.finditer(text):
        claims.append(Claim(m.group(1), source="note"))
    text = _NOTE.sub(" ", text)

    def latex(m: re.Match[str]) -> str:
        body = next(g for g in m.groups() if g is not None)
        try:
            plain = latex_to_plain(body, keep_text=True)
        except ParseError:
            return " ; "
        claims.extend(
            Claim(c.text, c.approx, "latex") for c in _plain_claims(plain, strict=False)
        )
        return " ; "

    text = _DISPLAY.sub(latex, text)
    text = _INLINE.sub(latex, text)
    text = _DOLLAR.sub(lambda m: latex(m) if _looks_like_math(m.group(1)) else m.group(0), text)
    claims.extend(_plain_claims(text, strict=True))
    return claims


def _looks_like_math(body: str) -> bool:
    """``$12 + 6 = 18$`` is math; ``$5 and $`` (two prices) is not."""
    return bool(re.search(r"[=<>]|\\", body)) and not re.search(r"[A-Za-z]{4,}(?![^{]*\})", body)


def _plain_claims(text: str, *, strict: bool) -> list[Claim]:
    text = text.replace("\u2212", "-").replace("\u2248", "~")
    text = _TIMES_X.sub(" * ", text)
    text = _OF.sub(r"\1 * ", text)
    claims = []
    for piece in re.split(r"[,;:]\s|\.\s|\n|\s-\s(?=[A-Za-z])", text):
        for m in _SPAN.finditer(piece):
            span = m.group(0).strip()
            if "=" not in span and "~" not in span and "<" not in span and ">" not in span:
                continue
            before = piece[: m.start()]
            claim = _standalone(span, before, strict)
            if claim is not None:
                claims.append(claim)
    return claims


def _standalone(span: str, before: str, strict: bool) -> Claim | None:
    """Keep a span only when its left side is a whole computation."""
    if _BINARY_START.match(span):
        return None
    words = re.findall(r"[A-Za-z]+", before[-40:])
    if strict and words and words[-1].lower() in _MODIFIERS and before.rstrip()[-1:].isalpha():
        return None
    if strict and before.rstrip().endswith(("/", "*", "^", "-", "+", "×", "(")):
        return None
    approx = bool(_APPROX_WORDS.search(before))
    return Claim(span.strip(" ."), approx)
