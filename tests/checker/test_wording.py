"""The checker's sentences: well-formed templates, read back exactly, covering what it says."""

from __future__ import annotations

import json
import os
import string
import subprocess
import sys
from pathlib import Path

import pytest

from tutor.checker import api
from tutor.checker import wording as W
from tutor.checker.reference import Departure

DATA = Path(__file__).parent / "data"
EVAL = Path(__file__).resolve().parents[2].parent / "shared" / "eval"

# Math as the checker renders it: braces, brackets, commas, powers, roots.
MATH = ("{1, 2}", "(x + 1)^(2)", "f(3, -4)", "2,5", "sqrt(x^2 + 9)", "[0, 1)", "-7/3")
# A nested value is a detail itself.
NESTED_SAMPLES = {
    "detail": W.SOLVES_BEFORE_NOT_THIS.format(value="x = {3, 4}"),
    "reason": W.UNKNOWN_WORD.format(word=repr("apples")),
    "label": W.SIGN_MOVING_TERM.text,
    "how": W.IN_DEGREES.text,
    "form": W.FORM_FACTORED.text,
    "first": W.TRY_POINT.format(
        point="x = 1", left="(x + 1)^2", left_value="4", right="x^2 + 1", right_value="2"
    ),
    "rest": W.LIST.format(first=W.ARITHMETIC_HOLDS.text, rest=W.BOTH_EQUAL.format(value="{2}")),
    "sources": W.SOURCES_WITH_REFERENCE.text,
}


def sample_values(wording: W.Wording) -> dict[str, str]:
    return {
        name: NESTED_SAMPLES.get(name, MATH[i % len(MATH)]) for i, name in enumerate(wording.names)
    }


def test_every_wording_has_valid_placeholders() -> None:
    assert len(W.ALL) == len(set(W.ALL)) > 100
    for wording in W.ALL:
        fields = list(string.Formatter().parse(wording.template))
        for _, name, spec, conversion in fields:
            if name is None:
                continue
            assert name.isidentifier(), wording.template
            assert not spec and not conversion, wording.template
        # Two placeholders side by side could not be told apart when read back.
        assert all(literal for literal, _, _, _ in fields[1:]), wording.template
        assert wording.format(**dict.fromkeys(wording.names, "v")).count("{") == 0


def test_no_two_templates_read_the_same() -> None:
    skeletons = [tuple(literal for literal, _ in w.parts) for w in W.ALL]
    assert len(skeletons) == len(set(skeletons))


@pytest.mark.parametrize("wording", W.ALL, ids=lambda w: w.template[:40])
def test_format_then_match_round_trips(wording: W.Wording) -> None:
    values = sample_values(wording)
    text = wording.format(**values)
    assert W.match(text) == (wording, values)
    assert W.covered(text)


def test_nested_details_are_read_to_max_depth() -> None:
    inner = W.UNKNOWN_WORD.format(word="'pears'")
    text = inner
    for _ in range(W.MAX_DEPTH):
        text = W.COULD_NOT_READ_LINE.format(reason=text)
    assert W.covered(text)
    wording, values = W.match(text) or (None, {})
    assert wording is W.COULD_NOT_READ_LINE
    assert W.match(values["reason"]) is not None


def test_text_that_no_template_makes_is_not_matched() -> None:
    assert W.match("an entirely new sentence") is None
    assert not W.covered("an entirely new sentence")
    assert not W.covered(W.COULD_NOT_READ_LINE.format(reason="something new"))


def test_api_sentences_are_unchanged() -> None:
    assert api.NOT_CHECKED_YET == (
        "not checked yet: the checker is busy; it is checked again in a moment"
    )
    assert api.BUSY_FEEDBACK == (
        "the checker is busy right now; your answer was not checked, try again"
    )
    assert api.departure_detail(Departure(2, "45"), with_reference=False) == (
        "The final answer does not match the answer key, and this is the first step with a "
        "number that is not in the problem or the answer key: 45. Check which quantity it "
        "stands for."
    )
    for detail in (
        api.NOT_CHECKED_YET,
        api.BUSY_FEEDBACK,
        api.departure_detail(Departure(2, "45"), with_reference=True),
        api.departure_detail(Departure(2, "45"), with_reference=False),
    ):
        assert W.covered(detail), detail


def _rows(path: Path, every: int) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for n, line in enumerate(lines) if n % every == 0]


def sample_details(every: int = 12) -> list[str]:
    """The details the checker gives on a sample of the regression data (and the eval data,
    where it is there): steps, answers against keys, forms and keys."""
    details: list[str] = []
    for name in (
        "correct_mixed_work",
        "correct_student_work",
        "correct_templated_work",
        "correct_tutor_prose",
        "planted_errors",
        "planted_errors_templated",
    ):
        for row in _rows(DATA / f"{name}.jsonl", every):
            steps = [str(s) for s in row["steps"]]  # type: ignore[attr-defined]
            source = "model" if row.get("source") == "model" else "student"
            details += [r.detail for r in api.check_steps(steps, source=source, timeout=5)]
    for name in ("equivalent_answers", "latex_answers"):
        for row in _rows(DATA / f"{name}.jsonl", every):
            answer, key = str(row["answer"]), str(row["key"])
            for strict, form in ((False, ""), (True, ""), (False, "factored")):
                result = api.check_answer(answer, key, strict=strict, form=form, timeout=5)
                details += [result.detail, result.feedback]
            problem = api.check_key(key, timeout=5).problem
            details += [problem] if problem else []
    gsm8k = EVAL / "gsm8k_test.jsonl"
    if gsm8k.exists():
        for row in _rows(gsm8k, every * 3):
            body, _, key = str(row["answer"]).partition("#### ")
            steps = [s for s in body.strip().split("\n") if s.strip()]
            solution = api.check_solution(
                steps, answer_key=key.strip(), problem=str(row["question"]), timeout=5
            )
            details += [r.detail for r in solution.steps]
    return details


@pytest.fixture(scope="module")
def details() -> list[str]:
    return sample_details()


def test_templates_cover_what_the_checker_says(details: list[str]) -> None:
    assert len(details) > 1000
    uncovered = sorted({d for d in details if not W.covered(d)})
    assert not uncovered, uncovered[:20]


def test_the_checker_imports_no_django() -> None:
    code = (
        "import sys\n"
        "import tutor.checker, tutor.checker.api, tutor.checker.worker, tutor.checker.wording\n"
        "import tutor.checker.cli, tutor.checker.evaluate\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "assert not bad, bad\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, env=env)
