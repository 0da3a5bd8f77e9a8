"""Problem templates: a statement and key with parameters, and each student's own variant.

A teacher writes the parameters one per line:

    a in 2..9           an integer from 2 to 9, drawn at random
    s in [-1, 1, 3]     one of a list
    c = a*k + b         computed from the others, in order
    require a != b      a condition every variant must meet

and puts ``{...}`` in the statement and the key where a value goes: ``Solve {a}x + {b} = {c}``
with the key ``x = {k}``, or ``x = {(c - b)/a}``, which the CAS works out. Every expression is
read by the checker's own grammar (never ``eval``); a ``{...}`` whose contents are not an
expression of the parameters (LaTeX's ``\\frac{1}{2}``) is left as it is.

Runs in the checker's worker processes, like every other CAS call.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass

import sympy as sp

from tutor.checker.grammar import parse_expression, parse_statement
from tutor.checker.limits import ParseError

MAX_RULES = 12
MAX_RANGE = 10_000
DRAWS = 500  # tries to meet the conditions before the template is called unsatisfiable
NAME = r"[A-Za-z]"  # one letter: "ab" would read as a times b
RANGE = re.compile(rf"^({NAME})\s+in\s+(-?\d+)\s*\.\.\s*(-?\d+)$")
CHOICE = re.compile(rf"^({NAME})\s+in\s+\[(.+)\]$")
DERIVED = re.compile(rf"^({NAME})\s*=\s*(.+)$")
REQUIRE = re.compile(r"^require\s+(.+)$")
PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


class TemplateError(ValueError):
    """What is wrong with a template, in words for the teacher."""


@dataclass(frozen=True)
class Rule:
    kind: str  # "range", "choice", "derived" or "require"
    name: str
    values: tuple[int, ...] = ()
    expr: sp.Expr | None = None
    condition: str = ""


@dataclass(frozen=True)
class Variant:
    statement: str
    key: str
    values: dict[str, str]

    def to_dict(self) -> dict[str, object]:
        return {"statement": self.statement, "key": self.key, "values": self.values}


def _expression(text: str, line: str) -> sp.Expr:
    try:
        return parse_expression(text)
    except (ParseError, ValueError, TypeError, RecursionError):
        raise TemplateError(f"cannot read {text!r} in {line!r}") from None


def parse_rules(spec: str) -> list[Rule]:
    rules: list[Rule] = []
    known: set[str] = set()
    for raw in spec.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if len(rules) >= MAX_RULES:
            raise TemplateError(f"at most {MAX_RULES} parameter lines")
        if match := REQUIRE.match(line):
            _condition_atoms(match[1], line, known)
            rules.append(Rule("require", "", condition=match[1]))
            continue
        if match := RANGE.match(line):
            low, high = int(match[2]), int(match[3])
            if low > high or high - low > MAX_RANGE:
                raise TemplateError(f"{line!r}: give a range from low to high, at most {MAX_RANGE}")
            rule = Rule("range", match[1], values=(low, high))
        elif match := CHOICE.match(line):
            try:
                values = tuple(int(v) for v in match[2].split(","))
            except ValueError:
                raise TemplateError(f"{line!r}: list whole numbers, like [1, 2, 5]") from None
            rule = Rule("choice", match[1], values=values)
        elif match := DERIVED.match(line):
            expr = _expression(match[2], line)
            unknown = {s.name for s in expr.free_symbols} - known
            if unknown:
                names = ", ".join(sorted(unknown))
                raise TemplateError(f"{line!r} uses {names} before it is given")
            rule = Rule("derived", match[1], expr=expr)
        else:
            raise TemplateError(
                f"cannot read {line!r}: write 'a in 2..9', 'a in [1, 2]', 'c = a + b' "
                "or 'require a != b'"
            )
        if rule.name in known:
            raise TemplateError(f"{rule.name} is given twice")
        known.add(rule.name)
        rules.append(rule)
    if not known:
        raise TemplateError("give at least one parameter, like 'a in 2..9'")
    return rules


def _condition_atoms(text: str, line: str, known: set[str]) -> tuple[sp.Expr, str, sp.Expr]:
    try:
        statement = parse_statement(text)
    except (ParseError, ValueError, TypeError, RecursionError):
        raise TemplateError(f"cannot read the condition in {line!r}") from None
    if len(statement.sides) != 2:
        raise TemplateError(f"{line!r}: one comparison per condition, like 'require a != b'")
    left, right = statement.sides[0].expr, statement.sides[1].expr
    unknown = {s.name for s in (left - right).free_symbols} - known
    if unknown:
        raise TemplateError(f"{line!r} uses {', '.join(sorted(unknown))} before it is given")
    return left, statement.rels[0], right


def _holds(left: sp.Expr, rel: str, right: sp.Expr) -> bool:
    difference = sp.nsimplify(left - right)
    if not (difference.is_rational and difference.is_finite):
        return False
    sign = int(bool(difference > 0)) - int(bool(difference < 0))
    tests = {"=": sign == 0, "!=": sign != 0, "<": sign < 0, ">": sign > 0}
    tests |= {"<=": sign <= 0, ">=": sign >= 0}
    return bool(tests.get(rel, False))


def _substitute(expr: sp.Expr, values: dict[str, sp.Rational]) -> sp.Expr:
    return expr.subs({s: values[s.name] for s in expr.free_symbols})


def draw(rules: list[Rule], seed: int) -> dict[str, sp.Rational]:
    """Values for every parameter meeting every condition, the same for the same seed."""
    rng = random.Random(seed)
    known = {r.name for r in rules if r.name}
    for _ in range(DRAWS):
        values: dict[str, sp.Rational] = {}
        ok = True
        for rule in rules:
            if rule.kind == "range":
                values[rule.name] = sp.Integer(rng.randint(*rule.values))
            elif rule.kind == "choice":
                values[rule.name] = sp.Integer(rng.choice(rule.values))
            elif rule.kind == "derived":
                assert rule.expr is not None
                value = sp.nsimplify(_substitute(rule.expr, values))
                if not (value.is_rational and value.is_finite):
                    ok = False  # a division by zero, or a root that is not rational
                    break
                values[rule.name] = value
            else:
                left, rel, right = _condition_atoms(rule.condition, rule.condition, known)
                if not _holds(_substitute(left, values), rel, _substitute(right, values)):
                    ok = False
                    break
        if ok:
            return values
    raise TemplateError(
        f"no values met every condition in {DRAWS} tries: check the 'require' lines"
    )


def _shown(value: sp.Expr) -> str:
    return str(value).replace("**", "^")


def _value_of(inside: str, values: dict[str, sp.Rational]) -> str | None:
    try:
        expr = parse_expression(inside)
    except (ParseError, ValueError, TypeError, RecursionError):
        return None
    names = {s.name for s in expr.free_symbols}
    if not names or not names <= values.keys():
        return None  # LaTeX braces, or a letter that is not a parameter
    return _shown(sp.simplify(_substitute(expr, values)))


def fill(text: str, values: dict[str, sp.Rational]) -> str:
    """The text with each ``{expression of the parameters}`` replaced by its value.

    A negative value right after a sign takes its place: "{a}x + {b}" with b = -4 reads
    "3x - 4", and "- {b}" reads "+ 4".
    """
    out: list[str] = []
    end = 0
    for match in PLACEHOLDER.finditer(text):
        out.append(text[end : match.start()])
        end = match.end()
        value = _value_of(match[1], values)
        if value is None:
            out.append(match[0])
            continue
        before = "".join(out).rstrip()
        if value.startswith("-") and before[-1:] in ("+", "-"):
            spaces = "".join(out)[len(before) :]
            sign = "-" if before.endswith("+") else "+"
            out = [before[:-1] + sign + spaces]
            value = value[1:]
        if re.search(r"(\\[A-Za-z]+|[}^_])$", "".join(out)):
            value = "{" + value + "}"  # a LaTeX argument: \frac{a}{2} keeps its braces
        out.append(value)
    out.append(text[end:])
    return "".join(out)


def variant(spec: str, statement: str, key: str, seed: int) -> Variant:
    rules = parse_rules(spec)
    values = draw(rules, seed)
    return Variant(
        statement=fill(statement, values),
        key=fill(key, values),
        values={name: _shown(value) for name, value in values.items()},
    )


def seed_for(*parts: object) -> int:
    """A seed from the problem, the student and the variant's number; stable across runs."""
    text = ":".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
