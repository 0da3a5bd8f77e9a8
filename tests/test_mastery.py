"""Mastery per student and skill: moved by final answers, shown on the dashboard, refitted."""

from __future__ import annotations

import random
from io import StringIO

import pytest
from django.core.management import call_command

from tests.conftest import Cast, Login
from tutor.models import AnswerSubmission, Attempt, Problem, Skill, SkillMastery, User
from tutor.services import attempts
from tutor.services.mastery import mastery_fit
from tutor.services.skills import problem_skills_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def linear(cast: Cast) -> Skill:
    """The first problem practises linear equations; the word problem carries no skill."""
    [skill] = problem_skills_set(problem=cast.problem, names=["linear equations"])
    return skill


def _mastery(student: User, skill: Skill) -> SkillMastery:
    return SkillMastery.objects.get(student=student, skill=skill)


def test_a_wrong_then_a_right_answer_move_mastery_as_bkt_says(cast: Cast, linear: Skill) -> None:
    """From the 30% prior: wrong gives 19.3%, then right gives 59.1% (hand-computed)."""
    attempts.attempt_submit_answer(student=cast.alice, problem=cast.problem, answer="x = 4")
    assert _mastery(cast.alice, linear).p_known == pytest.approx(0.193220, abs=1e-6)
    attempts.attempt_submit_answer(student=cast.alice, problem=cast.problem, answer="x = 5")
    # 0.193220*0.9 / (0.193220*0.9 + 0.806780*0.2) = 0.518706; + 0.481294*0.15 = 0.590900
    row = _mastery(cast.alice, linear)
    assert row.p_known == pytest.approx(0.590900, abs=1e-6) and row.answers == 2


def test_answering_a_solved_problem_again_is_no_new_evidence(cast: Cast, linear: Skill) -> None:
    """A second right answer to a solved problem leaves mastery where it was."""
    attempts.attempt_submit_answer(student=cast.alice, problem=cast.problem, answer="x = 5")
    before = _mastery(cast.alice, linear).p_known
    attempts.attempt_submit_answer(student=cast.alice, problem=cast.problem, answer="5")
    assert _mastery(cast.alice, linear).p_known == before
    assert not SkillMastery.objects.filter(student=cast.bob).exists()


def test_the_dashboard_shows_each_skill_with_a_bar_and_a_percentage(
    cast: Cast, linear: Skill, login: Login
) -> None:
    """Alice sees 'linear equations' at 71% after one right answer, as a bar and as text."""
    attempts.attempt_submit_answer(student=cast.alice, problem=cast.problem, answer="x = 5")
    page = login(cast.alice).get("/").content.decode()
    assert "Your skills" in page and "linear equations" in page
    assert '<progress id="home-skill-' in page and 'value="71"' in page
    assert "71%" in page and 'aria-label="linear equations: 71% mastered"' in page
    assert "30% · not practised yet" in login(cast.bob).get("/").content.decode()


def test_a_right_answer_suggests_the_next_unmastered_problem(
    cast: Cast, linear: Skill, login: Login
) -> None:
    """After solving problem 1, the page points to problem 3 (linear equations, not yet
    mastered), skipping problem 2, already solved."""
    third = Problem.objects.create(
        problem_set=cast.problem_set, position=2, statement="Solve $2x = 8$.", answer_key="x = 4"
    )
    problem_skills_set(problem=third, names=["linear equations"])
    Attempt.objects.create(
        student=cast.alice, problem=cast.word_problem, status=Attempt.Status.CORRECT, score=1
    )
    attempts.attempt_submit_answer(student=cast.alice, problem=cast.problem, answer="x = 5")
    page = login(cast.alice).get(f"/problems/{cast.problem.pk}/").content.decode()
    assert f'Next step: <a href="/problems/{third.pk}/">Problem 3</a>' in page
    assert "to practise linear equations (71% mastered)" in page


def test_no_suggestion_before_a_right_answer(cast: Cast, linear: Skill, login: Login) -> None:
    """A wrong answer shows no next step."""
    attempts.attempt_submit_answer(student=cast.alice, problem=cast.problem, answer="x = 4")
    page = login(cast.alice).get(f"/problems/{cast.problem.pk}/").content.decode()
    assert "Next step" not in page


def _log_class(cast: Cast, skill: Skill, students: int, answers: int) -> None:
    """A simulated class's logged answers on the skill: prior 0.4, learn 0.2, guess 0.25,
    slip 0.1. Each answer is a problem of its own, solved or not."""
    rng = random.Random(11)
    problems = Problem.objects.bulk_create(
        Problem(problem_set=cast.problem_set, position=10 + i, statement=f"P{i}", answer_key="1")
        for i in range(answers)
    )
    for problem in problems:
        problem.skills.add(skill)
    users = User.objects.bulk_create(User(username=f"sim{i}") for i in range(students))
    rows = []
    for user in users:
        known = rng.random() < 0.4
        for problem in problems:
            right = rng.random() < (0.9 if known else 0.25)
            rows.append((Attempt(student=user, problem=problem), right))
            known = known or rng.random() < 0.2
    Attempt.objects.bulk_create([a for a, _ in rows])
    AnswerSubmission.objects.bulk_create(
        AnswerSubmission(attempt=a, answer="1", equivalent=right) for a, right in rows
    )


def test_fit_mastery_recovers_a_simulated_class_and_replays_mastery(
    cast: Cast, linear: Skill
) -> None:
    """400 simulated students x 12 answers: the command's fit lands near the truth, and
    each student's stored mastery is replayed with the fitted parameters."""
    _log_class(cast, linear, students=400, answers=12)
    SkillMastery.objects.create(student=User.objects.get(username="sim0"), skill=linear, p_known=0)
    out = StringIO()
    call_command("fit_mastery", stdout=out)
    linear.refresh_from_db()
    assert linear.prior == pytest.approx(0.4, abs=0.07)
    assert linear.learn == pytest.approx(0.2, abs=0.07)
    assert linear.guess == pytest.approx(0.25, abs=0.07)
    assert linear.slip == pytest.approx(0.1, abs=0.07)
    assert linear.fitted_at is not None and linear.fit_observations == 400 * 12
    assert "linear equations: prior" in out.getvalue()
    replayed = SkillMastery.objects.get(student__username="sim0", skill=linear)
    assert replayed.p_known > 0 and replayed.answers == 12


def test_too_few_answers_keep_the_defaults(cast: Cast, linear: Skill) -> None:
    """A skill with a handful of answers keeps prior 0.3, learn 0.15, guess 0.2, slip 0.1."""
    _log_class(cast, linear, students=5, answers=3)
    [result] = mastery_fit()
    linear.refresh_from_db()
    assert result.fitted is None and linear.fitted_at is None
    assert (linear.prior, linear.learn, linear.guess, linear.slip) == (0.3, 0.15, 0.2, 0.1)


def test_the_student_export_holds_their_mastery(cast: Cast, linear: Skill) -> None:
    """export_student lists each skill's P(known) and the answers it rests on."""
    import json

    attempts.attempt_submit_answer(student=cast.alice, problem=cast.problem, answer="x = 5")
    out = StringIO()
    call_command("export_student", "alice", stdout=out)
    [row] = json.loads(out.getvalue())["mastery"]
    assert row["skill"] == "linear equations" and row["answers"] == 1
    assert row["p_known"] == pytest.approx(0.709756, abs=1e-6)


def test_the_purge_takes_mastery_not_moved_within_the_window(cast: Cast, linear: Skill) -> None:
    """A mastery estimate untouched for 400 days goes with the answers it came from."""
    from datetime import timedelta

    from django.utils import timezone

    old = SkillMastery.objects.create(student=cast.alice, skill=linear, p_known=0.8)
    SkillMastery.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=400))
    SkillMastery.objects.create(student=cast.bob, skill=linear, p_known=0.5)
    out = StringIO()
    call_command("purge_old_data", "--days", "365", stdout=out)
    assert "SkillMastery: 1" in out.getvalue()
    assert list(SkillMastery.objects.values_list("student__username", flat=True)) == ["bob"]
