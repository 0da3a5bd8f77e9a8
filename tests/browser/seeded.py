"""A cast with something on every page: checked lines, answers, a finished tutor answer with
a disagreeing final answer, and flags. For tests that look at pages rather than build them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.conftest import Cast, LiveStack, session_cookie
from tutor.models import AnswerSubmission, Attempt, Flag, StepVerdict, Turn, User
from tutor.services.turns import session_for


@dataclass
class Seeded:
    cast: Cast
    turn: Turn
    flag: Flag


def seed(cast: Cast) -> Seeded:
    """Alice's work on both problems, a done demo answer on the word problem, two flags."""
    attempt = Attempt.objects.create(
        student=cast.alice,
        problem=cast.problem,
        steps=["3x + 5 = 20", "3x = 16"],
        final_answer="x = 6",
        status=Attempt.Status.INCORRECT,
        tries=1,
    )
    StepVerdict.objects.create(attempt=attempt, index=0, text="3x + 5 = 20", verdict="none")
    StepVerdict.objects.create(
        attempt=attempt, index=1, text="3x = 16", verdict="wrong", detail="20 - 5 is 15"
    )
    AnswerSubmission.objects.create(attempt=attempt, answer="x = 6", equivalent=False)
    session = session_for(student=cast.alice, problem=cast.word_problem)
    turn = session.turns.create(
        index=0,
        mode="solve",
        status="done",
        text="Half of 48 is 24.\nSo 48 - 24 = 25.\nThe answer is $\\boxed{25}$.",
        is_demo=True,
        final_answer="25",
        final_verdict=Turn.Final.DISAGREES,
    )
    StepVerdict.objects.create(turn=turn, index=0, text="Half of 48 is 24.", verdict="ok")
    wrong = StepVerdict.objects.create(
        turn=turn, index=1, text="So 48 - 24 = 25.", verdict="wrong", detail="48 - 24 is 24"
    )
    StepVerdict.objects.create(
        turn=turn, index=2, text="The answer is $\\boxed{25}$.", verdict="none"
    )
    flag = Flag.objects.create(
        kind=Flag.Kind.MODEL_STEP,
        reason="The checker marked step 2 wrong",
        problem=cast.word_problem,
        turn=turn,
        step=wrong,
    )
    Flag.objects.create(
        kind=Flag.Kind.DISPUTE,
        reason="I think this is right",
        problem=cast.problem,
        attempt=attempt,
    )
    return Seeded(cast, turn, flag)


def page_as(browser: Any, stack: LiveStack, user: User | None, viewport: dict[str, int]) -> Any:
    """A new page in its own context, logged in as ``user`` (None: logged out), with axe."""
    from tests.browser import axe

    context = browser.new_context(viewport=viewport, base_url=stack.url)
    if user is not None:
        context.add_cookies(
            [{"name": "sessionid", "value": session_cookie(user), "url": stack.url}]
        )
    context.set_default_timeout(20_000)
    axe.install(context)
    return context.new_page()
