"""The tutor's final answer goes to review only when it is proven to miss the key.

The live stream reads the answer as the checker's evaluation does (see
``tutor.checker.check_final_answer``), so what the evaluation measured is what reviewers get.
"""

from __future__ import annotations

import pytest

from tests.conftest import Cast
from tutor.models import Flag, Problem
from tutor.selectors import turn_inputs
from tutor.services import turn_runs, turns
from tutor.worker.turn_stream import TurnStream


@pytest.mark.parametrize(
    ("key", "steps", "shown"),
    [
        ("5", ["Subtract 5 from both sides.", "So the answer is 5."], None),
        ("x = 1 or x = -3", ["Factor: (x - 1)(x + 3) = 0.", "So x = 1 or x = -3."], None),
        ("{1, -3}", ["The solutions are x = 1 and x = -3."], None),
        ("(1, 3]", ["So the interval is (1, 3]."], None),
        ("24", ["Half of 48 is 24.", "So 24 muffins are left."], None),
        ("24", ["Half of 48 is 25.", "So 25 muffins are left."], "25"),
        ("24", ["So \\(\\boxed{26}\\)."], "26"),
        ("x = 1 or x = -3", ["So x = 1 or x = 3."], "x = 1 or x = 3"),
    ],
)
def test_the_final_answer_is_read_as_the_checker_reads_it(
    cast: Cast, key: str, steps: list[str], shown: str | None
) -> None:
    problem = Problem.objects.create(
        problem_set=cast.problem_set, position=5, statement="A problem.", answer_key=key
    )
    session = turns.session_for(student=cast.alice, problem=problem)
    turn = turns.turn_request(session=session, mode="solve")
    started = turn_runs.turn_start(turn_id=turn.pk, model_name="scripted", is_demo=True)
    assert started is not None
    stream = TurnStream(turn=started, inputs=turn_inputs(turn=started))
    stream.answer_steps = list(enumerate(steps))
    final = stream._check_final_answer()
    assert final is not None
    stream._record_final(final)
    flags = Flag.objects.filter(turn=turn, kind=Flag.Kind.ANSWER_MISMATCH)
    assert flags.exists() is (shown is not None)
    if shown is not None:
        assert flags.get().reason.startswith(f"The tutor answered {shown!r}; the key says")
