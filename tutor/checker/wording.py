"""Every sentence the checker puts in a verdict, as a template with named values.

The checker formats a ``Wording`` to produce its canonical English detail, and that English is
what is returned and stored. A page in another language reads a stored detail back into its
``Wording`` and values (``match``) and renders the template's translation with the same values
(``tutor.checker_text``). The templates are marked with ``gettext_noop`` so that Django's
``makemessages`` extracts them; this module imports no Django.

A value whose placeholder is named in ``NESTED`` may itself be a detail (a parse error inside
"could not read this line (...)", a misconception's sentence after a mistake) and is read back
the same way, up to ``MAX_DEPTH`` levels. Every other value (math, the student's own words,
numbers) stays as written.
"""

from __future__ import annotations

import contextvars
import functools
import re
import string
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

MAX_DEPTH = 4
# Placeholders whose values may be details themselves.
NESTED = frozenset({"detail", "reason", "label", "how", "form", "first", "rest", "sources"})
# A list of details ("first; rest") goes on at the same depth: its length is not nesting.
_SAME_DEPTH = frozenset({"rest"})
_MAX_READINGS = 32
# Reading a long list of details back costs more the more ways it splits
# (bench/checker_text.py); past this budget a detail is shown as stored, in English.
MATCH_BUDGET_S = 0.05
_DEADLINE: contextvars.ContextVar[float] = contextvars.ContextVar(
    "wording_deadline", default=float("inf")
)


class _OutOfTime(Exception):
    pass


def _in_time() -> None:
    if time.monotonic() > _DEADLINE.get():
        raise _OutOfTime


def gettext_noop(text: str) -> str:
    """Marks a template for extraction (xgettext knows this name); returns it unchanged."""
    return text


@dataclass(frozen=True)
class Wording:
    """An English template with ``{name}`` placeholders (``str.format`` style)."""

    template: str
    parts: tuple[tuple[str, str | None], ...] = field(init=False, repr=False, compare=False)
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = tuple(
            (literal, name) for literal, name, _, _ in string.Formatter().parse(self.template)
        )
        object.__setattr__(self, "parts", parts)
        object.__setattr__(self, "pattern", _compile(parts))

    @property
    def names(self) -> tuple[str, ...]:
        """The placeholders, in order, each once."""
        return tuple(dict.fromkeys(name for _, name in self.parts if name is not None))

    @property
    def text(self) -> str:
        """The English of a template without placeholders."""
        return self.template

    @property
    def literal_length(self) -> int:
        """How much of a detail the template's own words cover."""
        return sum(len(literal) for literal, _ in self.parts)

    def format(self, **values: object) -> str:
        """The English detail, exactly as an f-string with the same values writes it."""
        return self.template.format(**values)


def _compile(parts: tuple[tuple[str, str | None], ...]) -> re.Pattern[str]:
    pattern, seen = "", set()
    for literal, name in parts:
        pattern += re.escape(literal)
        if name is None:
            continue
        pattern += f"(?P={name})" if name in seen else f"(?P<{name}>.*?)"
        seen.add(name)
    return re.compile(pattern, re.S)


# -- a step's verdict -----------------------------------------------------------------------------

UNKNOWN_TOO_LARGE = Wording(gettext_noop("unknown (timeout or too large)"))
UNKNOWN_BECAUSE = Wording(gettext_noop("unknown ({reason})"))
WORKER_DIED = Wording(gettext_noop("worker died"))
POOL_CLOSED = Wording(gettext_noop("pool closed"))
NOT_CHECKED = Wording(gettext_noop("not checked yet: {reason}"))
BUSY_CHECKED_SOON = Wording(gettext_noop("the checker is busy; it is checked again in a moment"))
NO_MATH_ON_LINE = Wording(gettext_noop("no math on this line"))
VALUE_GIVEN_A_NAME = Wording(gettext_noop("a value given a name"))
UNITS_DIFFER = Wording(gettext_noop("the units differ"))
WORDS_NOT_MATH = Wording(gettext_noop("words, not math ({words})"))
COULD_NOT_READ_LINE = Wording(gettext_noop("could not read this line ({reason})"))
NO_SOLUTION_SHOWN = Wording(gettext_noop("no solution, as the line before shows"))
EQUALS_VALUE = Wording(gettext_noop("equals {value}"))
EXPRESSION_NOTHING_YET = Wording(gettext_noop("an expression: nothing to compare with yet"))
WITH_MISCONCEPTION = Wording(gettext_noop("{detail}. {label}"))
NO_CHECKABLE_MATH = Wording(gettext_noop("no checkable math"))
LIST = Wording(gettext_noop("{first}; {rest}"))

# relations
EQUAL_AS_WRITTEN = Wording(gettext_noop("{left} = {right}"))
CANNOT_COMPARE_PM = Wording(gettext_noop("cannot compare the ± values"))
UNDEFINED_OR_NOT_REAL = Wording(gettext_noop("a value is undefined or not real"))
RELATION_HOLDS = Wording(gettext_noop("{left} {rel} {right} holds"))
RELATION_FALSE = Wording(gettext_noop("{left} {rel} {right} is false"))
VALUE_UNDEFINED = Wording(gettext_noop("a value is undefined"))
ROUNDS_TO = Wording(gettext_noop("{value} rounds to {shown}"))
AS_PERCENTAGE = Wording(gettext_noop("{value} as a percentage is {shown}"))
READ_AS_NUMBER = Wording(gettext_noop("{shown} read as a number"))
IS_ABOUT = Wording(gettext_noop("{left} is about {right}"))
IS_NOT_BUT = Wording(gettext_noop("{left} is {value}, not {other}"))
SAME_EXPRESSION = Wording(gettext_noop("same expression"))
BOTH_EQUAL = Wording(gettext_noop("both equal {value}"))
IS_NOT = Wording(gettext_noop("{left} is not {right}"))
EXPRESSIONS_DIFFER = Wording(gettext_noop("the expressions differ"))
TRY_POINT = Wording(
    gettext_noop("Try {point}: {left} is {left_value}, but {right} is {right_value}")
)
COULD_NOT_EVALUATE_BOTH = Wording(gettext_noop("could not evaluate both sides"))
EQUAL_EXPRESSIONS = Wording(gettext_noop("equal expressions"))
UNDEFINED = Wording(gettext_noop("undefined"))
ABOUT = Wording(gettext_noop("about {value}"))
COULD_NOT_COMPARE_STEPS = Wording(gettext_noop("could not compare the two steps"))
SOLVES_BEFORE_NOT_THIS = Wording(gettext_noop("{value} solves the line before but not this one"))
SOLUTION_LOST = Wording(
    gettext_noop("{value} solves the line before but not this one (a solution was lost)")
)
FOLLOWS = Wording(gettext_noop("follows from the previous step"))
EQUIVALENT_TO_PREVIOUS = Wording(gettext_noop("equivalent to the previous step"))
WEAKER = Wording(
    gettext_noop(
        "follows from the previous step, but {value} satisfies this step and not the previous one"
    )
)
COMPLEX_ROOT = Wording(
    gettext_noop(
        "{value} (a complex number) solves the line before but not this one: the two have the "
        "same real solutions (none), but not the same roots"
    )
)

# relation_step
BACK_ON_TRACK = Wording(
    gettext_noop("back on track: this follows from the last line that was right")
)
IDENTITY = Wording(gettext_noop("an identity: both sides are equal"))
MIXED_RELATIONS_LINE = Wording(gettext_noop("mixed relations in one line"))
CHAIN_NOT_COMPARED = Wording(gettext_noop("a chain of inequalities is not compared yet"))
ARITHMETIC_HOLDS = Wording(gettext_noop("the arithmetic holds"))
STARTING_EQUATION = Wording(gettext_noop("the starting equation: nothing to compare with yet"))
NEW_GIVEN = Wording(gettext_noop("a new given or formula: it brings in new letters"))
NEW_FORMULA = Wording(gettext_noop("a new formula or given: it brings in new letters"))
SECOND_EQUATION = Wording(gettext_noop("a second equation, given rather than derived"))
UNCLEAR_SLASH = Wording(gettext_noop("a slash that does not say what it divides (a/b·c)"))
ONE_CASE = Wording(gettext_noop("one case of an earlier line"))
APPROXIMATE_NOT_COMPARED = Wording(gettext_noop("an approximate value that could not be compared"))
CASE_OF_LINE_BEFORE = Wording(gettext_noop("one case or solution of the line before"))
CASE_OF_LINE_BEFORE_ALSO = Wording(
    gettext_noop("one case or solution of the line before; {value} also solves it")
)
CASE_OF_EARLIER_LINE = Wording(gettext_noop("one case or solution of an earlier line"))
SECOND_CONDITION = Wording(gettext_noop("a second condition, not derived from the line before"))
NOT_FOLLOWING_NEW_GIVEN = Wording(
    gettext_noop(
        "this line does not follow from the one before; it may be a new given (a second "
        "equation, a formula with values put in)"
    )
)
KNOWN_VALUES_PUT_IN = Wording(gettext_noop("the line before, with the known values put in"))
KNOWN_VALUES_OTHER = Wording(
    gettext_noop("with the known values put in, the line before gives another value: {detail}")
)
FROM_TWO_EQUATIONS = Wording(gettext_noop("follows from the two equations before ({values})"))
NOT_FROM_TWO_EQUATIONS = Wording(
    gettext_noop("{values} solves the two equations before, but not this one")
)
ROUNDED_FAR = Wording(gettext_noop("{name} ≈ {shown}, but the line before gives {name} = {values}"))
ROOTS_ROUNDED = Wording(gettext_noop("the roots of the line before, rounded to {values}"))
COULD_NOT_READ_VALUE = Wording(gettext_noop("could not read the value"))
DOES_NOT_SOLVE = Wording(gettext_noop("{name} = {value} does not solve the equation"))
COULD_NOT_EVALUATE_THERE = Wording(gettext_noop("could not evaluate the equation there"))
ANOTHER_SOLUTION = Wording(gettext_noop("another solution of the equation"))

# statements
EQUAL_READ_AS = Wording(gettext_noop("{left} = {right}, {how}"))
IN_DEGREES = Wording(gettext_noop("in degrees"))
REAL_ROOT = Wording(gettext_noop("taking the real root"))
AS_PERCENT_CHANGE = Wording(gettext_noop("as {base} {sign} {rate}% of {base}"))
EQUAL_WITH_ROUNDED = Wording(gettext_noop("{left} = {right}, with {number} rounded"))

# congruences and fixed facts
NOT_CONGRUENT = Wording(
    gettext_noop("{a} leaves {ra} on division by {n}, and {b} leaves {rb}: not congruent")
)
CONGRUENT = Wording(gettext_noop("congruent modulo {n}"))
MONTH_DAYS = Wording(gettext_noop("{month} has {true} days, not {number}"))
UNIT_SIZE = Wording(gettext_noop("one {unit} is {true} {units}, not {number}"))

# model prose
SAID_FALSE = Wording(gettext_noop("a relation the step itself says is false"))
IS_NOT_BECAUSE = Wording(gettext_noop("{left} is not {right}: {detail}"))
DIFFER_BY = Wording(gettext_noop("{left} and {right} differ by {gap} for every value"))
IS_NOT_MISCONCEPTION = Wording(gettext_noop("{left} is not {right}. {label}"))
WITH_REMAINDER = Wording(gettext_noop("{left} is {value} with a remainder"))
GIVES_NOT_SOLVING = Wording(
    gettext_noop("{before} gives {name} = {values}, which does not solve {after}")
)
FLIPPED = Wording(
    gettext_noop(
        "{relation} keeps none of the solutions of the inequality before it: the direction is "
        "wrong (dividing or multiplying by a negative number flips it)"
    )
)
SAME_QUANTITY = Wording(
    gettext_noop(
        "the same quantity is given as {left}, which is {left_value}, and as {right}, which is "
        "{right_value}"
    )
)
AGREES_WITH = Wording(gettext_noop("{text} agrees with {before}"))
IS_ROUNDED = Wording(gettext_noop("{text} is {before} rounded"))
IS_ROUNDED_WHOLE = Wording(gettext_noop("{text} is {before} rounded to a whole number"))
GIVES_BUT_BEFORE = Wording(
    gettext_noop("{text} gives {name} = {value}, but {before} gives {name} = {other}")
)

# misconceptions: what a student reads when a known mistake explains a line
SIGN_MOVING_TERM = Wording(
    gettext_noop("A term that moves to the other side of = changes its sign.")
)
SQUARE_OF_SUM = Wording(gettext_noop("(a + b)^2 is not a^2 + b^2: the 2ab term is missing."))
DROPPED_NEGATIVE = Wording(gettext_noop("A minus sign was lost."))
DISTRIBUTE_FIRST_ONLY = Wording(
    gettext_noop("The factor multiplies every term in the brackets, not only the first.")
)
SQRT_OF_SUM = Wording(gettext_noop("sqrt(a + b) is not sqrt(a) + sqrt(b)."))
EXPONENT_PRODUCT = Wording(
    gettext_noop("x^a * x^b is x^(a + b): add the exponents, do not multiply them.")
)
ADD_FRACTIONS_ACROSS = Wording(
    gettext_noop("a/b + c/d is not (a + c)/(b + d): use a common denominator.")
)
CANCEL_ACROSS_PLUS = Wording(
    gettext_noop("Only a factor of the whole top cancels with the bottom, not one term of a sum.")
)
DIVIDE_BY_VARIABLE = Wording(
    gettext_noop("Dividing by a letter that can be 0 loses the solution where it is 0.")
)

# a whole solution against its key
FINAL_NOT_KEY = Wording(gettext_noop("The final answer {answer} does not match the answer key."))
DEPARTURE = Wording(
    gettext_noop(
        "The final answer does not match the answer key, and this is the first step with a "
        "number that is not in {sources}: {number}. Check which quantity it stands for."
    )
)
SOURCES_WITH_REFERENCE = Wording(
    gettext_noop("the problem, the answer key or the reference solution")
)
SOURCES = Wording(gettext_noop("the problem or the answer key"))
FINAL_UNDECIDED = Wording(
    gettext_noop("undecided: not every reading of the final answer could be compared")
)

# an answer against its key: ``detail`` (for teachers) and ``feedback`` (for students)
BUSY_FEEDBACK = Wording(
    gettext_noop("the checker is busy right now; your answer was not checked, try again")
)
MATCHES = Wording(gettext_noop("matches the answer"))
NOT_THE_ANSWER = Wording(gettext_noop("not the answer"))
UNDECIDED_FEEDBACK = Wording(gettext_noop("the checker could not decide; your teacher can see it"))
NO_ANSWER = Wording(gettext_noop("no answer from the checker"))
COULD_NOT_READ = Wording(gettext_noop("could not read ({reason})"))
SAME_TEXT = Wording(gettext_noop("the same text as the key"))
RIGHT_VALUE_FORM = Wording(gettext_noop("right value, but the question asks for it {form}"))
FORM_EXPANDED = Wording(gettext_noop("expanded"))
FORM_FACTORED = Wording(gettext_noop("fully factored"))
FORM_SIMPLIFIED = Wording(gettext_noop("fully simplified"))
FORM_EXACT = Wording(gettext_noop("as an exact value, without decimals"))
FORM_LOWEST_TERMS = Wording(gettext_noop("in lowest terms"))
FORM_UNITS = Wording(gettext_noop("with its units"))
I_LETTER_OR_UNIT = Wording(gettext_noop("different with i a letter, not with i the imaginary unit"))
DECIMAL_COMMA = Wording(gettext_noop("a comma that may be a decimal comma"))
CHOICE_MATCHES = Wording(gettext_noop("choice {answer} matches {key}"))
CHOICE_IS_NOT = Wording(gettext_noop("choice {answer} is not {key}"))
CHOICE_AND_OTHER = Wording(gettext_noop("one side is a multiple-choice letter"))
PAIR_AND_OTHER = Wording(gettext_noop("an ordered pair and something else"))
EQUATION_SETS_STRICT = Wording(gettext_noop("sets of equations are not compared strictly"))
APPROXIMATE_RELATION = Wording(gettext_noop("an approximate relation"))
RELATION_AND_VALUE = Wording(gettext_noop("one is an equation or inequality, the other is not"))
EQUIVALENT = Wording(gettext_noop("equivalent"))
ANSWER_CUT_OFF = Wording(gettext_noop("{answer} is {key} cut off"))
MORE_DECIMALS = Wording(gettext_noop("more decimals than the key"))
SAME_AS_PERCENTAGE = Wording(gettext_noop("the same number, written as a percentage"))
SAME_PERCENTAGE = Wording(gettext_noop("the same percentage"))
SET_NUMBERS_ONLY = Wording(gettext_noop("set elements are compared only when they are numbers"))
NOT_IN_KEY = Wording(gettext_noop("{value} is not in the key"))
MISSING = Wording(gettext_noop("{value} is missing"))
COULD_NOT_COMPARE_VALUE = Wording(gettext_noop("could not compare {value}"))
SAME_SET = Wording(gettext_noop("the same set"))
SETS_DIFFER = Wording(gettext_noop("the sets differ"))
SAME_EQUATION_FACTOR = Wording(gettext_noop("the same equation up to a constant factor"))
SOLUTION_SETS_DIFFER = Wording(gettext_noop("the solution sets differ"))
COORDINATE_COUNT = Wording(gettext_noop("a different number of coordinates"))
COORDINATE = Wording(gettext_noop("coordinate {n}: {detail}"))
SAME_POINT = Wording(gettext_noop("the same point"))
DIFFERENT_UNKNOWNS = Wording(gettext_noop("the two use different unknowns"))
SAME_SOLUTIONS = Wording(gettext_noop("the same solutions"))
COULD_NOT_COMPARE = Wording(gettext_noop("could not compare"))
MULTIPLICITY_NOT_COMPARED = Wording(
    gettext_noop("the same solutions, but multiplicity is not compared")
)
SAME_ROOTS = Wording(gettext_noop("the same roots"))
OTHER_MULTIPLICITIES = Wording(gettext_noop("the same roots with other multiplicities"))
NOT_A_SET = Wording(gettext_noop("one side is not a set"))
MIXED_SET_ELEMENTS = Wording(gettext_noop("mixed set elements"))
NOT_SETS_OF_NUMBERS = Wording(gettext_noop("could not read both as sets of numbers"))
COULD_NOT_COMPARE_SETS = Wording(gettext_noop("could not compare the sets"))

# how a key is read (the editor and the import)
KEY_EMPTY = Wording(gettext_noop("the key is empty"))
KEY_TOO_LARGE = Wording(gettext_noop("the key is too large to check"))
KEY_IN_WORDS = Wording(gettext_noop("the key is written in words; write it as a number"))
KEY_UNREADABLE = Wording(gettext_noop("the checker cannot read the key ({reason})"))
KEY_BUSY = Wording(gettext_noop("the checker is busy; save again in a moment"))
KEY_TOO_LONG = Wording(gettext_noop("the key took too long to check"))
KEY_CHECKER_FAILED = Wording(gettext_noop("the checker failed ({reason})"))

# why a line or an answer could not be read (inside "could not read this line (...)")
INPUT_TOO_LONG = Wording(gettext_noop("input too long"))
NUMBER_TOO_LONG = Wording(gettext_noop("number too long"))
EXPONENT_TOO_LARGE = Wording(gettext_noop("exponent too large"))
POWER_TOO_LARGE = Wording(gettext_noop("power too large"))
BINOMIAL_TOO_LARGE = Wording(gettext_noop("binomial too large"))
FACTORIAL_TOO_LARGE = Wording(gettext_noop("factorial too large"))
TOO_DEEPLY_NESTED = Wording(gettext_noop("too deeply nested"))
UNKNOWN_NAME = Wording(gettext_noop("unknown name {name}"))
UNKNOWN_WORD = Wording(gettext_noop("unknown word {word}"))
WORD_IN_MATH = Wording(gettext_noop("a word in math: {word}"))
BAD_NAME = Wording(gettext_noop("bad name {name}"))
UNEXPECTED_CHARACTER = Wording(gettext_noop("unexpected character {character}"))
UNEXPECTED_END = Wording(gettext_noop("unexpected end of input"))
INDEX_NOT_CLOSED = Wording(gettext_noop("an index that does not close"))
NO_MATH = Wording(gettext_noop("no math"))
NO_READING = Wording(gettext_noop("no reading"))
EXPECTED_EXPRESSION = Wording(gettext_noop("expected an expression, found a relation"))
REMAINDER_BY_ZERO = Wording(gettext_noop("remainder on division by zero"))
OTHER_ARGUMENTS = Wording(gettext_noop("{name} takes other arguments"))
NOT_WHOLE_NUMBERS = Wording(gettext_noop("{name} of values that are not whole numbers"))
MISSING_ARGUMENT = Wording(gettext_noop("missing argument"))
UNBALANCED_BRACES = Wording(gettext_noop("unbalanced braces"))
UNREAD_INDEX = Wording(gettext_noop("an index the checker does not read"))
NOT_ONE_VALUE = Wording(gettext_noop("not one value"))
MATRIX_ROWS = Wording(gettext_noop("a matrix with rows of different lengths"))
NUMBER_IN_WORDS = Wording(gettext_noop("a number in words: {words}"))
INTERVAL_ENDS = Wording(gettext_noop("interval ends must be numbers"))
EMPTY_INTERVAL = Wording(gettext_noop("an empty interval"))
RELATION_IN_BRACKETS = Wording(gettext_noop("a relation inside brackets"))
INFINITE_VALUE = Wording(gettext_noop("infinite or undefined value"))
MIXED_RELATIONS = Wording(gettext_noop("mixed relations"))
EMPTY = Wording(gettext_noop("empty"))
EXPECTED = Wording(gettext_noop("expected {text}"))
UNEXPECTED = Wording(gettext_noop("unexpected {token}"))
SUBSCRIPT_OR_OPERATOR = Wording(gettext_noop("{text}: a subscript or a missing operator"))
TWO_NUMBERS = Wording(gettext_noop("two numbers without an operator"))
UNBALANCED_BRACKET = Wording(gettext_noop("unbalanced ["))
UNSUPPORTED_LATEX = Wording(gettext_noop("unsupported LaTeX command {name}"))

ALL: tuple[Wording, ...] = tuple(v for v in tuple(globals().values()) if isinstance(v, Wording))


# -- reading a stored detail back ---------------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    wording: Wording
    values: dict[str, str]
    score: int  # characters covered by template words, the nested readings' included
    balanced: bool  # every value closes the brackets it opens: "(x + 1)", not "(x"
    size: int  # templates used: of two readings that cover as much, the simpler one wins

    def rank(self) -> tuple[int, bool, int]:
        return (self.score, self.balanced, -self.size)


def match(text: str, budget_s: float = MATCH_BUDGET_S) -> tuple[Wording, dict[str, str]] | None:
    """The ``Wording`` and values that produce ``text``, or None when no template does, or
    when reading it takes longer than ``budget_s``.

    Of several readings, the one whose template words (its nested details' included) cover
    most of the text wins.
    """
    deadline = _DEADLINE.set(time.monotonic() + budget_s)
    try:
        found = _best(text, 0)
    except _OutOfTime:
        return None
    finally:
        _DEADLINE.reset(deadline)
    return (found.wording, dict(found.values)) if found is not None else None


def covered(text: str, depth: int = 0) -> bool:
    """Whether ``text`` is read back whole: a template matches it, and so does every nested
    detail in its values (a misconception's sentence, a parse error)."""
    found = _best(text, depth)
    if found is None:
        return False
    return all(
        covered(value, nested_depth(name, depth))
        for name, value in found.values.items()
        if name in NESTED and depth < MAX_DEPTH
    )


def nested_depth(name: str, depth: int) -> int:
    """The depth at which a value named ``name`` is read, one level under ``depth``."""
    return depth if name in _SAME_DEPTH else depth + 1


@functools.lru_cache(maxsize=4096)
def _best(text: str, depth: int) -> _Reading | None:
    """The best reading of ``text``: one template, or a list of details ("first; rest")."""
    single = _best_single(text, depth)
    listed = _best_list(text, depth) if _SEPARATOR in text else None
    if listed is not None and (single is None or listed.rank() > single.rank()):
        return listed
    return single


@functools.lru_cache(maxsize=4096)
def _best_single(text: str, depth: int) -> _Reading | None:
    best: _Reading | None = None
    for wording in ALL:
        _in_time()
        if wording is LIST or wording.pattern.fullmatch(text) is None:
            continue
        for values in _splits(wording.parts, text):
            score, size = wording.literal_length, 1
            for name, value in values.items():
                inner = nested_depth(name, depth)
                if name in NESTED and inner <= MAX_DEPTH:
                    nested = _best(value, inner)
                    if nested is not None:
                        score, size = score + nested.score, size + nested.size
            balanced = all(_balanced(value) for value in values.values())
            reading = _Reading(wording, values, score, balanced, size)
            if best is None or reading.rank() > best.rank():
                best = reading
    return best


_SEPARATOR = "; "
_MAX_ITEM_PARTS = 4  # an item of a list may itself hold "; " ("...; it is checked again ...")


def _best_list(text: str, depth: int) -> _Reading | None:
    """``text`` as a list of details joined by "; " (how the tutor's checked claims are
    joined), read item by item: the split whose items' templates cover most wins."""
    if depth + 1 > MAX_DEPTH:
        return None
    pieces = text.split(_SEPARATOR)
    n = len(pieces)
    # tail[i]: (score, size, where the first item ends) for pieces[i:] read as a list.
    tail: list[tuple[int, int, int]] = [(0, 0, n)] * (n + 1)
    for i in range(n - 1, -1, -1):
        options = []
        for j in range(i + 1, min(n, i + _MAX_ITEM_PARTS) + 1):
            item = _best_single(_SEPARATOR.join(pieces[i:j]), depth + 1)
            score, size = (item.score, item.size) if item is not None else (0, 0)
            if j < n:
                score, size = score + LIST.literal_length + tail[j][0], size + 1 + tail[j][1]
            options.append((score, -size, j))
        score, negative_size, end = max(options)
        tail[i] = (score, -negative_size, end)
    score, size, end = tail[0]
    if end == n:
        return None  # one item: the text is not a list
    values = {"first": _SEPARATOR.join(pieces[:end]), "rest": _SEPARATOR.join(pieces[end:])}
    balanced = all(_balanced(value) for value in values.values())
    return _Reading(LIST, values, score, balanced, size)


def _balanced(value: str) -> bool:
    """Whether brackets open and close in turn (of any kind: "[0, 1)" is an interval)."""
    depth = 0
    for ch in value:
        depth += (ch in "([{") - (ch in ")]}")
        if depth < 0:
            return False
    return depth == 0 and value == value.strip()


def _splits(parts: tuple[tuple[str, str | None], ...], text: str) -> Iterator[dict[str, str]]:
    """Every way (up to a bound) of reading ``text`` as the template's words and values."""
    count = 0

    def walk(i: int, pos: int, values: dict[str, str]) -> Iterator[dict[str, str]]:
        nonlocal count
        if count >= _MAX_READINGS:
            return
        _in_time()
        if i == len(parts):
            if pos == len(text):
                count += 1
                yield dict(values)
            return
        literal, name = parts[i]
        if not text.startswith(literal, pos):
            return
        pos += len(literal)
        if name is None:
            yield from walk(i + 1, pos, values)
            return
        follow = parts[i + 1][0] if i + 1 < len(parts) else None
        if name in values:
            if text.startswith(values[name], pos):
                yield from walk(i + 1, pos + len(values[name]), values)
            return
        if follow is None or follow == "":
            ends: Iterator[int] = iter((len(text),)) if follow is None else iter(())
        else:
            ends = _occurrences(text, follow, pos)
        for end in ends:
            values[name] = text[pos:end]
            yield from walk(i + 1, end, values)
            del values[name]

    yield from walk(0, 0, {})


def _occurrences(text: str, literal: str, start: int) -> Iterator[int]:
    at = text.find(literal, start)
    while at != -1:
        yield at
        at = text.find(literal, at + 1)
