"""Answer equivalence against a key: numbers, expressions, equations, sets, intervals, letters.

``strict`` reads the answer as a CAS would (exact decimals, no multiple-choice letters, no
percent or "x =" leniency, multiplicity of roots counts); the default is the tutor's reading.
The first rule is that a right answer is never called wrong: when a reading is in doubt the
result is undecided (None), not False.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import sympy as sp

from tutor.checker import wording as W
from tutor.checker.answer_forms import form_problem
from tutor.checker.answer_text import (
    ROOT_LIST,
    clean,
    depths,
    split_list,
    split_top,
    tutor_text,
    with_units,
    wrapped,
)
from tutor.checker.grammar import PM, Side, Statement, parse_statement
from tutor.checker.limits import UNKNOWN_TOO_LARGE, ParseError, TooLarge
from tutor.checker.relations import (
    alternatives,
    compare_conditions,
    condition_of,
    exprs_equal,
    free,
    numbers_equal,
)
from tutor.checker.results import AnswerResult, KeyReading
from tutor.checker.sampling import real_value, render, sample_points
from tutor.checker.solving import Condition, solution_set
from tutor.checker.tokens import CONSTANTS, FUNCTIONS, GREEK, normalize

_LETTER = re.compile(r"^(?:(?:option|choice)\s*)?\(?\s*([A-Ea-e])\s*\)?\.?$", re.I)
_INEQUALITIES = frozenset({"<", ">", "<=", ">="})
_NUMBER_WORD = re.compile(
    r"\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|"
    r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|half|halves|thirds?|"
    r"quarters?|fourths?|fifths?|dozens?)\b",
    re.I,
)


# Tutor-only readings of what students type.
_EMPTY = re.compile(
    r"^(?:(?i:(?:there\s+(?:is|are)\s+)?no\s+(?:real\s+)?(?:solutions?|roots?)|none)"
    r"|\u2205|\{\s*\})$"
)
_REALS = re.compile(r"^(?:(?i:(?:all|any)\s+real\s+(?:numbers?|values?|x)|all\s+reals)|\u211d|R)$")

_UNION = re.compile(r"\s*(?:\u222a|(?<=[)\]}])\s*U\s*(?=[(\[{]))\s*")


class Kind(StrEnum):
    """What an answer or a key was read as; it decides how two of them are compared."""

    LETTER = "letter"  # a multiple-choice letter: "B", "(c)", "option D"
    SET = "set"  # several values or equations: "{1, 2}", "x = 1 or x = 2"
    REGION = "region"  # a set of reals: an interval, a union, the empty set, R
    POINT = "point"  # an ordered pair or tuple: "(2, 3)"
    STATEMENT = "statement"  # one value, equation or inequality


@dataclass(frozen=True)
class _Form:
    kind: Kind
    letter: str | None = None
    items: tuple[Statement, ...] = ()
    region: sp.Set | None = None  # a set of reals: an interval, a union, the empty set, R
    point: tuple[Side, ...] | None = None  # (a, b) read as an ordered pair
    braced: bool = False  # written as {a, b}, not as "a or b"


def judge_answer(answer: str, key: str, *, strict: bool = False, form: str = "") -> AnswerResult:
    """Compare in-process (the public ``check_answer`` runs this in the bounded pool).

    ``form`` (see ``answer_forms.FORMS``) is asked of a right answer: a right value in another
    form is undecided, with "right value, but the question asks for it expanded"."""
    try:
        result = _compare_texts(answer, key, strict)
    except TooLarge:
        result = AnswerResult(None, UNKNOWN_TOO_LARGE)
    except ParseError as exc:
        result = AnswerResult(None, W.COULD_NOT_READ.format(reason=exc))
    if result.equivalent is None and not strict and _same_text(answer, key):
        # Something the grammar cannot read (a time such as 2:30) but written identically.
        result = AnswerResult(True, W.SAME_TEXT.text)
    if result.equivalent is True and form:
        lacking = form_problem(answer, form)
        if lacking is not None:
            return AnswerResult(None, lacking, lacking)
    return AnswerResult(result.equivalent, result.detail, _FEEDBACK[result.equivalent])


# What a student reads: never the key, nor a value of it ("12 is not 14", "3 is missing").
_FEEDBACK = {
    True: W.MATCHES.text,
    False: W.NOT_THE_ANSWER.text,
    None: W.UNDECIDED_FEEDBACK.text,
}


def read_key(key: str) -> KeyReading:
    """Whether the checker can read ``key`` as an answer at all (in-process; the public
    ``check_key`` runs it in the pool). An unreadable key makes every answer undecided."""
    if not key.strip():
        return KeyReading(False, problem=W.KEY_EMPTY.text)
    try:
        form = _read_form(clean(key, False), False)
    except TooLarge:
        return KeyReading(False, problem=W.KEY_TOO_LARGE.text)
    except ParseError as exc:
        if _AS_WRITTEN.fullmatch(key.strip()):
            return KeyReading(True, reading=f"{key.strip()} (compared as written)")
        if _NUMBER_WORD.search(key):
            return KeyReading(False, problem=W.KEY_IN_WORDS.text)
        return KeyReading(False, problem=W.KEY_UNREADABLE.format(reason=exc))
    return KeyReading(True, reading=_describe(form))


# Times and ratios ("2:30", "3:4"): answers written the same way match them.
_AS_WRITTEN = re.compile(r"\d{1,6}(?::\d{1,6})+")


def _describe(form: _Form) -> str:
    if form.letter is not None:
        return f"choice {form.letter}"
    if form.region is not None:
        return render(form.region)
    if form.point is not None:
        return "(" + ", ".join(render(p.expr) for p in form.point) + ")"
    parts = []
    for statement in form.items:
        sides = [render(statement.sides[0].expr)]
        sides += [
            f"{r} {render(s.expr)}"
            for r, s in zip(statement.rels, statement.sides[1:], strict=True)
        ]
        parts.append(" ".join(sides))
    return " or ".join(parts)


def _compare_texts(answer: str, key: str, strict: bool) -> AnswerResult:
    """Clean and read both texts (units dropped where they agree), then compare them."""
    a_text, k_text = clean(answer, strict), clean(key, strict)
    if strict:
        return _compare(_read_form(a_text, strict), _read_form(k_text, strict), strict)
    a_text, k_text, k = _drop_units(a_text, k_text)
    a = _read_form(a_text, strict)
    result = _compare(a, k, strict)
    if result.equivalent is False and _LONE_I.search(a_text + " " + k_text):
        # "e^{i pi}" against "-1": i may be the imaginary unit; wrong only if wrong both ways.
        try:
            other = _compare(
                _read_form(_LONE_I.sub("sqrt(-1)", a_text), strict),
                _read_form(_LONE_I.sub("sqrt(-1)", k_text), strict),
                strict,
            )
        except ParseError:
            other = AnswerResult(None, "")
        if other.equivalent is not False:
            return AnswerResult(None, W.I_LETTER_OR_UNIT.text)
    if result.equivalent is False and ROOT_LIST.match(a_text):
        # "x=1,5" lists two roots, or is 1.5 with a decimal comma: wrong only if both are.
        try:
            other = _compare(_read_form(a_text.replace(",", "."), strict), k, strict)
        except ParseError:
            return result
        if other.equivalent is not False:
            return AnswerResult(None, W.DECIMAL_COMMA.text)
    return result


def _drop_units(a_text: str, k_text: str) -> tuple[str, str, _Form]:
    """``5 m`` against ``5``, ``1.5 million`` against 1500000: units go when only one side has
    them or both have the same; ``9.81 m/s`` against ``9.81 m/s^2`` keeps them."""
    a_units, k_units = with_units(a_text), with_units(k_text)
    if k_units is not None and (
        not k_units[1] or (a_units is not None and a_units[1] in ("", k_units[1]))
    ):
        k_text = k_units[0]
    k = _read_form(k_text, False)
    plain_key = _is_number(k) and (k_units is None or not k_units[1])
    if a_units is not None and (
        not a_units[1] or plain_key or (k_units is not None and a_units[1] == k_units[1])
    ):
        a_text = a_units[0]
    return a_text, k_text, k


def _same_text(answer: str, key: str) -> bool:
    return bool(answer.strip()) and " ".join(answer.split()) == " ".join(key.split())


def _compare(a: _Form, k: _Form, strict: bool) -> AnswerResult:
    if a.kind == Kind.LETTER or k.kind == Kind.LETTER:
        if a.kind == k.kind == Kind.LETTER:
            same = a.letter == k.letter
            return AnswerResult(
                same,
                (W.CHOICE_MATCHES if same else W.CHOICE_IS_NOT).format(
                    answer=a.letter, key=k.letter
                ),
            )
        return AnswerResult(None, W.CHOICE_AND_OTHER.text)
    a_point, k_point = _point_of(a, strict), _point_of(k, strict)
    if a_point is not None and k_point is not None:
        return _compare_points(a_point, k_point, strict)
    if a.kind == Kind.POINT or k.kind == Kind.POINT:
        return AnswerResult(False, W.PAIR_AND_OTHER.text)
    if a.kind == Kind.REGION or k.kind == Kind.REGION or _has_chain(a) or _has_chain(k):
        return _compare_as_sets(a, k)
    if a.kind == Kind.SET or k.kind == Kind.SET:
        if strict and (a.braced or k.braced) and any(s.is_relation for s in a.items + k.items):
            return AnswerResult(None, W.EQUATION_SETS_STRICT.text)
        return _compare_sets(a.items, k.items, strict)
    return _compare_statements(a.items[0], k.items[0], strict)


def _is_number(form: _Form) -> bool:
    """One value with no unknowns, such as ``5`` or ``1/3``."""
    if form.kind != Kind.STATEMENT or form.items[0].is_relation:
        return False
    return not free(form.items[0].sides[0].expr)


# -- reading ---------------------------------------------------------------------------------


def _read_form(text: str, strict: bool) -> _Form:
    """Read cleaned text (see ``clean``)."""
    if not text:
        raise ParseError(W.EMPTY.text)
    if not strict:
        if (m := _LETTER.match(text)) is not None:
            return _Form(Kind.LETTER, letter=m.group(1).upper())
        if _EMPTY.match(text):
            return _Form(Kind.REGION, region=sp.S.EmptySet)
        if _REALS.match(text):
            return _Form(Kind.REGION, region=sp.S.Reals)
        text = tutor_text(text)
        spelled = _NUMBER_WORD.search(text)
        if spelled:
            # "one half", "seventy-two": the grammar would read the letters multiplied.
            raise ParseError(W.NUMBER_IN_WORDS.format(words=repr(spelled.group(0))))
    found = _bracketed(text, strict)
    if found is not None:
        return found
    union = _union(text, strict)
    if union is not None:
        return _Form(Kind.REGION, region=union)
    if wrapped(text, "{", "}"):
        parts = [p for p in split_top(text[1:-1], re.compile(r"\s*,\s*")) if p.strip()]
        return _Form(Kind.SET, items=tuple(_statement(p, strict) for p in parts), braced=True)
    parts = split_list(text, strict)
    if len(parts) > 1:
        return _Form(Kind.SET, items=tuple(_statement(p, strict) for p in parts))
    return _Form(Kind.STATEMENT, items=(_statement(text, strict),))


def _bracketed(text: str, strict: bool) -> _Form | None:
    """``(a, b)``, ``[a, b)`` and ``(a, b, c)``: an interval, an ordered pair or both."""
    if not wrapped(text, "([", ")]"):
        return None
    parts = split_top(text[1:-1], re.compile(r","))
    if len(parts) < 2:
        return None
    ends = tuple(_read_element(p, strict) for p in parts)
    # Only round brackets make a point: [a, b] is an interval or, in a CAS, a list.
    pair = not any(e.expr.is_infinite for e in ends) and text[0] + text[-1] == "()"
    if len(ends) > 2 or any(free(e.expr) for e in ends):
        if not pair:
            raise ParseError(W.INTERVAL_ENDS.text)
        return _Form(Kind.POINT, point=ends)
    lo, hi = ends[0].expr, ends[1].expr
    if _less(lo, hi):
        region = sp.Interval(lo, hi, text[0] == "(", text[-1] == ")")
        return _Form(Kind.REGION, region=region, point=ends if pair else None)
    if text[0] + text[-1] == "[]" and numbers_equal(lo, hi):
        return _Form(Kind.REGION, region=sp.FiniteSet(lo))
    if pair:
        return _Form(Kind.POINT, point=ends)  # (4, 2) is not an interval
    raise ParseError(W.EMPTY_INTERVAL.text)


def _read_element(text: str, strict: bool) -> Side:
    """One element inside brackets or braces: an interval end, a coordinate or a listed
    number; infinity is allowed, a relation is not."""
    plain = normalize(text).replace(" ", "").replace("infinity", "oo").replace("inf", "oo")
    if plain in ("oo", "+oo", "-oo"):
        return Side(-sp.oo if plain == "-oo" else sp.oo, plain, None, False, False)
    statement = parse_statement(_braces(text, strict), strict=strict)
    if statement.is_relation:
        raise ParseError(W.RELATION_IN_BRACKETS.text)
    return statement.sides[0]


def _less(lo: sp.Expr, hi: sp.Expr) -> bool:
    if lo == -sp.oo or hi == sp.oo:
        return lo != hi
    a, b = real_value(lo, {}), real_value(hi, {})
    return a is not None and b is not None and bool(a < b) and not numbers_equal(lo, hi)


def _union(text: str, strict: bool) -> sp.Set | None:
    """``(-oo, 1) U (3, oo)``: each piece an interval or a braced list of numbers."""
    pieces = split_top(text, _UNION)
    if len(pieces) < 2:
        return None
    parts: list[sp.Set] = []
    for piece in pieces:
        found = _bracketed(piece, strict) if wrapped(piece, "([", ")]") else None
        if found is not None and found.region is not None:
            parts.append(found.region)
        elif wrapped(piece, "{", "}"):
            values = [
                _read_element(p, strict).expr for p in split_top(piece[1:-1], re.compile(","))
            ]
            if any(free(v) or v.is_infinite for v in values):
                return None
            parts.append(sp.FiniteSet(*values))
        else:
            return None
    return sp.Union(*parts)


def _braces(text: str, strict: bool) -> str:
    """``x^{2}``: braces that group an exponent, as a student copying TeX writes them."""
    if strict or "{" not in text:
        return text
    out = list(text)
    depth = depths(text)
    for i, ch in enumerate(text):
        if ch == "{" and i > 0 and text[i - 1] in "^_":
            close = next(
                (j for j in range(i + 1, len(text)) if text[j] == "}" and depth[j] == depth[i]),
                None,
            )
            if close is not None:
                out[i], out[close] = "(", ")"
    return "".join(out)


def _statement(text: str, strict: bool) -> Statement:
    statement = parse_statement(_braces(text, strict), strict=strict)
    for side in statement.sides:
        if side.expr.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
            raise ParseError(W.INFINITE_VALUE.text)
    return statement


# -- values ----------------------------------------------------------------------------------


def _value_side(statement: Statement) -> Side | None:
    """The value of ``5``, ``x = 5``, ``5 = x`` and ``x ≈ 5``, for a student who names it."""
    if not statement.is_relation:
        return statement.sides[0]
    if len(statement.rels) != 1 or statement.rels[0] not in ("=", "~"):
        return None
    left, right = statement.sides
    if isinstance(left.expr, sp.Symbol) and left.expr not in right.expr.free_symbols:
        return right
    if isinstance(right.expr, sp.Symbol) and not free(left.expr):
        return left
    if _NAMED_LENGTH.fullmatch(left.text) and not free(right.expr):
        return right  # "|AB| = 1", "AB = 12": a length named by its points
    return None


_LONE_I = re.compile(r"(?<![A-Za-z])i(?=pi(?![A-Za-z])|(?![A-Za-z]))")
_NAMED_LENGTH = re.compile(r"\|?\s*[A-Z]{1,3}\s*\|?")


def _assigned(statement: Statement) -> sp.Symbol | None:
    """The variable of ``x = 5`` or ``5 = x`` (a value without unknowns), else None."""
    side = _value_side(statement)
    if side is None or not statement.is_relation or free(side.expr):
        return None
    other = statement.sides[0] if side is statement.sides[1] else statement.sides[1]
    return other.expr if isinstance(other.expr, sp.Symbol) else None


def _side_for_value(expr: sp.Expr) -> Side:
    """A computed value as a side, shown as it renders (it was never typed)."""
    return Side(expr, render(expr), None, False, False)


def _expanded(side: Side) -> list[Side]:
    """``±3`` as 3 and -3; any other value as itself."""
    if PM not in side.expr.free_symbols:
        return [side]
    return [_side_for_value(v) for v in alternatives(side.expr)]


def _compare_statements(a: Statement, k: Statement, strict: bool) -> AnswerResult:
    approx = "~" in a.rels
    if strict and "~" in a.rels + k.rels:
        return AnswerResult(None, W.APPROXIMATE_RELATION.text)
    a_side, k_side = _value_side(a), _value_side(k)
    if a.is_relation and k.is_relation:
        if not strict and _assigned(a) is not None and _assigned(a) == _assigned(k):
            assert a_side is not None and k_side is not None
            return _compare_value_lists([a_side], [k_side], strict, approx)
        if "~" in a.rels + k.rels:
            return AnswerResult(None, W.APPROXIMATE_RELATION.text)
        return _compare_relations(a, k, strict)
    if a.is_relation != k.is_relation and (strict or a_side is None or k_side is None):
        return AnswerResult(False, W.RELATION_AND_VALUE.text)
    assert a_side is not None and k_side is not None
    if PM in a_side.expr.free_symbols | k_side.expr.free_symbols:
        return _compare_value_lists([a_side], [k_side], strict, approx)
    return _compare_values(a_side, k_side, strict, approx)


def _compare_values(a: Side, k: Side, strict: bool, approx: bool = False) -> AnswerResult:
    decision = exprs_equal(a.expr, k.expr)
    if decision.verdict == "ok":
        return AnswerResult(True, W.EQUIVALENT.text)
    if decision.verdict == "unknown":
        return AnswerResult(None, decision.detail)
    if not strict and not free(a.expr) and not free(k.expr):
        lenient = _lenient(a, k, approx)
        if lenient is not None:
            return lenient
    return AnswerResult(False, decision.detail)


def _lenient(a: Side, k: Side, approx: bool) -> AnswerResult | None:
    """Rounding and percentages: the readings of two different numbers that are still right."""
    a_places, k_places = _places(a), _places(k)
    if a_places is not None and _rounds_to(k.expr, a.expr, a_places, tie=True):
        return AnswerResult(True, W.IS_ROUNDED.format(text=a.text, before=render(k.expr)))
    if a_places is not None and not _terminates(k.expr) and _cut_to(k.expr, a.expr, a_places):
        # 0.66 for 2/3: no decimal is exact, and cutting off is common. (0.1 for 0.19 is not:
        # that key can be written exactly.)
        return AnswerResult(True, W.ANSWER_CUT_OFF.format(answer=a.text, key=render(k.expr)))
    if k_places is not None and _rounds_to(a.expr, k.expr, k_places, tie=False):
        # The key is rounded: an exact answer that rounds to it is right; a longer decimal
        # (0.334 against 0.33) may or may not be.
        if a_places is None and not a.is_number:
            return AnswerResult(True, W.ROUNDS_TO.format(value=render(a.expr), shown=k.text))
        if a_places is not None and a_places > k_places:
            return AnswerResult(None, W.MORE_DECIMALS.text)
    if approx and a.is_number and a_places is None and _rounds_to(k.expr, a.expr, 0, tie=True):
        return AnswerResult(None, W.IS_ROUNDED_WHOLE.format(text=a.text, before=render(k.expr)))
    if a.percent and numbers_equal(a.expr * 100, k.expr):
        return AnswerResult(True, W.SAME_AS_PERCENTAGE.text)
    if k.percent and not a.percent and numbers_equal(a.expr, k.expr * 100):
        return AnswerResult(True, W.SAME_PERCENTAGE.text)
    return None


def _terminates(value: sp.Expr) -> bool:
    """Whether a decimal writes ``value`` exactly (1/4 yes, 2/3 and pi no)."""
    if not value.is_Rational:
        return False
    q = int(value.q)
    for p in (2, 5):
        while q % p == 0:
            q //= p
    return q == 1


def _cut_to(exact: sp.Expr, shown: sp.Expr, places: int) -> bool:
    """``shown`` is ``exact`` cut off (not rounded) at ``places``: 0.66 for 2/3."""
    value = real_value(exact, {})
    if value is None or not shown.is_Rational:
        return False
    gap = (abs(value) - abs(shown)) * 10**places
    return bool(value * shown > 0 and 0 < gap < 1)


def _places(side: Side) -> int | None:
    """Decimal places of a number literal as shown; 33.3% shows three of 0.333."""
    if not side.is_number:
        return None
    if side.percent:
        return (side.decimals or 0) + 2
    return side.decimals if side.decimals else None


def _rounds_to(exact: sp.Expr, shown: sp.Expr, places: int, tie: bool) -> bool:
    """``shown`` is ``exact`` rounded to nearest at ``places`` (not cut off: 0.19 is not 0.1).

    ``tie``: a value halfway between (0.125) rounds away from zero (0.13), as taught."""
    if not shown.is_Rational:
        return False
    half = sp.Rational(1, 2 * 10**places)
    value = exact if exact.is_Rational else real_value(exact, {})
    if value is None:
        return False
    diff = abs(value - shown)
    if tie and diff == half:
        return bool(abs(shown) > abs(value))
    return bool(diff < half)


def _compare_value_lists(
    a_sides: list[Side], k_sides: list[Side], strict: bool, approx: bool = False
) -> AnswerResult:
    """Two lists of solutions as sets: every answer is in the key and every key is answered."""
    a_set = _distinct([v for s in a_sides for v in _expanded(s)])
    k_set = _distinct([v for s in k_sides for v in _expanded(s)])
    if strict and not all(v.expr.is_Rational for v in a_set + k_set):
        return AnswerResult(None, W.SET_NUMBERS_ONLY.text)
    undecided = None
    for mine, theirs, what in ((a_set, k_set, W.NOT_IN_KEY), (k_set, a_set, W.MISSING)):
        for x in mine:
            found = _matches_one_of(x, theirs, mine is a_set, strict, approx)
            if found is False:
                return AnswerResult(False, what.format(value=render(x.expr)))
            if found is None:
                undecided = AnswerResult(
                    None, W.COULD_NOT_COMPARE_VALUE.format(value=render(x.expr))
                )
    if undecided is not None:
        return undecided
    if len(a_set) == len(k_set) == 1:
        return _compare_values(a_set[0], k_set[0], strict, approx)
    return AnswerResult(True, W.SAME_SET.text)


def _matches_one_of(
    x: Side, others: list[Side], x_is_answer: bool, strict: bool, approx: bool
) -> bool | None:
    """Whether ``x`` matches one of ``others`` (None: no match, but one could not be decided)."""
    found: bool | None = False
    for y in others:
        pair = (x, y) if x_is_answer else (y, x)
        result = _compare_values(*pair, strict, approx)
        if result.equivalent:
            return True
        if result.equivalent is None:
            found = None
    return found


def _distinct(values: list[Side]) -> list[Side]:
    out: list[Side] = []
    for v in values:
        if not any(exprs_equal(v.expr, w.expr).verdict == "ok" for w in out):
            out.append(v)
    return out


# -- ordered pairs ---------------------------------------------------------------------------


def _point_of(form: _Form, strict: bool) -> tuple[Side, ...] | None:
    """``(2, 3)``, or ``x = 2, y = 3`` read in the alphabetical order of its variables."""
    if form.point is not None:
        return form.point
    if strict or form.kind != Kind.SET or form.braced:
        return None
    values: dict[sp.Symbol, Side] = {}
    for statement in form.items:
        name = _assigned(statement)
        if name is None or name in values or statement.rels != ("=",):
            return None
        side = _value_side(statement)
        assert side is not None
        values[name] = side
    if len(values) < 2:
        return None
    return tuple(values[name] for name in sorted(values, key=str))


def _compare_points(a: tuple[Side, ...], k: tuple[Side, ...], strict: bool) -> AnswerResult:
    if len(a) != len(k):
        return AnswerResult(False, W.COORDINATE_COUNT.text)
    undecided = None
    for i, (x, y) in enumerate(zip(a, k, strict=True)):
        result = _compare_values(x, y, strict)
        if result.equivalent is False:
            return AnswerResult(False, W.COORDINATE.format(n=i + 1, detail=result.detail))
        if result.equivalent is None:
            undecided = result
    return undecided or AnswerResult(True, W.SAME_POINT.text)


# -- equations and inequalities ----------------------------------------------------------------


def _condition(statement: Statement) -> Condition:
    if len(set(statement.rels)) != 1:
        raise ParseError(W.MIXED_RELATIONS.text)
    return condition_of(statement.sides[0].expr, statement.rels[0], statement.sides[-1].expr)


def _compare_relations(a: Statement, k: Statement, strict: bool) -> AnswerResult:
    try:
        ca, ck = _condition(a), _condition(k)
    except ParseError as exc:
        return AnswerResult(None, str(exc))
    return _compare_conditions(ca, ck, strict)


def _unknowns(cond: Condition) -> set[sp.Symbol]:
    found: set[sp.Symbol] = set()
    for f, _ in cond:
        found |= free(f)
    return found


def _compare_conditions(ca: Condition, ck: Condition, strict: bool) -> AnswerResult:
    if not _unknowns(ca) or not _unknowns(ck) or _unknowns(ca) != _unknowns(ck):
        return AnswerResult(None, W.DIFFERENT_UNKNOWNS.text)
    if strict and all(rel == "=" for _, rel in ca + ck):
        product_a = sp.Mul(*[f for f, _ in ca])
        product_k = sp.Mul(*[f for f, _ in ck])
        if _proportional(product_a, product_k):
            return AnswerResult(True, W.SAME_EQUATION_FACTOR.text)
    forward = compare_conditions(ck, ca)
    backward = compare_conditions(ca, ck)
    if "wrong" in (forward.verdict, backward.verdict):
        bad = forward if forward.verdict == "wrong" else backward
        return AnswerResult(False, bad.detail)
    if forward.verdict == "weaker" or backward.verdict == "weaker":
        return AnswerResult(False, W.SOLUTION_SETS_DIFFER.text)
    if forward.verdict == backward.verdict == "ok":
        if strict and all(rel == "=" for _, rel in ca + ck):
            return _multiplicity(ca, ck)
        return AnswerResult(True, W.SAME_SOLUTIONS.text)
    return AnswerResult(None, W.COULD_NOT_COMPARE.text)


def _proportional(a: sp.Expr, b: sp.Expr) -> bool:
    """``a / b`` takes one nonzero value at every sampled point."""
    symbols = sorted(free(a) | free(b), key=str)
    ratio: sp.Float | None = None
    seen = 0
    for point in sample_points(symbols, 10):
        va, vb = real_value(a, point), real_value(b, point)
        if va is None or vb is None or abs(vb) < 1e-20:
            continue
        r = va / vb
        if ratio is None:
            ratio = r
        elif abs(r - ratio) > 1e-20 * (1 + abs(ratio)):
            return False
        seen += 1
    return seen >= 3 and ratio is not None and abs(ratio) > 1e-20


def _multiplicity(ca: Condition, ck: Condition) -> AnswerResult:
    """A CAS reads ``(x - 2)^2 = 0`` and ``x = 2`` as different: roots count with multiplicity."""
    names = _unknowns(ca)
    if len(names) != 1:
        return AnswerResult(None, W.MULTIPLICITY_NOT_COMPARED.text)
    (var,) = names
    counts = []
    for cond in (ca, ck):
        poly_expr = sp.Mul(*[sp.fraction(sp.together(f))[0] for f, _ in cond])
        if not poly_expr.is_polynomial(var):
            return AnswerResult(None, W.MULTIPLICITY_NOT_COMPARED.text)
        counts.append(sp.Poly(poly_expr, var).sqf_list()[1])
    degrees = [sorted(m for _, m in c) for c in counts]
    same = degrees[0] == degrees[1]
    return AnswerResult(same, (W.SAME_ROOTS if same else W.OTHER_MULTIPLICITIES).text)


# -- solution sets -----------------------------------------------------------------------------


def _compare_sets(
    a_items: tuple[Statement, ...], k_items: tuple[Statement, ...], strict: bool
) -> AnswerResult:
    if not a_items or not k_items:
        return AnswerResult(None, W.NOT_A_SET.text)
    if all(s.is_relation for s in a_items + k_items):
        names = {_assigned(s) for s in a_items + k_items}
        if not strict and len(names) == 1 and None not in names:
            # x = 0.33 or x = -0.33 against x = ±1/3: the values, with rounding.
            approx = any("~" in s.rels for s in a_items)
            return _compare_value_lists(_sides(a_items), _sides(k_items), strict, approx)
        if any("~" in s.rels for s in a_items + k_items):
            return AnswerResult(None, W.APPROXIMATE_RELATION.text)
        try:
            ca = tuple(atom for s in a_items for atom in _condition(s))
            ck = tuple(atom for s in k_items for atom in _condition(s))
        except ParseError as exc:
            return AnswerResult(None, str(exc))
        return _compare_conditions(ca, ck, strict)
    a_sides, k_sides = _sides(a_items), _sides(k_items)
    if len(a_sides) != len(a_items) or len(k_sides) != len(k_items):
        return AnswerResult(None, W.MIXED_SET_ELEMENTS.text)
    return _compare_value_lists(a_sides, k_sides, strict, any("~" in s.rels for s in a_items))


def _sides(items: tuple[Statement, ...]) -> list[Side]:
    return [side for s in items if (side := _value_side(s)) is not None]


def _has_chain(form: _Form) -> bool:
    """``1 < x < 3``: read as the intersection of its links, not as ``1 < 3``."""
    return any(len(s.rels) > 1 and all(rel in _INEQUALITIES for rel in s.rels) for s in form.items)


def _relation_set(items: tuple[Statement, ...]) -> sp.Set | None:
    """``x > 1 or x < -2`` and chains such as ``1 < x <= 3`` as a set of real numbers."""
    parts: list[sp.Set] = []
    for statement in items:
        if "~" in statement.rels or (len(statement.rels) > 1 and _dropped_words(statement)):
            return None
        pieces: list[sp.Set] = []
        for i, rel in enumerate(statement.rels):
            cond = condition_of(statement.sides[i].expr, rel, statement.sides[i + 1].expr)
            names = _unknowns(cond)
            if len(names) != 1:
                if not names:
                    continue
                return None
            found = solution_set(cond, next(iter(names)))
            if found is None:
                return None
            pieces.append(found)
        if not pieces:
            return None
        parts.append(sp.Intersection(*pieces) if len(pieces) > 1 else pieces[0])
    return sp.Union(*parts) if len(parts) > 1 else parts[0]


def _dropped_words(statement: Statement) -> bool:
    """Words the tokenizer dropped inside a chain: ``x<2 nounand x>-2`` is not ``x < 2x > -2``."""
    for side in statement.sides:
        for word in re.findall(r"[A-Za-z]{2,}", side.text):
            if word.lower() not in FUNCTIONS | CONSTANTS | GREEK:
                return True
    return False


def _real_set(form: _Form) -> sp.Set | None:
    """The form as a set of real numbers, or None when it is not one (or holds unknowns)."""
    if form.kind == Kind.REGION:
        return form.region
    if form.kind not in (Kind.STATEMENT, Kind.SET) or not form.items:
        return None
    if all(s.is_relation for s in form.items):
        return _relation_set(form.items)
    sides = _sides(form.items)
    values = [v.expr for s in sides for v in _expanded(s)]
    if len(sides) != len(form.items) or any(free(v) for v in values):
        return None
    return sp.FiniteSet(*values)


def _compare_as_sets(a: _Form, k: _Form) -> AnswerResult:
    sets = [_real_set(a), _real_set(k)]
    if sets[0] is None or sets[1] is None:
        return AnswerResult(None, W.NOT_SETS_OF_NUMBERS.text)
    same = sp.Complement(sets[0], sets[1]).is_empty and sp.Complement(sets[1], sets[0]).is_empty
    if same is None:
        return AnswerResult(None, W.COULD_NOT_COMPARE_SETS.text)
    return AnswerResult(bool(same), (W.SAME_SET if same else W.SETS_DIFFER).text)
