"""Writes to skill mastery: the update after each final answer, and refitting the parameters.

The math lives in tutor/mastery/bkt.py; this module only reads and writes the rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tutor.mastery import bkt
from tutor.models import AnswerSubmission, Problem, Skill, SkillMastery, User

MASTERED = bkt.MASTERED
# Below these, a skill keeps its default parameters: EM on a handful of answers fits noise.
MIN_FIT_ANSWERS = 200
MIN_FIT_STUDENTS = 20


def skill_params(skill: Skill) -> bkt.BKTParams:
    return bkt.BKTParams(prior=skill.prior, learn=skill.learn, guess=skill.guess, slip=skill.slip)


def mastery_record_answer(*, student: User, problem: Problem, correct: bool) -> list[SkillMastery]:
    """Move the student's mastery of each of the problem's skills by one answer.

    Called inside the transaction that records the answer, so the two commit together.
    """
    skills = {s.pk: s for s in problem.skills.all()}
    if not skills:
        return []
    # Rows are made first and then locked: two answers racing on one skill (two tabs, two
    # problems) update it one after the other instead of one overwriting the other.
    SkillMastery.objects.bulk_create(
        [SkillMastery(student=student, skill=s, p_known=s.prior) for s in skills.values()],
        ignore_conflicts=True,
    )
    rows = list(
        SkillMastery.objects.select_for_update()
        .filter(student=student, skill_id__in=skills)
        .order_by("skill_id")
    )
    for row in rows:
        row.p_known = bkt.update(row.p_known, correct, skill_params(skills[row.skill_id]))
        row.answers += 1
        row.updated_at = timezone.now()
    SkillMastery.objects.bulk_update(rows, ["p_known", "answers", "updated_at"])
    return rows


Sequences = dict[int, dict[int, list[bool]]]  # skill id -> student id -> answers, oldest first


def mastery_sequences() -> Sequences:
    """Every student's evidence on every skill, as the update counts it: each decided final
    answer to a problem up to and including its first right one."""
    rows = (
        AnswerSubmission.objects.filter(equivalent__isnull=False)
        .order_by("created_at", "id")
        .values_list("attempt_id", "attempt__student_id", "attempt__problem_id", "equivalent")
    )
    skills_of: dict[int, list[int]] = defaultdict(list)
    for problem_id, skill_id in Problem.skills.through.objects.values_list(
        "problem_id", "skill_id"
    ):
        skills_of[problem_id].append(skill_id)
    solved: set[int] = set()
    sequences: Sequences = defaultdict(lambda: defaultdict(list))
    for attempt_id, student_id, problem_id, equivalent in rows.iterator(chunk_size=5000):
        if attempt_id in solved:
            continue
        if equivalent:
            solved.add(attempt_id)
        for skill_id in skills_of.get(problem_id, ()):
            sequences[skill_id][student_id].append(bool(equivalent))
    return sequences


@dataclass(frozen=True)
class SkillFit:
    skill: Skill
    answers: int
    students: int
    fitted: bkt.FitResult | None  # None: too little data, the defaults stay


def mastery_fit(
    *, min_answers: int = MIN_FIT_ANSWERS, min_students: int = MIN_FIT_STUDENTS
) -> list[SkillFit]:
    """Fit each skill's parameters from the logged answers, then replay every student's
    answers with them, so each P(known) is what the new parameters give."""
    sequences = mastery_sequences()
    results = []
    for skill in Skill.objects.all():
        by_student = sequences.get(skill.pk, {})
        answers = sum(len(s) for s in by_student.values())
        if answers < min_answers or len(by_student) < min_students:
            results.append(SkillFit(skill, answers, len(by_student), None))
            continue
        fitted = bkt.fit(list(by_student.values()), start=bkt.DEFAULT_PARAMS)
        _save_fit(skill, fitted, by_student)
        results.append(SkillFit(skill, answers, len(by_student), fitted))
    return results


def _save_fit(skill: Skill, fitted: bkt.FitResult, by_student: dict[int, list[bool]]) -> None:
    params = fitted.params
    with transaction.atomic():
        skill.prior, skill.learn = params.prior, params.learn
        skill.guess, skill.slip = params.guess, params.slip
        skill.fitted_at, skill.fit_observations = timezone.now(), fitted.observations
        skill.save()
        rows = list(SkillMastery.objects.select_for_update().filter(skill=skill))
        for row in rows:
            answers = by_student.get(row.student_id)
            if answers:
                row.p_known, row.answers = bkt.trace(answers, params), len(answers)
        SkillMastery.objects.bulk_update(rows, ["p_known", "answers"])
