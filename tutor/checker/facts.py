"""Fixed facts that word problems lean on: days in a month, and exact unit conversions.

``There are 30 days in March`` and ``12 feet in a yard`` are checkable claims: March has 31
days, a yard is 3 feet. Only exact, unambiguous conversions are listed (no "4 weeks in a
month", which solutions use as a convention); February may have 28 or 29 days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from tutor.checker import wording as W

_MONTH_DAYS = {
    "january": (31,),
    "february": (28, 29),
    "march": (31,),
    "april": (30,),
    "may": (31,),
    "june": (30,),
    "july": (31,),
    "august": (31,),
    "september": (30,),
    "october": (31,),
    "november": (30,),
    "december": (31,),
}
# How many of the first unit make one of the second.
_PER: dict[tuple[str, str], tuple[int, ...]] = {
    ("second", "minute"): (60,),
    ("minute", "hour"): (60,),
    ("second", "hour"): (3600,),
    ("hour", "day"): (24,),
    ("minute", "day"): (1440,),
    ("day", "week"): (7,),
    ("day", "year"): (365, 366),
    ("week", "year"): (52,),
    ("month", "year"): (12,),
    ("year", "decade"): (10,),
    ("year", "century"): (100,),
    ("inch", "foot"): (12,),
    ("foot", "yard"): (3,),
    ("inch", "yard"): (36,),
    ("foot", "mile"): (5280,),
    ("ounce", "pound"): (16,),
    ("cup", "pint"): (2,),
    ("pint", "quart"): (2,),
    ("quart", "gallon"): (4,),
    ("pint", "gallon"): (8,),
    ("cup", "quart"): (4,),
    ("cup", "gallon"): (16,),
    ("cent", "dollar"): (100,),
    ("penny", "dollar"): (100,),
    ("nickel", "dollar"): (20,),
    ("dime", "dollar"): (10,),
    ("cent", "nickel"): (5,),
    ("cent", "dime"): (10,),
    ("centimeter", "meter"): (100,),
    ("millimeter", "centimeter"): (10,),
    ("meter", "kilometer"): (1000,),
    ("gram", "kilogram"): (1000,),
    ("milliliter", "liter"): (1000,),
    ("item", "dozen"): (12,),
}
_SINGULAR = {
    "seconds": "second",
    "minutes": "minute",
    "mins": "minute",
    "min": "minute",
    "hours": "hour",
    "hrs": "hour",
    "hr": "hour",
    "days": "day",
    "weeks": "week",
    "months": "month",
    "years": "year",
    "decades": "decade",
    "centuries": "century",
    "inches": "inch",
    "feet": "foot",
    "ft": "foot",
    "yards": "yard",
    "miles": "mile",
    "ounces": "ounce",
    "oz": "ounce",
    "pounds": "pound",
    "lbs": "pound",
    "lb": "pound",
    "cups": "cup",
    "pints": "pint",
    "quarts": "quart",
    "gallons": "gallon",
    "cents": "cent",
    "pennies": "penny",
    "nickels": "nickel",
    "dimes": "dime",
    "dollars": "dollar",
    "centimeters": "centimeter",
    "cm": "centimeter",
    "millimeters": "millimeter",
    "mm": "millimeter",
    "meters": "meter",
    "kilometers": "kilometer",
    "km": "kilometer",
    "grams": "gram",
    "kilograms": "kilogram",
    "kg": "kilogram",
    "milliliters": "milliliter",
    "ml": "milliliter",
    "liters": "liter",
    "litres": "liter",
    "dozens": "dozen",
    "items": "item",
}
_PLURAL: dict[str, str] = {}
for _plural, _single in _SINGULAR.items():
    _PLURAL.setdefault(_single, _plural)
_UNIT = r"[A-Za-z]+"
_NUMBER = r"\d[\d,]*(?:\.\d+)?"
_ONE = r"(?:a|an|one|1|each|every|per)"
_MONTH = "|".join(_MONTH_DAYS)
# A stated fact, not a count of something ("she works 3 days in a week"): "there are ...".
_LEAD = r"(?:there\s+are|there\s+is|there's|which\s+(?:has|have)|contains?|\()\s+"
_PATTERNS = (
    # "there are 30 days in March", "there are 31 days in the month of May"
    (
        re.compile(rf"{_LEAD}({_NUMBER})\s+days\s+in\s+(?:the\s+month\s+of\s+)?({_MONTH})\b", re.I),
        "month",
    ),
    # "March has 30 days"
    (re.compile(rf"\b({_MONTH})\s+has\s+({_NUMBER})\s+days\b", re.I), "month_has"),
    # "there are 60 minutes in an hour", "(12 inches in 1 foot)"
    (re.compile(rf"{_LEAD}({_NUMBER})\s+({_UNIT})\s+in\s+{_ONE}\s+({_UNIT})\b", re.I), "per"),
    # "1 foot = 12 inches", "one hour equals 60 minutes"
    (
        re.compile(
            rf"\b(?:a|an|one|1)\s+({_UNIT})\s*(?:=|equals|is\s+equal\s+to)\s*({_NUMBER})\s+({_UNIT})\b",
            re.I,
        ),
        "one_is",
    ),
)


@dataclass(frozen=True)
class Fact:
    """A stated fact that is false, with what is true."""

    text: str
    detail: str


def false_facts(text: str) -> list[Fact]:
    """The calendar and unit-conversion claims in ``text`` that are false."""
    found = []
    for pattern, kind in _PATTERNS:
        for m in pattern.finditer(text):
            fact = _judge(kind, m)
            if fact is not None:
                found.append(fact)
    return found


def _number(text: str) -> Fraction:
    return Fraction(text.replace(",", ""))


def _judge(kind: str, m: re.Match[str]) -> Fact | None:
    if kind in ("month", "month_has"):
        number, month = (m.group(1), m.group(2)) if kind == "month" else (m.group(2), m.group(1))
        days = _MONTH_DAYS[month.lower()]
        if _number(number) in days:
            return None
        true = " or ".join(str(d) for d in days)
        return Fact(
            m.group(0), W.MONTH_DAYS.format(month=month.capitalize(), true=true, number=number)
        )
    if kind == "per":
        number, small, big = m.group(1), m.group(2), m.group(3)
    else:
        big, number, small = m.group(1), m.group(2), m.group(3)
    small_unit = _SINGULAR.get(small.lower(), small.lower())
    big_unit = _SINGULAR.get(big.lower(), big.lower())
    counts = _PER.get((small_unit, big_unit))
    if counts is None or _number(number) in counts:
        return None
    true = " or ".join(str(c) for c in counts)
    plural = _PLURAL.get(small_unit, small_unit + "s")
    return Fact(
        m.group(0), W.UNIT_SIZE.format(unit=big_unit, true=true, units=plural, number=number)
    )
