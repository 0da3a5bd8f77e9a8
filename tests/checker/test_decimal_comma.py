"""Decimal commas where the page's language writes them, thousands commas where it does not."""

from __future__ import annotations

import pytest

from tutor.checker.answers import judge_answer
from tutor.checker.decimal_comma import reading_text, to_decimal_points, uses_decimal_comma
from tutor.checker.steps import judge_steps


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("0,5", "0.5"),
        ("x = 0,5 + 1,25", "x = 0.5 + 1.25"),
        ("3,14x", "3.14x"),
        ("1.234,5", "1234.5"),  # a thousands point before a decimal comma
        ("x = 2, 3", "x = 2, 3"),  # a comma and a space still separate
        ("(0,5; 1,5)", "(0.5, 1.5)"),  # a point written the decimal-comma way
        ("[1; 2,5)", "[1, 2.5)"),
        ("x = 2; x = 3", "x = 2; x = 3"),  # outside brackets ";" is left to the checker
        ("1,2,3", "1,2,3"),  # not a number with one decimal comma
        ("1.000", "1.000"),  # a point alone stays a decimal point
        ("no commas here", "no commas here"),
    ],
)
def test_decimal_commas_become_points(typed: str, read: str) -> None:
    assert to_decimal_points(typed) == read


@pytest.mark.parametrize(
    ("language", "expected"),
    [("es", True), ("es-mx", True), ("es_ES", True), ("en", False), ("en-us", False), ("", False)],
)
def test_which_languages_use_a_decimal_comma(language: str, expected: bool) -> None:
    assert uses_decimal_comma(language) is expected


def _answer(typed: str, key: str, *, decimal_comma: bool) -> bool | None:
    return judge_answer(reading_text(typed, decimal_comma), key).equivalent


def test_a_half_with_a_decimal_comma_is_a_half_in_spanish() -> None:
    assert _answer("0,5", "1/2", decimal_comma=True) is True
    assert _answer("x = 2,5", "5/2", decimal_comma=True) is True
    assert _answer("0,4", "1/2", decimal_comma=True) is False


def test_in_english_a_comma_is_a_thousands_separator_and_never_a_decimal() -> None:
    assert _answer("1,000", "1000", decimal_comma=False) is True
    assert _answer("1,000", "1", decimal_comma=False) is False
    assert _answer("0,5", "1/2", decimal_comma=False) is not True


def test_the_same_text_reads_differently_by_language() -> None:
    # "1,000" is a thousand on an English page and one on a Spanish page.
    assert _answer("1,000", "1000", decimal_comma=True) is False
    assert _answer("1,000", "1", decimal_comma=True) is True


def _verdicts(lines: list[str], *, decimal_comma: bool) -> list[str]:
    read = [reading_text(line, decimal_comma) for line in lines]
    return [r.verdict for r in judge_steps(read, "student")]


def test_spanish_work_lines_with_decimal_commas_are_checked_as_decimals() -> None:
    assert _verdicts(["2x = 0,5 + 1,5", "2x = 2", "x = 1"], decimal_comma=True) == [
        "none",
        "ok",
        "ok",
    ]
    assert _verdicts(["x = 0,5 + 0,25", "x = 0,75"], decimal_comma=True)[1] == "ok"
    assert _verdicts(["x = 0,5 + 0,25", "x = 0,6"], decimal_comma=True)[1] == "wrong"
    # On an English page the same lines are not numbers the checker can read.
    assert _verdicts(["x = 0,5 + 0,25", "x = 0,7"], decimal_comma=False) == ["none", "none"]
