"""Recursive-descent grammar: tokens to whitelisted sympy objects.

Only Integer, Rational, Symbol, Add, Mul, Pow and a short list of functions are ever built, and
every node is constructed directly; nothing is passed to ``sympify`` or ``eval``. Integer
powers are sized before they are computed, so ``9**9**9**9`` is refused instead of evaluated.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from tutor.checker.limits import (
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_FACTORIAL,
    MAX_RESULT_DIGITS,
    ParseError,
    TooLarge,
)
from tutor.checker.tokens import Token, normalize, tokenize

# The placeholder for "±"; users cannot type an underscore, so it never clashes with a name.
PM = sp.Symbol("pm_", real=True)

RELATIONS = {"=": "=", "==": "=", "<": "<", ">": ">", "<=": "<=", ">=": ">=", "!=": "!="}
RELATIONS["~"] = "~"

_ONE_ARG: dict[str, Callable[..., sp.Expr]] = {
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "sec": sp.sec,
    "csc": sp.csc,
    "cosec": sp.csc,
    "cot": sp.cot,
    "arcsin": sp.asin,
    "asin": sp.asin,
    "arccos": sp.acos,
    "acos": sp.acos,
    "arctan": sp.atan,
    "asinh": sp.asinh,
    "acosh": sp.acosh,
    "atanh": sp.atanh,
    "atan": sp.atan,
    "sinh": sp.sinh,
    "cosh": sp.cosh,
    "tanh": sp.tanh,
    "ln": sp.log,
    "exp": sp.exp,
    "abs": sp.Abs,
}
_CONSTANTS: dict[str, sp.Expr] = {
    "pi": sp.pi,
    "e": sp.E,
    "inf": sp.oo,
    "infinity": sp.oo,
    "oo": sp.oo,
}


@dataclass(frozen=True)
class Side:
    """One side of a relation, with what the writer showed of it."""

    expr: sp.Expr
    text: str
    decimals: int | None  # digits after the point when the side is one decimal literal
    is_number: bool  # the side is one number literal (a claimed result)
    percent: bool  # the side ends with a percent sign


@dataclass(frozen=True)
class Statement:
    """An expression (one side) or a chain of relations ``a = b < c``."""

    sides: tuple[Side, ...]
    rels: tuple[str, ...]

    @property
    def is_relation(self) -> bool:
        return bool(self.rels)


def symbol(name: str) -> sp.Symbol:
    """The one way a user-written name becomes a sympy Symbol (real, letters only)."""
    if not name.isalpha() or not name.isascii():
        raise ParseError(f"bad name {name!r}")
    return sp.Symbol(name, real=True)


class _Parser:
    def __init__(self, tokens: Sequence[Token], text: str, evaluate: bool, strict: bool) -> None:
        self.toks = []
        for k, t in enumerate(tokens):
            if t.kind == "XWORD":
                following = tokens[k + 1].text if k + 1 < len(tokens) else ""
                if strict or following == "(":
                    raise ParseError(f"unknown word {t.text!r}")
            elif t.kind != "WORD" and t.text != "$":
                self.toks.append(t)
        self.text = text
        self.i = 0
        self.depth = 0
        self.evaluate = evaluate
        self.strict = strict

    # -- token helpers -------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> Token | None:
        j = self.i + ahead
        return self.toks[j] if j < len(self.toks) else None

    def at(self, *texts: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == "OP" and tok.text in texts

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise ParseError("unexpected end of input")
        self.i += 1
        return tok

    def expect(self, text: str) -> None:
        if not self.at(text):
            raise ParseError(f"expected {text!r}")
        self.i += 1

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise TooLarge("too deeply nested")

    # -- grammar ---------------------------------------------------------------------------
    def statement(self) -> Statement:
        sides = [self.side()]
        rels: list[str] = []
        while (tok := self.peek()) is not None and tok.kind == "OP" and tok.text in RELATIONS:
            self.take()
            rels.append(RELATIONS[tok.text])
            sides.append(self.side())
        return Statement(tuple(sides), tuple(rels))

    def side(self) -> Side:
        start = self.i
        expr = self.expr()
        toks = self.toks[start : self.i]
        first = toks[0].pos
        last = self.toks[self.i].pos if self.i < len(self.toks) else len(self.text)
        numbers = [t for t in toks if t.kind == "NUM"]
        only_number = len(numbers) == 1 and all(
            t.kind == "NUM" or t.text in ("%", "-") for t in toks
        )
        percent = bool(toks) and toks[-1].text == "%"
        decimals = numbers[0].decimals if only_number else None
        return Side(expr, self.text[first:last].strip(), decimals, only_number, percent)

    def expr(self) -> sp.Expr:
        self.enter()
        left = self.term()
        while self.at("+", "-", "\u00b1"):
            op = self.take().text
            right = self.term()
            if op == "-":
                right = self.mul(sp.Integer(-1), right)
            elif op == "\u00b1":
                right = self.mul(PM, right)
            left = self.add(left, right)
        self.depth -= 1
        return left

    def term(self) -> sp.Expr:
        left = self.unary()
        while True:
            if self.at("*", "/"):
                op = self.take().text
                right = self.unary()
                left = self.mul(left, right if op == "*" else self.power(right, sp.Integer(-1)))
            elif self.starts_atom():
                left = self.mul(left, self.unary())
            else:
                return left

    def starts_atom(self) -> bool:
        tok = self.peek()
        if tok is None:
            return False
        prev = self.toks[self.i - 1]
        if prev.kind == "NAME" and not tok.space_before and (tok.kind == "NUM" or tok.text == "["):
            raise ParseError(f"{prev.text}{tok.text}: a subscript or a missing operator")
        if tok.kind == "NUM":
            # "2 3" is two numbers, not a product; refuse rather than guess.
            if prev.kind == "NUM" or (prev.text in (")", "]") and tok.space_before):
                raise ParseError("two numbers without an operator")
            return True
        if tok.kind in ("NAME", "CONST", "FUNC"):
            return True
        return tok.kind == "OP" and tok.text in ("(", "[")

    def unary(self) -> sp.Expr:
        if self.at("-", "+", "\u00b1"):
            op = self.take().text
            self.enter()
            operand = self.unary()
            self.depth -= 1
            if op == "-":
                return self.mul(sp.Integer(-1), operand)
            return self.mul(PM, operand) if op == "\u00b1" else operand
        return self.power_expr()

    def power_expr(self) -> sp.Expr:
        base = self.postfix()
        if self.at("^", "**"):
            self.take()
            self.enter()
            exponent = self.unary()
            self.depth -= 1
            return self.power(base, exponent)
        return base

    def postfix(self) -> sp.Expr:
        value = self.atom()
        while self.at("!", "%"):
            if self.take().text == "!":
                value = self.factorial(value)
            else:
                value = self.mul(value, sp.Rational(1, 100))
        return value

    def atom(self) -> sp.Expr:
        tok = self.take()
        if tok.kind == "NUM":
            assert tok.value is not None
            return sp.Rational(tok.value.numerator, tok.value.denominator)
        if tok.kind == "NAME":
            return symbol(tok.text)
        if tok.kind == "CONST":
            return _CONSTANTS[tok.text]
        if tok.kind == "FUNC":
            return self.function(tok.text)
        if tok.kind == "OP" and tok.text in ("(", "["):
            inner = self.expr()
            self.expect(")" if tok.text == "(" else "]")
            return inner
        if tok.kind == "OP" and tok.text == "|":
            inner = self.expr()
            self.expect("|")
            return sp.Abs(inner)
        raise ParseError(f"unexpected {tok.text!r}")

    def function(self, name: str) -> sp.Expr:
        power: sp.Expr | None = None
        base = self._log_base(name)
        if base is not None:
            # "log2(8)", "log_3(9)": the base written right after log, then the argument.
            self.expect("(")
            arg = self.expr()
            self.expect(")")
            return self.mul(sp.log(arg), self.power(sp.log(base), sp.Integer(-1)))
        if self.at("^") and name not in ("sqrt", "root", "factorial"):
            self.take()
            power = self.postfix()
        if self.at("("):
            self.take()
            args = [self.expr()]
            while self.at(","):
                self.take()
                args.append(self.expr())
            self.expect(")")
        else:
            args = [self.power_expr()]
        value = self.apply(name, args)
        return value if power is None else self.power(value, power)

    def _log_base(self, name: str) -> sp.Expr | None:
        """The base of ``log2(8)``: a number written against "log" and followed by "("."""
        if name != "log" or self.i + 1 >= len(self.toks):
            return None
        number, after = self.toks[self.i], self.toks[self.i + 1]
        if number.kind != "NUM" or number.space_before or after.text != "(" or number.value is None:
            return None
        self.i += 1
        return sp.Rational(number.value.numerator, number.value.denominator)

    def apply(self, name: str, args: list[sp.Expr]) -> sp.Expr:
        if name in _ONE_ARG and len(args) == 1:
            return _ONE_ARG[name](args[0], evaluate=self.evaluate)
        if name == "sqrt" and len(args) == 1:
            return self.power(args[0], sp.Rational(1, 2))
        if name == "root" and len(args) in (1, 2):
            degree = args[1] if len(args) == 2 else sp.Integer(2)
            return self.power(args[0], self.power(degree, sp.Integer(-1)))
        if name == "lg" and len(args) in (1, 2):
            base = args[1] if len(args) == 2 else sp.Integer(10)
            return self.mul(sp.log(args[0]), self.power(sp.log(base), sp.Integer(-1)))
        if name == "log" and len(args) in (1, 2):
            if len(args) == 2:
                return self.mul(sp.log(args[0]), self.power(sp.log(args[1]), sp.Integer(-1)))
            if self.strict:
                return sp.log(args[0], evaluate=self.evaluate)  # a CAS's log is ln
            # In school "log 1000 = 3": log is base 10; ln is the natural log.
            return self.mul(sp.log(args[0]), self.power(sp.log(10), sp.Integer(-1)))
        if name == "factorial" and len(args) == 1:
            return self.factorial(args[0])
        raise ParseError(f"{name} takes other arguments")

    # -- node builders with size checks ------------------------------------------------------
    def add(self, a: sp.Expr, b: sp.Expr) -> sp.Expr:
        return sp.Add(a, b, evaluate=self.evaluate)

    def mul(self, a: sp.Expr, b: sp.Expr) -> sp.Expr:
        return sp.Mul(a, b, evaluate=self.evaluate)

    def power(self, base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
        check_power(base, exponent)
        return sp.Pow(base, exponent, evaluate=self.evaluate)

    def factorial(self, value: sp.Expr) -> sp.Expr:
        if value.is_Number and (not value.is_Integer or value > MAX_FACTORIAL or value < 0):
            raise TooLarge("factorial too large")
        return sp.factorial(value, evaluate=self.evaluate)


def check_power(base: sp.Expr, exponent: sp.Expr) -> None:
    """Refuse powers whose exact value would be too large to compute quickly."""
    if exponent.is_Number and not exponent.is_Rational:
        return
    if not exponent.is_Rational:
        if exponent.free_symbols or not exponent.is_number:
            return
        size = _magnitude(exponent)
        if size is None or size > 6:
            raise TooLarge("exponent too large")
        return
    if base.is_Rational:
        r = Fraction(int(base.p), int(base.q))
        if r in (0, 1, -1):
            return
        if abs(exponent) > 10**7:
            raise TooLarge("exponent too large")
        biggest = max(abs(r.numerator), r.denominator)
        digits = math.floor(abs(float(exponent))) * math.log10(biggest)
        if digits > MAX_RESULT_DIGITS:
            raise TooLarge("power too large")
    elif abs(exponent) > MAX_EXPONENT:
        raise TooLarge("exponent too large")


def _magnitude(value: sp.Expr) -> float | None:
    """log10 of |value| for a closed-form number, or None when it cannot be sized cheaply."""
    try:
        approx = sp.Abs(value).evalf(15, maxn=50)
    except (TypeError, ValueError, OverflowError):
        return None
    if not approx.is_Number or approx.is_infinite:
        return None
    return math.log10(float(approx)) if approx > 0 else 0.0


def _merge_mixed_numbers(tokens: list[Token]) -> list[Token]:
    """Read ``3 1/2`` as three and a half, not three times a half."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if (
            i + 3 < len(tokens)
            and t.kind == "NUM"
            and t.decimals is None
            and tokens[i + 1].kind == "NUM"
            and tokens[i + 1].space_before
            and tokens[i + 1].decimals is None
            and tokens[i + 2].text == "/"
            and not tokens[i + 2].space_before
            and tokens[i + 3].kind == "NUM"
            and tokens[i + 3].decimals is None
            and not tokens[i + 3].space_before
            and (not out or out[-1].text not in ("^", "**", "/", "!"))
            and (i + 4 >= len(tokens) or tokens[i + 4].text not in ("^", "**"))
        ):
            whole, num, den = t.value, tokens[i + 1].value, tokens[i + 3].value
            assert whole is not None and num is not None and den is not None
            if 0 < num < den:
                text = " ".join(x.text for x in tokens[i : i + 2]) + "/" + tokens[i + 3].text
                out.append(Token("NUM", text, t.pos, t.space_before, whole + num / den, None))
                i += 4
                continue
        out.append(t)
        i += 1
    return out


def parse_statement(text: str, *, evaluate: bool = True, strict: bool = False) -> Statement:
    """Parse one expression or relation chain (``a = b = c``, ``x < 3``).

    ``strict`` refuses unknown words instead of dropping them as units.
    """
    text = normalize(text)
    tokens = _merge_mixed_numbers(tokenize(text, strict=strict))
    parser = _Parser(tokens, text, evaluate, strict)
    if not parser.toks:
        raise ParseError("no math")
    statement = parser.statement()
    if parser.peek() is not None:
        raise ParseError(f"unexpected {parser.peek().text!r}")  # type: ignore[union-attr]
    return statement


def parse_expression(text: str, *, evaluate: bool = True) -> sp.Expr:
    """Parse text that must be a single expression (no relation)."""
    statement = parse_statement(text, evaluate=evaluate)
    if statement.is_relation:
        raise ParseError("expected an expression, found a relation")
    return statement.sides[0].expr
