"""The problem a student sees: the problem itself, or their own variant of a template.

A variant is worked out from the template, the student and the variant's number each time it
is needed (a few milliseconds in the checker's pool), so nothing derived is stored that could
go stale when the teacher edits the template.
"""

from __future__ import annotations

from dataclasses import dataclass

from tutor.models import Attempt, Problem, User

PREVIEWS = 3


@dataclass(frozen=True)
class ShownProblem:
    statement: str
    answer_key: str
    variant: int  # 0 for a problem that is not a template
    problem: str = ""  # why the variant could not be made, for the page; "" when it was


def _made(problem: Problem, seed: int) -> ShownProblem | str:
    from tutor.checker import TemplateError, make_variants

    try:
        (made,) = make_variants(problem.parameters, problem.statement, problem.answer_key, [seed])
    except TemplateError as exc:
        return str(exc)
    return ShownProblem(made.statement, made.key, 0)


def shown_problem(
    *, problem: Problem, student: User, attempt: Attempt | None = None
) -> ShownProblem:
    """The statement and key this student works: their variant when the problem has
    parameters, else the problem's own."""
    if not problem.parameters.strip():
        return ShownProblem(problem.statement, problem.answer_key, 0)
    from tutor.checker import seed_for

    if attempt is None:
        attempt = problem.attempts.filter(student=student).first()
    number = attempt.variant if attempt is not None else 0
    made = _made(problem, seed_for(problem.pk, student.pk, number))
    if isinstance(made, str):
        return ShownProblem(problem.statement, problem.answer_key, number, problem=made)
    return ShownProblem(made.statement, made.answer_key, number)


def previews(*, parameters: str, statement: str, answer_key: str) -> list[ShownProblem]:
    """Three variants of a template as the editor shows them; TemplateError if it cannot."""
    from tutor.checker import make_variants, seed_for

    made = make_variants(
        parameters, statement, answer_key, [seed_for("preview", n) for n in range(PREVIEWS)]
    )
    return [ShownProblem(v.statement, v.key, n + 1) for n, v in enumerate(made)]
