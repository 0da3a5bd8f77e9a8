"""Where a solution that ends on a wrong answer first went off, given the problem and its key."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.checker.test_checker_cli import run
from tutor.checker import check_final_answer, check_solution
from tutor.checker.extract import final_answers
from tutor.checker.reference import first_departure, grounded_values, is_grounded, numbers_in

HOBBIES = (
    "A class of 50 students has various hobbies. 10 like to bake, 5 like to play basketball, "
    "and the rest like to either play video games or play music. How many like to play video "
    "games if the number that like to play music is twice the number that prefer playing "
    "basketball?"
)
# A real model's solution: it leaves out the music students, so 35 instead of 25.
LEFT_OUT = [
    "There are 50 students in total. 10 like to bake and 5 like basketball.",
    r"Music: \[ \text{Music students} = 2 \times 5 = 10 \]",
    r"Video games: \[ 50 - (10 + 5) = 50 - 15 = 35 \]",
    "So, there are 35 students who like to play video games.",
]
RIGHT = [*LEFT_OUT[:2], r"Video games: \[ 50 - 10 - 5 - 10 = 25 \]", "So 25 play video games."]
REFERENCE = "2 * 5 = <<2*5=10>>10 like music.\n50 - 10 - 5 - 10 = <<50-10-5-10=25>>25"


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Step 2: 3 + 4 = 7", ["3", "4", "7"]),
        (r"\[ \text{Week 2 total} = 1,250 + 3.5 \]", ["1,250", "3.5"]),
        ("1. She pays $12 for 2 books", ["12", "2"]),
        ("x2 and v1.5 are names, not numbers", []),
    ],
)
def test_numbers_are_read_as_written_without_labels(text: str, numbers: list[str]) -> None:
    assert numbers_in(text) == numbers


@pytest.mark.parametrize(
    ("written", "grounded"),
    [
        ("48", True),  # stated
        ("2", True),  # "half" brings in the divisor
        ("0.2", True),  # 20% as a decimal
        ("1,200", True),  # the key, with a separator
        ("0.33", True),  # 1/3 of nothing: 33% read both ways, rounded as stated
        ("-48", True),  # a sign dropped in prose
        ("7", False),
        ("48.5", False),
    ],
)
def test_grounded_numbers(written: str, grounded: bool) -> None:
    values = grounded_values(
        "A baker makes 48 muffins, sells half, and 20% or 33% are iced.", "1200"
    )
    assert is_grounded(written, values) is grounded


def test_the_first_step_with_a_number_from_nowhere_is_the_departure() -> None:
    found = first_departure(LEFT_OUT, HOBBIES, "25")
    assert found is not None and (found.index, found.number) == (2, "15")


def test_a_reference_solution_grounds_its_own_intermediate_values() -> None:
    # 15 is not in the problem, but a reference that computes it makes it a quantity of the
    # problem, so the departure moves on to 35.
    found = first_departure(LEFT_OUT, HOBBIES, "25", reference="10 + 5 = 15 play sports")
    assert found is not None and (found.index, found.number) == (2, "35")


def test_a_wrong_final_answer_marks_the_departure_wrong_without_naming_the_key() -> None:
    solution = check_solution(LEFT_OUT, problem=HOBBIES, answer_key="25")
    assert solution.equivalent is False and solution.final_answer == "35"
    assert solution.first_error == 2
    assert [s.verdict for s in solution.steps].count("wrong") == 1
    detail = solution.steps[2].detail
    assert "15" in detail and "25" not in detail, "the key is never shown to a student"


def test_a_right_final_answer_flags_nothing() -> None:
    solution = check_solution(RIGHT, problem=HOBBIES, answer_key="25", reference=REFERENCE)
    assert solution.equivalent is True and solution.first_error == -1


def test_without_a_key_only_proven_errors_count() -> None:
    solution = check_solution(LEFT_OUT, problem=HOBBIES)
    assert solution.equivalent is None and solution.first_error == -1


def test_with_every_number_grounded_the_step_stating_the_answer_is_marked() -> None:
    steps = ["She has 50 and gives away 10.", "So she has 10 left: \\boxed{10}"]
    solution = check_solution(
        steps, problem="Ann has 50 stickers and gives away 10.", answer_key="40"
    )
    assert solution.first_error == 1
    assert solution.steps[1].detail == "The final answer 10 does not match the answer key."


def test_an_earlier_proven_error_stays_the_first_error() -> None:
    steps = ["7 * 8 = 54 stickers.", "Then 54 + 1 = 55.", "\\boxed{55}"]
    solution = check_solution(steps, problem="7 boxes of 8 stickers and 1 more.", answer_key="57")
    assert solution.first_error == 0 and "56" in solution.steps[0].detail


@pytest.mark.parametrize(
    ("last", "key"),
    [
        ("So she spends 14 + 20 = 34 hours in 4 weeks.", "34"),  # not the last number
        ("He can make 1600 sticks because 1600 > 1200.", "1,600"),  # nor after the "="
        ("Net proceeds: $400 000 - $282 000 = $118 000.", "118000"),  # spaced thousands
        ("Each stick costs 15/30 = $0.50", "50"),  # asked in cents, answered in dollars
    ],
)
def test_a_final_sentence_that_states_the_key_somewhere_is_not_called_wrong(
    last: str, key: str
) -> None:
    problem = "How many cents does each stick cost?" if key == "50" else "How many?"
    solution = check_solution(["Some work.", last], problem=problem, answer_key=key)
    assert solution.equivalent is True and solution.first_error == -1


def test_a_boxed_answer_is_the_only_reading() -> None:
    found = final_answers(["We get 24 in the end.", "\\boxed{5}, not 24"])
    assert found == (1, ["5"])


@given(a=st.integers(2, 400), b=st.integers(2, 400), slip=st.integers(1, 9))
def test_a_planted_quantity_is_found_and_a_faithful_solution_is_not_flagged(
    a: int, b: int, slip: int
) -> None:
    """A quantity misread from the problem is where the work goes off; the faithful
    solution, built from the problem's own numbers, is left alone."""
    problem = f"Sam has {a} marbles and wins {b} more. How many does he have?"
    right = [f"Sam starts with {a} marbles.", f"He wins {b}, so {a} + {b} = {a + b}."]
    assert check_solution(right, problem=problem, answer_key=str(a + b)).first_error == -1
    misread = b + slip * 1000  # far from any number the problem or key holds
    wrong = [right[0], f"He wins {misread}, so {a} + {misread} = {a + misread}."]
    solution = check_solution(wrong, problem=problem, answer_key=str(a + b))
    assert solution.first_error == 1 and str(misread) in solution.steps[1].detail


def test_the_command_line_takes_the_problem_and_a_reference() -> None:
    rows = [
        json.dumps({"id": "p", "steps": LEFT_OUT, "problem": HOBBIES, "answer_key": "25"}),
        json.dumps(
            {
                "id": "r",
                "steps": LEFT_OUT,
                "problem": HOBBIES,
                "answer_key": "25",
                "reference": "10 + 5 = 15",
            }
        ),
        json.dumps({"id": "bad", "steps": ["1 + 1 = 2"], "problem": 7}),
    ]
    out = run("steps", rows)
    assert out[0]["first_error"] == 2 and out[0]["final_answer"] == {"equivalent": False}
    assert "15" in out[0]["steps"][2]["detail"]  # type: ignore[index]
    assert out[1]["first_error"] == 2 and "35" in out[1]["steps"][2]["detail"]  # type: ignore[index]
    assert out[2] == {"id": "bad", "error": "answer_key, problem and reference must be strings"}


def test_a_last_sentence_full_of_numbers_gives_a_bounded_number_of_readings() -> None:
    found = final_answers(["So " + " + ".join(str(n) for n in range(1, 500)) + " = 124750."])
    assert found is not None and len(found[1]) == 8 and found[1][0] == "124750"


@given(
    steps=st.lists(st.text(max_size=80), max_size=4),
    problem=st.text(max_size=80),
    key=st.text(max_size=20),
)
def test_random_text_never_crashes_the_location(steps: list[str], problem: str, key: str) -> None:
    """Any text, Unicode digits included, gives a departure inside the steps or none."""
    found = first_departure(steps, problem, key)
    assert found is None or (0 <= found.index < len(steps) and found.number in steps[found.index])
    answer = final_answers(steps)
    assert answer is None or (0 <= answer[0] < len(steps) and len(answer[1]) <= 8)


@pytest.mark.parametrize(
    ("steps", "key"),
    [
        (["x^2 = 1/4", "x = 1/2"], "1/2"),  # a fraction is one reading, not 1 and 2
        (["So x = -3/2."], "-3/2"),
        ([r"So \(x = \frac{3}{4}\)."], "3/4"),
    ],
)
def test_unboxed_fractions_are_read_whole(steps: list[str], key: str) -> None:
    solution = check_solution(steps, problem="Solve it.", answer_key=key)
    assert solution.equivalent is True and solution.first_error == -1


def test_an_answer_in_words_is_undecided_not_wrong() -> None:
    steps = ["She sold 48 / 2 = 24 in May.", "So she sold seventy-two clips."]
    solution = check_solution(steps, problem="48 in April, half as many in May.", answer_key="72")
    assert solution.equivalent is None and solution.first_error == -1


@pytest.mark.parametrize("header", ["**Step 1:**", "**Step 1**:", "- Step 1:", "### Step 1:"])
def test_markdown_step_headers_are_not_numbers(header: str) -> None:
    found = first_departure(
        [f"{header} Janet has 16 eggs.", "She sells 16 - 3 = 13."], "16 eggs, 3 eaten.", "9"
    )
    assert found is not None and (found.index, found.number) == (1, "13")


@pytest.mark.parametrize("row", [{"source": "student"}, {"problem": ""}])
def test_without_a_model_solution_and_its_problem_only_the_answer_step_is_marked(
    row: dict[str, str],
) -> None:
    """A student's lines, or a solution with no problem text, get no located step: only the
    step stating the wrong final answer is marked."""
    args = {"problem": HOBBIES, "source": "model", **row}
    solution = check_solution(LEFT_OUT, answer_key="25", **args)  # type: ignore[arg-type]
    assert solution.equivalent is False and solution.first_error == 3
    assert solution.steps[3].detail == "The final answer 35 does not match the answer key."


@pytest.mark.parametrize(
    ("last", "key", "shown", "equivalent"),
    [
        ("So x = 1 or x = -3.", "x=1 or x=-3", "x = 1 or x = -3", True),
        ("The interval is \\((1, 3]\\).", "1 < x <= 3", "(1, 3]", True),
        ("So the answer is **C**.", "C", "C", True),
        ("Hence y = 2x + 1.", "x = (y - 1)/2", "y = 2x + 1", True),
        ("So the answer is 5.", "5", "5", True),
        ("So x = 1 or x = 3.", "{1, -3}", "x = 1 or x = 3", False),
        ("Thus she earns $7455.", "7425", "$7455", False),
        ("So he has 5 apples left.", "6", "5", False),
    ],
)
def test_the_final_answer_is_compared_whole_when_it_ends_the_sentence(
    last: str, key: str, shown: str, equivalent: bool
) -> None:
    """Sets, intervals, equations and letters that end the last sentence are compared whole;
    plain numbers are still read one by one."""
    final = check_final_answer(["Some work.", last], key)
    assert final is not None and final.index == 1
    assert (final.answer, final.result.equivalent) == (shown, equivalent)


def test_no_key_or_no_number_gives_no_final_answer() -> None:
    assert check_final_answer(["So x = 5."], "  ") is None
    assert check_final_answer(["It is done."], "5") is None


_PIECES = ["x", " ", "=", "1", "-3", "0.25", "1/2", "7,455", "%", "$", "or", "and", "So", "is"]
_PIECES += ["\\(", "\\)", "\\boxed{", "{", "}", "(", "]", ",", ".", "**", "^", "sqrt"]
_MATHY = st.lists(st.sampled_from(_PIECES), max_size=25).map("".join)


@given(
    steps=st.lists(st.one_of(_MATHY, st.text(max_size=80)), max_size=3),
    key=st.one_of(_MATHY, st.text(max_size=20)),
    problem=st.sampled_from(["", "How many cents?"]),
)
def test_random_text_never_crashes_the_final_answer_check(
    steps: list[str], key: str, problem: str
) -> None:
    """Any text gives no final answer, or one stated in the steps with a clear comparison."""
    final = check_final_answer(steps, key, problem=problem)
    assert final is None or (
        0 <= final.index < len(steps)
        and final.result.equivalent in (True, False, None)
        and isinstance(final.result.detail, str)
    )
