"""Numbers written with a decimal comma, as Spanish (and most of the world) writes them.

The checker's grammar reads ``.`` as the decimal point and ``,`` as a separator (``1,000`` is a
thousand, ``x = 2, 3`` two solutions). Where the page's language writes decimals with a comma,
a student's ``0,5`` means a half, so their text is rewritten to points before it is read:

- a comma between two digits with no space is a decimal comma: ``0,5`` → ``0.5``,
  ``3,14x`` → ``3.14x``;
- a point before it is a thousands point: ``1.234,5`` → ``1234.5``;
- a comma followed by a space still separates (``x = 2, 3``), and so does ``;`` (``2; 3``),
  which is how decimal-comma countries write lists;
- inside brackets a ``;`` separates: ``(0,5; 1,5)`` is the point ``(0.5, 1.5)``;
- ``1.000`` alone stays one (a point is a decimal point unless a comma follows): thousands
  are written with a space there (``1 000``), which the checker already reads.

The text a student typed is what is saved; only what the checker reads is rewritten.
"""

from __future__ import annotations

import re

# Digits, optionally grouped by points, then a comma and the decimals: 0,5 / 12,75 / 1.234,5.
_DECIMAL_COMMA = re.compile(r"(?<![\w.,])(\d{1,3}(?:\.\d{3})+|\d+),(\d+)(?![\d,])")

# "; " between two entries of a bracket that holds no other bracket: (0,5; 1,5), [1; 2,5).
_BRACKETED = re.compile(r"[(\[][^()\[\]]*;[^()\[\]]*[)\]]")

# Languages whose schools write the decimal separator as a comma.
DECIMAL_COMMA_LANGUAGES = frozenset({"es", "fr", "de", "it", "pt", "nl", "ca", "pl", "ru"})


def uses_decimal_comma(language: str | None) -> bool:
    """Whether a page in ``language`` ("es", "es-mx", "en-us") reads ``0,5`` as a half."""
    if not language:
        return False
    return language.lower().split("-")[0].split("_")[0] in DECIMAL_COMMA_LANGUAGES


def _point(match: re.Match[str]) -> str:
    whole, decimals = match.group(1), match.group(2)
    return f"{whole.replace('.', '')}.{decimals}"


def to_decimal_points(text: str) -> str:
    """``text`` with every decimal comma written as a point, for the checker to read."""
    if "," in text:
        text = _DECIMAL_COMMA.sub(_point, text)
    if ";" in text:
        text = _BRACKETED.sub(lambda m: re.sub(r"\s*;\s*", ", ", m.group(0)), text)
    return text


def reading_text(text: str, decimal_comma: bool) -> str:
    """What the checker reads of a student's text on a page that does or does not use a
    decimal comma."""
    return to_decimal_points(text) if decimal_comma else text
