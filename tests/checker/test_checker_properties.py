# ruff: noqa: RUF001  (answers are typed with the signs people use)
"""Property tests: rewrites are never flagged, planted errors are caught, text never crashes."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.checker.answers import judge_answer
from tutor.checker.extract import claims_in
from tutor.checker.grammar import parse_statement
from tutor.checker.limits import ParseError
from tutor.checker.steps import judge_steps

small = st.integers(min_value=-50, max_value=50)


@given(a=small, b=small, c=small)
def test_equivalent_rewrites_are_never_flagged(a: int, b: int, c: int) -> None:
    """a(x + b) + c rewritten as ax + (ab + c) is never called wrong."""
    steps = [f"{a}(x + {b}) + {c}", f"{a}x + {a * b + c}"]
    assert [r.verdict for r in judge_steps(steps, "student")][-1] == "ok"


@given(a=st.integers(1, 20), b=small, c=small)
def test_equation_steps_that_keep_the_solution_are_ok(a: int, b: int, c: int) -> None:
    """ax + b = c followed by ax = c - b is equivalent."""
    steps = [f"{a}x + {b} = {c}", f"{a}x = {c - b}"]
    assert [r.verdict for r in judge_steps(steps, "student")][-1] == "ok"


@given(a=st.integers(0, 10_000), b=st.integers(0, 10_000), delta=st.integers(1, 99))
def test_planted_arithmetic_errors_are_caught(a: int, b: int, delta: int) -> None:
    """One wrong sum in prose is flagged; the right one is not."""
    right = next(judge_steps([f"So {a} + {b} = {a + b} apples."], "model"))
    wrong = next(judge_steps([f"So {a} + {b} = {a + b + delta} apples."], "model"))
    assert right.verdict == "ok"
    assert wrong.verdict == "wrong"


@given(st.text(max_size=200))
def test_random_text_never_crashes_the_parser(text: str) -> None:
    """Any text is either parsed or refused with ParseError."""
    with contextlib.suppress(ParseError):
        parse_statement(text)
    claims_in(text)


@given(st.text(alphabet="0123456789+-*/^()=x. ,%$", max_size=60))
def test_math_like_text_never_crashes_the_judge(text: str) -> None:
    """Math-shaped noise gets a verdict, never an exception."""
    for source in ("student", "model"):
        for result in judge_steps([text, text], source):
            assert result.verdict in ("ok", "wrong", "weaker", "unknown", "none")


_ANSWER_PIECES = ["x", "=", "1", "-3", "0.5", "1/2", "½", "%", "$", "or", "and", ",", " ", "("]
_ANSWER_PIECES += [")", "[", "]", "{", "}", "∞", "∪", "≈", "±", "π", "e", "3", "cm", "million"]
_ANSWER_PIECES += ["\\{", "\\}", "\\frac{1}{3}", "\\overline{3}", "no solution", "is", "So"]


@given(
    st.lists(st.sampled_from(_ANSWER_PIECES), max_size=20).map("".join),
    st.lists(st.sampled_from(_ANSWER_PIECES), max_size=20).map("".join),
    st.booleans(),
)
def test_answer_like_text_never_crashes_the_answer_check(
    answer: str, key: str, strict: bool
) -> None:
    """Any answer against any key is decided or left undecided, never an exception."""
    result = judge_answer(answer, key, strict=strict)
    assert result.equivalent in (True, False, None) and isinstance(result.detail, str)


@settings(max_examples=200)  # exact solving, a few ms each: the fuzz profile is for parsers
@given(a=st.integers(1, 12), r=st.integers(-20, 20), s=st.integers(-20, 20))
def test_roots_one_per_line_are_ok_and_a_non_root_is_wrong(a: int, r: int, s: int) -> None:
    """a(x - r)(x - s) = 0, then each root on its own line; a value that is no root is wrong."""
    equation = f"{a}(x - ({r}))(x - ({s})) = 0"
    assert "wrong" not in [
        v.verdict for v in judge_steps([equation, f"x = {r}", f"x = {s}"], "student")
    ]
    other = max(abs(r), abs(s)) + 1
    assert [v.verdict for v in judge_steps([equation, f"x = {other}"], "student")][-1] == "wrong"


_PROSE_PIECES = ["\\(", "\\)", "\\[", "\\]", "$", "x", "=", "\\le", "\\ge", "<", "2", "-4"]
_PROSE_PIECES += ["\\frac{1}{2}", "\\times", "\\cdot", "+", " ", "Distribute:", "so", "or"]
_PROSE_PIECES += ["f(2)", "x_1", "\\pi", "\\approx", "%", "cm", "If", "Case", "(", ")", "."]


@given(st.lists(st.lists(st.sampled_from(_PROSE_PIECES), max_size=20).map("".join), max_size=4))
def test_latex_like_prose_never_crashes_the_judge(steps: list[str]) -> None:
    """Tutor prose made of LaTeX pieces gets a verdict for every step, never an exception."""
    results = list(judge_steps(steps, "model"))
    assert [r.index for r in results] == list(range(len(steps)))
    assert all(r.verdict in ("ok", "wrong", "weaker", "unknown", "none") for r in results)
