"""Reads of a student's own mastery: the dashboard's skill bars and the next suggested problem.

Every read is keyed on the student's own user; nothing here takes an id from a request.
"""

from __future__ import annotations

from dataclasses import dataclass

from tutor.mastery.bkt import MASTERED
from tutor.models import Attempt, Problem, Skill, SkillMastery, User
from tutor.selectors import problems_for_student


@dataclass(frozen=True)
class SkillLevel:
    skill: Skill
    p_known: float
    answers: int

    @property
    def percent(self) -> int:
        return round(self.p_known * 100)

    @property
    def mastered(self) -> bool:
        return self.p_known >= MASTERED


def _levels(student: User, skills: list[Skill]) -> dict[int, SkillLevel]:
    rows = {m.skill_id: m for m in SkillMastery.objects.filter(student=student, skill__in=skills)}
    return {
        s.pk: SkillLevel(s, rows[s.pk].p_known, rows[s.pk].answers)
        if s.pk in rows
        else SkillLevel(s, s.prior, 0)
        for s in skills
    }


def student_skills(*, student: User) -> list[SkillLevel]:
    """The skills of every problem assigned to the student, with P(known): the skill's prior
    until the student's first answer on it."""
    skills = list(
        Skill.objects.filter(problems__in=problems_for_student(student=student)).distinct()
    )
    return sorted(_levels(student, skills).values(), key=lambda level: level.skill.name)


def problem_skill_levels(*, student: User, problem: Problem) -> list[SkillLevel]:
    """The student's mastery of this problem's skills, shown beside it."""
    skills = list(problem.skills.all())
    levels = _levels(student, skills)
    return [levels[s.pk] for s in skills]


@dataclass(frozen=True)
class Suggestion:
    problem: Problem
    number: int  # 1-based, as the set's page numbers it
    weakest: SkillLevel | None


def next_unmastered_problem(*, student: User, problem: Problem) -> Suggestion | None:
    """The next problem in the set, after this one and then from the start, that the student
    has not solved and that practises a skill not yet mastered (or carries no skill)."""
    problems = list(problem.problem_set.problems.prefetch_related("skills"))
    solved = set(
        Attempt.objects.filter(
            student=student, problem__in=problems, status=Attempt.Status.CORRECT
        ).values_list("problem_id", flat=True)
    )
    skills = list({s.pk: s for p in problems for s in p.skills.all()}.values())
    levels = _levels(student, skills)
    here = next(i for i, p in enumerate(problems) if p.pk == problem.pk)
    for offset in range(1, len(problems)):
        index = (here + offset) % len(problems)
        candidate = problems[index]
        if candidate.pk in solved:
            continue
        open_levels = [levels[s.pk] for s in candidate.skills.all() if not levels[s.pk].mastered]
        if open_levels or not candidate.skills.all():
            weakest = min(open_levels, key=lambda level: level.p_known, default=None)
            return Suggestion(candidate, index + 1, weakest)
    return None
