"""A LaTeX subset rewritten to the plain syntax the grammar reads.

This is a text rewrite with a brace matcher, not a TeX engine: ``\\frac{a}{b}`` becomes
``((a)/(b))``, ``\\sqrt[n]{a}`` becomes ``root(a, n)``, ``\\text{...}`` is dropped. Anything
it does not know is left as a backslash word, which the tokenizer then refuses.
"""

from __future__ import annotations

import re
from fractions import Fraction

from tutor.checker import wording as W
from tutor.checker.limits import MAX_INPUT_CHARS, ParseError

_SIMPLE = {
    r"\cdot": "*",
    r"\times": "*",
    r"\div": "/",
    r"\pm": "\u00b1",
    r"\le": "<=",
    r"\leq": "<=",
    r"\leqslant": "<=",
    r"\ge": ">=",
    r"\geq": ">=",
    r"\geqslant": ">=",
    r"\ne": "!=",
    r"\neq": "!=",
    r"\approx": "~",
    r"\sim": "~",
    r"\simeq": "~",
    r"\lt": "<",
    r"\gt": ">",
    r"\pi": "pi",
    r"\infty": "oo",
    r"\left": "",
    r"\right": "",
    r"\bigl": "",
    r"\bigr": "",
    r"\Bigl": "",
    r"\Bigr": "",
    r"\big": "",
    r"\Big": "",
    r"\%": "%",
    r"\$": "$",
    r"\,": " ",
    r"\;": " ",
    r"\:": " ",
    r"\!": "",
    r"\quad": " ",
    r"\qquad": " ",
    r"\displaystyle": "",
    r"\ ": " ",
    r"\{": "(",
    r"\}": ")",
    r"\lbrace": "(",
    r"\rbrace": ")",
    r"\lvert": "|",
    r"\rvert": "|",
    r"\vert": "|",
    r"\mid": "|",
    r"\circ": "",
    r"\implies": "=>",
    r"\Rightarrow": "=>",
    r"\rightarrow": "=>",
    r"\to": "=>",
    r"\therefore": " ",
    r"\iff": "=>",
    r"\Leftrightarrow": "=>",
    r"\Longrightarrow": "=>",
    r"\longrightarrow": "=>",
    r"\equiv": " \u2261 ",
    r"\bmod": " mod ",
    r"\mod": " mod ",
    r"\lfloor": " floor(",
    r"\rfloor": ")",
    r"\lceil": " ceiling(",
    r"\rceil": ")",
}
# An index written after a letter ("a_{n+1}"): the tokenizer makes one name of the two.
SUB_OPEN, SUB_CLOSE = "\u2039", "\u203a"
_INDEX = re.compile(r"[A-Za-z0-9+\-,()]{1,12}")
# Stands for a quantity named in words ("\\text{Jamal's apples} + 8"): the grammar refuses it,
# so no claim reads across it.
QUANTITY = "\u00a4"
# Where prose joins statements inside one display: each side of these is its own statement.
_BREAKS = {r"\quad", r"\qquad", "\\\\", r"\begin", r"\end", r"\text", r"\newline"}
# Words in ``\text{}`` that join two statements ("x = 1 \text{ and } y = 2"); any other text
# (a unit, a label) is dropped.
_JOINING = re.compile(
    r"\b(?:and|or|if|so|then|thus|hence|where|when|since|because|for|with|which|gives|"
    r"implies|but|is|are|not|mod|remainder|rem|is|since)\b|[:;,]",
    re.I,
)
_FUNCS = [
    "sin",
    "cos",
    "tan",
    "sec",
    "csc",
    "cot",
    "arcsin",
    "arccos",
    "arctan",
    "sinh",
    "cosh",
    "tanh",
    "ln",
    "log",
    "exp",
]
_GREEK = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "theta",
    "lambda",
    "mu",
    "sigma",
    "tau",
    "phi",
    "omega",
    "rho",
]
_TEXT_COMMANDS = ("text", "textbf", "mathrm", "textrm", "mbox", "operatorname", "textit", "mathit")
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")


def _group(text: str, i: int) -> tuple[str, int]:
    """The braced group (or single character) starting at ``i``; returns (content, end)."""
    while i < len(text) and text[i] == " ":
        i += 1
    if i >= len(text):
        raise ParseError(W.MISSING_ARGUMENT.text)
    if text[i] != "{":
        if text[i] == "\\":
            m = _COMMAND.match(text, i)
            assert m is not None
            return m.group(0), m.end()
        return text[i], i + 1
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return text[i + 1 : j], j + 1
    raise ParseError(W.UNBALANCED_BRACES.text)


# "2\frac{1}{2}" is a mixed number in school math (2 + 1/2), not a product.
_MIXED = re.compile(r"(?<![\w.^_}])(\d+)\s*\\[dt]?frac\{(\d+)\}\{(\d+)\}")


def _mixed(m: re.Match[str]) -> str:
    whole, num, den = m.group(1), m.group(2), m.group(3)
    if int(num) >= int(den):
        return m.group(0)  # not a proper fraction: leave it a product
    return f"({whole}+\\frac{{{num}}}{{{den}}})"


# "30^\\circ": the degree sign, read with and without its conversion to radians.
_DEGREES = re.compile(r"\^\s*(?:\\circ\b|\{\s*\\circ\s*\})")
_REPEATING = re.compile(r"(\d*)\.(\d*)\\overline\s*\{\s*(\d+)\s*\}")


def repeating_decimals(text: str) -> str:
    """``0.1\\overline{6}`` as the exact fraction ``(1/6)``."""
    return _REPEATING.sub(_repeating, text)


def _repeating(m: re.Match[str]) -> str:
    whole, fixed, period = m.group(1) or "0", m.group(2), m.group(3)
    if len(fixed) + len(period) > 60:
        raise ParseError(W.NUMBER_TOO_LONG.text)
    value = Fraction(f"{whole}.{fixed}" if fixed else whole)
    scale = Fraction(1, 10 ** len(fixed))
    value += Fraction(int(period), 10 ** len(period) - 1) * scale
    return f"(({value.numerator})/({value.denominator}))"


def latex_to_plain(text: str, *, keep_text: bool = False, breaks: bool = False) -> str:
    """Rewrite a LaTeX math fragment into plain syntax.

    ``breaks`` marks where one statement of a display ends and the next begins (``\\quad``,
    a line break, an environment, ``\\text{ and }``) with `` ; `` instead of a space, so two
    equations are never read as one.
    """
    if len(text) > MAX_INPUT_CHARS:
        raise ParseError(W.INPUT_TOO_LONG.text)
    text = repeating_decimals(_MIXED.sub(_mixed, _DEGREES.sub("\u00b0", text)))
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "{":
            inner, i = _group(text, i)
            out.append("(" + latex_to_plain(inner, keep_text=keep_text, breaks=breaks) + ")")
            continue
        if ch == "}":
            i += 1
            continue
        if ch == "&":
            i += 1
            continue
        if ch == "_" and breaks and out and re.search(r"[A-Za-z]$", out[-1]):
            # "a_{n+1}", "x_1": a name with an index, one unknown of its own (x_1 is not x).
            sub, i = _group(text, i + 1)
            index = latex_to_plain(sub).replace(" ", "")
            if not _INDEX.fullmatch(index):
                raise ParseError(W.UNREAD_INDEX.text)
            out.append(f"{SUB_OPEN}{index}{SUB_CLOSE}")
            continue
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        m = _COMMAND.match(text, i)
        assert m is not None
        name, i = m.group(0), m.end()
        if breaks and name in _BREAKS:
            after_value = re.search(r"[\d)%]\s*$", "".join(out[-3:])) is not None
            piece, i = _break(name, text, i, after_value)
        else:
            piece, i = _command(name, text, i, keep_text)
        out.append(piece)
    return "".join(out)


def _break(name: str, text: str, i: int, after_value: bool) -> tuple[str, int]:
    """A statement break, or text after a value that is only its unit (dropped). Text where a
    value stands (``\\text{Jamal's apples} + 8``) names a quantity: no claim reads past it."""
    if name in (r"\begin", r"\end"):
        _, i = _group(text, i)
        return " ; ", i
    if name == r"\text":
        arg, i = _group(text, i)
        if _JOINING.search(arg):
            return " ; ", i
        if after_value and arg.strip().lower() in ("dozen", "dozens"):
            return " * 12 ", i  # "3 \\text{ dozen}": a count, not a unit to drop
        return (" " if after_value else f" {QUANTITY} "), i
    return " ; ", i


def _command(name: str, text: str, i: int, keep_text: bool) -> tuple[str, int]:
    """The plain rewrite of one command and the index where reading resumes."""
    word = name[1:]
    if name in _SIMPLE:
        return _SIMPLE[name], i
    if word == "pmod":
        arg, i = _group(text, i)
        return f" (mod {latex_to_plain(arg)})", i
    if word in ("binom", "dbinom", "tbinom"):
        top, i = _group(text, i)
        bottom, i = _group(text, i)
        return f" binomial({latex_to_plain(top)}, {latex_to_plain(bottom)})", i
    if word in ("frac", "dfrac", "tfrac"):
        num, i = _group(text, i)
        den, i = _group(text, i)
        return f"(({latex_to_plain(num)})/({latex_to_plain(den)}))", i
    if word == "sqrt":
        degree = None
        if i < len(text) and text[i] == "[":
            close = text.find("]", i)
            if close < 0:
                raise ParseError(W.UNBALANCED_BRACKET.text)
            degree, i = text[i + 1 : close], close + 1
        arg, i = _group(text, i)
        if degree is not None:
            return f"root(({latex_to_plain(arg)}), ({latex_to_plain(degree)}))", i
        return f" sqrt({latex_to_plain(arg)})", i
    if word in ("gcd", "lcm"):
        return f" {word}", i
    if word in ("boxed", "mathbf", "mathbb", "bm", "underline", "overline"):
        arg, i = _group(text, i)
        return f"({latex_to_plain(arg)})", i
    if word in _TEXT_COMMANDS:
        arg, i = _group(text, i)
        return (f" {arg} " if keep_text else " "), i
    if word == "log" and i < len(text) and text[i] == "_":
        # "\\log_{2} 8", "\\log_2{16}": the base, then the log as a quotient of natural logs.
        base, i = _group(text, i + 1)
        return f" (1/ln({latex_to_plain(base)}))*ln", i
    if word in _FUNCS or word in _GREEK or word.lower() in _GREEK:  # \Delta as well as \delta
        return f" {word} ", i
    raise ParseError(W.UNSUPPORTED_LATEX.format(name=name))
