"""A LaTeX subset rewritten to the plain syntax the grammar reads.

This is a text rewrite with a brace matcher, not a TeX engine: ``\\frac{a}{b}`` becomes
``((a)/(b))``, ``\\sqrt[n]{a}`` becomes ``root(a, n)``, ``\\text{...}`` is dropped. Anything
it does not know is left as a backslash word, which the tokenizer then refuses.
"""

from __future__ import annotations

import re

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
}
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
        raise ParseError("missing argument")
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
    raise ParseError("unbalanced braces")


# "2\frac{1}{2}" is a mixed number in school math (2 + 1/2), not a product.
_MIXED = re.compile(r"(?<![\w.^_}])(\d+)\s*\\[dt]?frac\{(\d+)\}\{(\d+)\}")


def _mixed(m: re.Match[str]) -> str:
    whole, num, den = m.group(1), m.group(2), m.group(3)
    if int(num) >= int(den):
        return m.group(0)  # not a proper fraction: leave it a product
    return f"({whole}+\\frac{{{num}}}{{{den}}})"


def latex_to_plain(text: str, *, keep_text: bool = False) -> str:
    """Rewrite a LaTeX math fragment into plain syntax."""
    if len(text) > MAX_INPUT_CHARS:
        raise ParseError("input too long")
    text = _MIXED.sub(_mixed, text)
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "{":
            inner, i = _group(text, i)
            out.append("(" + latex_to_plain(inner, keep_text=keep_text) + ")")
            continue
        if ch == "}":
            i += 1
            continue
        if ch == "&":
            i += 1
            continue
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        m = _COMMAND.match(text, i)
        assert m is not None
        name, i = m.group(0), m.end()
        piece, i = _command(name, text, i, keep_text)
        out.append(piece)
    return "".join(out)


def _command(name: str, text: str, i: int, keep_text: bool) -> tuple[str, int]:
    """The plain rewrite of one command and the index where reading resumes."""
    word = name[1:]
    if name in _SIMPLE:
        return _SIMPLE[name], i
    if word in ("frac", "dfrac", "tfrac"):
        num, i = _group(text, i)
        den, i = _group(text, i)
        return f"(({latex_to_plain(num)})/({latex_to_plain(den)}))", i
    if word == "sqrt":
        degree = None
        if i < len(text) and text[i] == "[":
            close = text.find("]", i)
            if close < 0:
                raise ParseError("unbalanced [")
            degree, i = text[i + 1 : close], close + 1
        arg, i = _group(text, i)
        if degree is not None:
            return f"root(({latex_to_plain(arg)}), ({latex_to_plain(degree)}))", i
        return f"sqrt({latex_to_plain(arg)})", i
    if word in ("boxed", "mathbf", "mathbb", "bm", "underline", "overline"):
        arg, i = _group(text, i)
        return f"({latex_to_plain(arg)})", i
    if word in _TEXT_COMMANDS:
        arg, i = _group(text, i)
        return (f" {arg} " if keep_text else " "), i
    if word in _FUNCS or word in _GREEK or word.lower() in _GREEK:  # \Delta as well as \delta
        return f" {word} ", i
    raise ParseError(f"unsupported LaTeX command {name}")
