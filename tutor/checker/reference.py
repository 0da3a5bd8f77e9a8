"""Where a solution whose final answer misses the key first leaves the problem's quantities.

A wrong final answer proves that some step is wrong, but the CAS can only prove errors of
arithmetic and algebra. In word problems most first errors are errors of meaning: a quantity
left out, "twice as many" applied to the wrong thing. The arithmetic of such a step holds; what
gives it away is that its result is not a quantity of the problem. So, once the final answer is
known to be wrong, the first step that brings in a number found neither in the problem, nor in
the key, nor in the reference solution (when the teacher wrote one) is where the work went off.

The numbers are read with plain regular expressions (no CAS), so this is cheap; it still runs
inside a checker worker, like every other judgement of untrusted text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# One run of digits and commas at a time (linear in the text); the grouping is checked after.
_NUMBER = re.compile(r"(?<![\w.,])\d[\d,]*(?:\.\d+)?")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_TEXT = re.compile(r"\\(?:text|mathrm|textbf|mbox)\{[^{}]*\}")
# "Step 2:", "**Step 2:**", "**Step 2**:", "- Step 7:", "Step 10 -", "1.", "12)" at the start.
_LIST_MARKER = re.compile(
    r"^\s*(?:[-*]\s+)?(?:#+\s*)?(?:\*\*|__)?\s*"
    r"(?:step\s*\d+\s*(?:\*\*|__)?\s*[.:)\-]?|\d+\s*(?:\*\*|__)?\s*[.:)])"
    r"(?:\*\*|__)?(?=\s)",
    re.I,
)
# Quantities that word problems spell out; "half" and "third" bring in the divisor.
_WORDS = {
    "once": 1,
    "twice": 2,
    "double": 2,
    "half": 2,
    "halves": 2,
    "triple": 3,
    "thrice": 3,
    "third": 3,
    "thirds": 3,
    "quarter": 4,
    "quarters": 4,
    "fourth": 4,
    "fifth": 5,
    "dozen": 12,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    "thousand": 1000,
}
_WORD = re.compile(r"\b(" + "|".join(_WORDS) + r")\b", re.I)
MAX_TEXT = 50_000  # characters of each input read; longer text is cut, never rejected


@dataclass(frozen=True)
class Departure:
    """The first step with a number the problem, key and reference do not contain."""

    index: int
    number: str


def numbers_in(text: str) -> list[str]:
    """The numbers written in ``text``, as written (``1,250``, ``3.5``); labels and list
    markers such as ``Step 2:`` and ``\\text{...}`` are skipped. ``1,2,3`` is three numbers."""
    text = _TEXT.sub(" ", text[:MAX_TEXT])
    text = _LIST_MARKER.sub(" ", text)
    found = []
    for m in _NUMBER.finditer(text):
        run = m.group().rstrip(",")
        if "," not in run or _GROUPED.fullmatch(run):
            found.append(run)
        else:
            found += [part for part in run.split(",") if part]
    return found


def _value(written: str) -> float:
    return float(written.replace(",", ""))


def grounded_values(problem: str, key: str, reference: str = "") -> set[float]:
    """Every quantity the problem, the key or the reference solution states.

    Percentages are read both ways (20% is 20 and 0.2) because solutions write either.
    """
    values = {_value(n) for n in numbers_in(problem) + numbers_in(key) + numbers_in(reference)}
    values |= {float(_WORDS[w.lower()]) for w in _WORD.findall(problem[:MAX_TEXT])}
    return values | {v * 100 for v in values} | {v / 100 for v in values}


def is_grounded(written: str, values: Iterable[float]) -> bool:
    """Whether a number as written is one of ``values``, allowing for stated rounding
    (``1.36`` for 75/55) and for a sign dropped in prose ("a loss of 5")."""
    x = _value(written)
    places = len(written.split(".")[1]) if "." in written else None
    for v in values:
        if abs(abs(x) - abs(v)) <= 1e-9 * max(1.0, abs(v)):
            return True
        if places is not None and round(v, places) == x:
            return True
    return False


def first_departure(
    steps: Sequence[str], problem: str, key: str, reference: str = ""
) -> Departure | None:
    """The first step bringing in a number that is not grounded, or None if every step's
    numbers are. Meant for solutions already known to end on a wrong answer."""
    values = grounded_values(problem, key, reference)
    for index, step in enumerate(steps):
        for written in numbers_in(step):
            if not is_grounded(written, values):
                return Departure(index, written)
    return None
