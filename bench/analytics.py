"""The class analytics page on a big class: 200 students x 50 problems x 20 lines each.

    .venv/bin/python bench/analytics.py [--students 200] [--problems 50] [--lines 20]
        [--runs 15] [--postgres postgres://postgres@127.0.0.1:5432] [--redis-url URL]

It builds a throwaway PostgreSQL database (created and dropped here), fills it with one
teacher's class, a set of --problems problems over five skills, and for every student and
problem an attempt of --lines checked lines (about one in ten wrong, most of those with a
named misconception), one to three final answers, hints on about a third of the problems,
and mastery rows. Then it asks for the pages in process, through the whole middleware
stack and the templates, and prints one table: server time (median and slowest of --runs)
and the query count, against the progress grid of the same assignment as the baseline.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.load.run import _admin_sql, _postgres_server  # noqa: E402

RULES = [
    "sign_error_moving_term",
    "square_of_sum",
    "dropped_negative",
    "distribute_first_term_only",
    "add_fractions_across",
    "cancel_across_plus",
]
SKILLS = ["linear equations", "expansion", "quadratics", "fractions", "exponents"]


def _setup(database_url: str, redis_url: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "tutor.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DEBUG": "0",
            # Production settings refuse to start without a key; a throwaway one per run.
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SECURE_COOKIES": "0",
        }
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _fill(students: int, problems: int, lines: int, seed: int) -> int:
    """The class, its work and its hints; returns the assignment's id."""
    from django.db import connection
    from django.utils import timezone

    from tutor.models import (
        AnswerSubmission,
        Assignment,
        Attempt,
        Classroom,
        Enrolment,
        NamedMisconception,
        Problem,
        ProblemSet,
        Skill,
        SkillMastery,
        StepVerdict,
        Turn,
        TutoringSession,
        User,
    )

    rng = random.Random(seed)
    teacher = User.objects.create_user("teacher", password="x", role=User.Role.TEACHER)
    classroom = Classroom.objects.create(teacher=teacher, name="Bench class")
    pupils = User.objects.bulk_create(
        User(username=f"student{i:03}", first_name=f"S{i:03}") for i in range(students)
    )
    Enrolment.objects.bulk_create(Enrolment(classroom=classroom, student=s) for s in pupils)
    problem_set = ProblemSet.objects.create(owner=teacher, title="Bench set")
    items = Problem.objects.bulk_create(
        Problem(problem_set=problem_set, position=i, statement=f"Problem {i}", answer_key="1")
        for i in range(problems)
    )
    skills = Skill.objects.bulk_create(Skill(name=n, slug=n.replace(" ", "-")) for n in SKILLS)
    Problem.skills.through.objects.bulk_create(
        Problem.skills.through(problem_id=p.pk, skill_id=skills[i % len(skills)].pk)
        for i, p in enumerate(items)
    )
    assignment = Assignment.objects.create(
        problem_set=problem_set, classroom=classroom, due_at=timezone.now() + timedelta(days=7)
    )
    attempts = Attempt.objects.bulk_create(
        (Attempt(student=s, problem=p, tries=rng.randint(1, 3)) for s in pupils for p in items),
        batch_size=5000,
    )
    verdicts, answers, named = [], [], []
    for attempt in attempts:
        for index in range(lines):
            wrong = rng.random() < 0.1
            verdicts.append(
                StepVerdict(
                    attempt_id=attempt.pk,
                    index=index,
                    text=f"line {index}",
                    verdict="wrong" if wrong else "ok",
                    rule=rng.choice(RULES) if wrong and rng.random() < 0.7 else "",
                )
            )
            if verdicts[-1].rule:
                named.append(
                    NamedMisconception(
                        student_id=attempt.student_id,
                        problem_id=attempt.problem_id,
                        rule=verdicts[-1].rule,
                        line=f"line {index}",
                        line_hash=f"{index:064}",
                    )
                )
        for n in range(attempt.tries):
            right = n == attempt.tries - 1 and rng.random() < 0.8
            answers.append(AnswerSubmission(attempt_id=attempt.pk, answer="1", equivalent=right))
    StepVerdict.objects.bulk_create(verdicts, batch_size=5000)
    NamedMisconception.objects.bulk_create(named, batch_size=5000)
    AnswerSubmission.objects.bulk_create(answers, batch_size=5000)
    pairs = [(s, p) for s in pupils for p in items if rng.random() < 0.33]
    sessions = TutoringSession.objects.bulk_create(
        (TutoringSession(student=s, problem=p) for s, p in pairs), batch_size=5000
    )
    Turn.objects.bulk_create(
        (
            Turn(session=session, index=i, mode="hint", hint_rung=i + 1, status="done")
            for session in sessions
            for i in range(rng.randint(1, 3))
        ),
        batch_size=5000,
    )
    SkillMastery.objects.bulk_create(
        SkillMastery(student=s, skill=k, p_known=rng.random(), answers=10)
        for s in pupils
        for k in skills
    )
    with connection.cursor() as cursor:
        # Time spent: the stamps are set on save; spread them as a class's would be.
        cursor.execute(
            "UPDATE tutor_attempt SET updated_at = started_at + random() * interval '30 minutes'"
        )
        cursor.execute(
            "UPDATE tutor_attempt SET status = 'correct', score = 1 WHERE id IN "
            "(SELECT attempt_id FROM tutor_answersubmission WHERE equivalent)"
        )
        cursor.execute("ANALYZE")
    return assignment.pk


def _measure(get: Callable[[], int], runs: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    get()  # warm: templates compiled, connection open
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        status = get()
        times.append((time.perf_counter() - started) * 1000)
        assert status == 200, status
    with CaptureQueriesContext(connection) as queries:
        get()
    return statistics.median(times), max(times), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--problems", type=int, default=50)
    parser.add_argument("--lines", type=int, default=20)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--postgres", default=_postgres_server())
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    args = parser.parse_args()

    name = f"stepwise_bench_analytics_{secrets.token_hex(4)}"
    _admin_sql(args.postgres, f"CREATE DATABASE {name}")
    try:
        _setup(f"{args.postgres}/{name}", args.redis_url)
        started = time.perf_counter()
        assignment_id = _fill(args.students, args.problems, args.lines, seed=1)
        filled = time.perf_counter() - started
        _report(args, assignment_id, filled)
    finally:
        from django.db import connections

        connections.close_all()
        _admin_sql(args.postgres, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _report(args: argparse.Namespace, assignment_id: int, filled: float) -> None:
    from django.test import Client

    from tutor.analytics import class_analytics
    from tutor.models import Assignment, StepVerdict, User

    client = Client()
    client.force_login(User.objects.get(username="teacher"))
    base = f"/teach/assignments/{assignment_id}/"
    assignment = Assignment.objects.select_related("problem_set", "classroom").get(pk=assignment_id)

    def selector() -> int:
        class_analytics(assignment=assignment)
        return 200

    rows = [
        ("progress grid (baseline)", lambda: client.get(base).status_code),
        ("analytics page", lambda: client.get(f"{base}analytics/").status_code),
        ("analytics reads only", selector),
        (
            "analytics CSV (misconceptions)",
            lambda: client.get(f"{base}analytics.csv?table=misconceptions").status_code,
        ),
    ]
    results = [(what, *_measure(get, args.runs)) for what, get in rows]
    baseline = results[0][1]
    print(
        f"{args.students} students x {args.problems} problems x {args.lines} lines: "
        f"{StepVerdict.objects.count():,} step verdicts (filled in {filled:.0f} s); "
        f"{args.runs} runs each"
    )
    print(f"| {'what':32} | median ms | slowest ms | queries | vs baseline |")
    print(f"|{'-' * 34}|-----------|------------|---------|-------------|")
    for what, median, slowest, queries in results:
        print(
            f"| {what:32} | {median:9.1f} | {slowest:10.1f} | {queries:7} | "
            f"{median / baseline:10.2f}x |"
        )


if __name__ == "__main__":
    main()
