"""Recursive-descent grammar: tokens to whitelisted sympy objects.

Only Integer, Rational, Symbol, Add, Mul, Pow and a short list of functions are ever built, and
every node is constructed directly; nothing is passed to ``sympify`` or ``eval``. Integer
powers are sized before they are computed, so ``9**9**9**9`` is refused instead of evaluated.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from tutor.checker import wording as W
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
_INVERSES = frozenset({"sin", "cos", "tan", "sec", "csc", "cot"})
_ARC = {"arcsin": "sin", "arccos": "cos", "arctan": "tan", "asin": "sin", "acos": "cos"}
_ARC["atan"] = "tan"
_CONSTANTS: dict[str, sp.Expr] = {
    "pi": sp.pi,
    "e": sp.E,
    "inf": sp.oo,
    "infinity": sp.oo,
    "oo": sp.oo,
}


@dataclass(frozen=True)
class Reading:
    """How to read the places where written math allows more than one meaning.

    The default is a student's school reading. Prose above school arithmetic also writes
    function values (``f(3)``, ``f''(4)``, ``P(5, 3)``), a letter ``e`` that is not Euler's
    number (edges, a term), and ``%`` as the remainder operator; a claim there is judged under
    each reading it allows (``tutor.checker.readings``).
    """

    functions: bool = False  # "f(3)" is a function's value (an unknown), not f times 3
    e_letter: bool = False  # "e" is a letter, not Euler's number
    modulo: bool = False  # "17 % 5" is the remainder 2, not 17 percent times 5
    floor_brackets: bool = False  # "[22.8] = 22": square brackets as the integer part
    degrees: bool = False  # "90° - a": the degree sign converts to radians
    imaginary: bool = False  # "1 + 2i": i is the imaginary unit, not a letter


SCHOOL = Reading()


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
    """The one way a user-written name becomes a sympy Symbol (real, letters only, or one
    letter with an index read from LaTeX, ``a_n+1``)."""
    if not (name.isalpha() and name.isascii()) and not _INDEXED.fullmatch(name):
        raise ParseError(W.BAD_NAME.format(name=repr(name)))
    return sp.Symbol(name, real=True)


_INDEXED = re.compile(r"[A-Za-z]_[A-Za-z0-9+\-,()]{1,12}")


class _Parser:
    def __init__(
        self,
        tokens: Sequence[Token],
        text: str,
        evaluate: bool,
        strict: bool,
        reading: Reading = SCHOOL,
        words: bool = True,
    ) -> None:
        self.toks = []
        for k, t in enumerate(tokens):
            if t.kind == "WORD" and not words:
                raise ParseError(W.WORD_IN_MATH.format(word=repr(t.text)))
            if t.kind == "XWORD":
                following = tokens[k + 1].text if k + 1 < len(tokens) else ""
                if strict or following == "(" or not words:
                    raise ParseError(W.UNKNOWN_WORD.format(word=repr(t.text)))
            elif t.kind != "WORD" and t.text != "$":
                self.toks.append(t)
        self.text = text
        self.i = 0
        self.depth = 0
        self.evaluate = evaluate
        self.strict = strict
        self.reading = reading

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
            raise ParseError(W.UNEXPECTED_END.text)
        self.i += 1
        return tok

    def expect(self, text: str) -> None:
        if not self.at(text):
            raise ParseError(W.EXPECTED.format(text=repr(text)))
        self.i += 1

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise TooLarge(W.TOO_DEEPLY_NESTED.text)

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
            elif self.at("mod") or (self.reading.modulo and self.at("%")):
                self.take()
                left = self.modulo(left, self.unary())
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
            raise ParseError(W.SUBSCRIPT_OR_OPERATOR.format(text=prev.text + tok.text))
        if tok.kind == "NUM":
            # "2 3" is two numbers, not a product; refuse rather than guess.
            if prev.kind == "NUM" or (prev.text in (")", "]") and tok.space_before):
                raise ParseError(W.TWO_NUMBERS.text)
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
        while self.at("\u00b0"):
            self.take()
            if self.reading.degrees:
                value = self.mul(value, self.mul(sp.pi, sp.Rational(1, 180)))
        while self.at("!", "%"):
            if self.reading.modulo and self.at("%") and self._operand_follows():
                break  # "17 % 5": the remainder operator, read in ``term``
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
            if self.reading.functions and self._call_follows():
                return self.function_value(tok.text)
            if tok.text == "i" and self.reading.imaginary:
                return sp.I
            return symbol(tok.text)
        if tok.kind == "CONST":
            if tok.text == "e" and self.reading.e_letter:
                return symbol("e")
            return _CONSTANTS[tok.text]
        if tok.kind == "FUNC":
            return self.function(tok.text)
        if tok.kind == "OP" and tok.text in ("(", "["):
            inner = self.expr()
            self.expect(")" if tok.text == "(" else "]")
            if tok.text == "[" and self.reading.floor_brackets:
                return sp.floor(inner, evaluate=self.evaluate)
            return inner
        if tok.kind == "OP" and tok.text == "|":
            inner = self.expr()
            self.expect("|")
            return sp.Abs(inner)
        raise ParseError(W.UNEXPECTED.format(token=repr(tok.text)))

    def bare_argument(self) -> sp.Expr:
        """The argument of ``sin 2x`` or ``log 100``: a factor and the letters written right
        after it, as in print (``sin 2x`` is sin(2x); ``sin x cos x`` is two functions)."""
        arg = self.power_expr()
        while (tok := self.peek()) is not None and tok.kind == "NAME" and not tok.space_before:
            arg = self.mul(arg, self.power_expr())
        return arg

    def _operand_follows(self) -> bool:
        after = self.peek(1)
        return after is not None and (
            after.kind in ("NUM", "NAME", "CONST", "FUNC") or after.text in ("(", "[")
        )

    def _call_follows(self) -> bool:
        """``f(``, ``f'(`` or ``f''(`` with no space: a function's value is written."""
        ahead = 0
        while self.at_ahead(ahead, "'"):
            ahead += 1
        tok = self.peek(ahead)
        return tok is not None and tok.text == "(" and not tok.space_before

    def at_ahead(self, ahead: int, text: str) -> bool:
        tok = self.peek(ahead)
        return tok is not None and tok.kind == "OP" and tok.text == text

    def function_value(self, name: str) -> sp.Expr:
        """``f(3)``, ``f''(4)``, ``P(5, 3)``: the value of a function nobody defined here, read
        as one unknown named for what it is. The name cannot be typed (it holds brackets), so
        it never clashes with a letter."""
        primes = ""
        while self.at("'"):
            primes += self.take().text
        if not self.at("(") and name.endswith("^-1"):
            args = [self.power_expr()]  # "tan^(-1) x"
        else:
            self.expect("(")
            args = [self.expr()]
            while self.at(","):
                self.take()
                args.append(self.expr())
            self.expect(")")
        shown = ", ".join(sp.sstr(a).replace("**", "^") for a in args)
        return sp.Symbol(f"{name}{primes}({shown})", real=True)

    def modulo(self, left: sp.Expr, right: sp.Expr) -> sp.Expr:
        if right.is_number and right == 0:
            raise ParseError(W.REMAINDER_BY_ZERO.text)
        return sp.Mod(left, right, evaluate=self.evaluate)

    def function(self, name: str) -> sp.Expr:
        if self.reading.functions and name in _ARC:
            return self.function_value(f"{_ARC[name]}^-1")
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
            if power == -1 and name in _INVERSES and self.reading.functions:
                # "tan^(-1)(-1)" names an angle, one of many: a value, not a number to check.
                return self.function_value(f"{name}^-1")
        if self.at("("):
            self.take()
            args = [self.expr()]
            while self.at(","):
                self.take()
                args.append(self.expr())
            self.expect(")")
        else:
            args = [self.bare_argument()]
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
        if name == "floor" and len(args) == 1:
            return sp.floor(args[0], evaluate=self.evaluate)
        if name in ("ceil", "ceiling") and len(args) == 1:
            return sp.ceiling(args[0], evaluate=self.evaluate)
        if name == "binomial" and len(args) == 2:
            return self.binomial(args[0], args[1])
        if name in ("gcd", "lcm") and len(args) >= 2:
            return _integer_gcd(name, args)
        raise ParseError(W.OTHER_ARGUMENTS.format(name=name))

    # -- node builders with size checks ------------------------------------------------------
    def add(self, a: sp.Expr, b: sp.Expr) -> sp.Expr:
        return sp.Add(a, b, evaluate=self.evaluate)

    def mul(self, a: sp.Expr, b: sp.Expr) -> sp.Expr:
        return sp.Mul(a, b, evaluate=self.evaluate)

    def power(self, base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
        check_power(base, exponent)
        return sp.Pow(base, exponent, evaluate=self.evaluate)

    def binomial(self, n: sp.Expr, k: sp.Expr) -> sp.Expr:
        if n.is_Number and (not n.is_Integer or abs(n) > MAX_FACTORIAL):
            raise TooLarge(W.BINOMIAL_TOO_LARGE.text)
        return sp.binomial(n, k, evaluate=self.evaluate)

    def factorial(self, value: sp.Expr) -> sp.Expr:
        if value.is_Number and (not value.is_Integer or value > MAX_FACTORIAL or value < 0):
            raise TooLarge(W.FACTORIAL_TOO_LARGE.text)
        return sp.factorial(value, evaluate=self.evaluate)


def _integer_gcd(name: str, args: list[sp.Expr]) -> sp.Expr:
    """``gcd(216, 720)``: whole numbers only (a polynomial gcd is another question)."""
    if not all(a.is_Integer for a in args):
        raise ParseError(W.NOT_WHOLE_NUMBERS.format(name=name))
    values = [int(a) for a in args]
    return sp.Integer(math.gcd(*values) if name == "gcd" else math.lcm(*values))


def check_power(base: sp.Expr, exponent: sp.Expr) -> None:
    """Refuse powers whose exact value would be too large to compute quickly."""
    if exponent.is_Number and not exponent.is_Rational:
        return
    if not exponent.is_Rational:
        if exponent.free_symbols or not exponent.is_number:
            return
        size = _magnitude(exponent)
        if size is None or size > 6:
            raise TooLarge(W.EXPONENT_TOO_LARGE.text)
        return
    if base.is_Rational:
        r = Fraction(int(base.p), int(base.q))
        if r in (0, 1, -1):
            return
        if abs(exponent) > 10**7:
            raise TooLarge(W.EXPONENT_TOO_LARGE.text)
        biggest = max(abs(r.numerator), r.denominator)
        digits = math.floor(abs(float(exponent))) * math.log10(biggest)
        if digits > MAX_RESULT_DIGITS:
            raise TooLarge(W.POWER_TOO_LARGE.text)
    elif abs(exponent) > MAX_EXPONENT:
        raise TooLarge(W.EXPONENT_TOO_LARGE.text)


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


def parse_statement(
    text: str,
    *,
    evaluate: bool = True,
    strict: bool = False,
    reading: Reading = SCHOOL,
    words: bool = True,
) -> Statement:
    """Parse one expression or relation chain (``a = b = c``, ``x < 3``).

    ``strict`` refuses unknown words instead of dropping them as units, and reads a run of
    letters as one name; ``words=False`` only refuses words (math written in LaTeX has its
    words in ``\\text{}``). ``reading`` says how to read function values, the letter ``e``,
    ``%`` and square brackets (see ``Reading``).
    """
    text = normalize(text)
    tokens = _merge_mixed_numbers(tokenize(text, strict=strict))
    parser = _Parser(tokens, text, evaluate, strict, reading, words)
    if not parser.toks:
        raise ParseError(W.NO_MATH.text)
    statement = parser.statement()
    if parser.peek() is not None:
        raise ParseError(W.UNEXPECTED.format(token=repr(parser.peek().text)))  # type: ignore[union-attr]
    return statement


def parse_expression(text: str, *, evaluate: bool = True) -> sp.Expr:
    """Parse text that must be a single expression (no relation)."""
    statement = parse_statement(text, evaluate=evaluate)
    if statement.is_relation:
        raise ParseError(W.EXPECTED_EXPRESSION.text)
    return statement.sides[0].expr
