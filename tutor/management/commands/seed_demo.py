"""Load the demo: a teacher, two students, an admin, a class, two problem sets, assignments."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from tutor.models import Assignment, Classroom, Enrolment, Problem, ProblemSet, User
from tutor.services.skills import problem_skills_set

DEMO_PASSWORD = "stepwise-demo"
DEMO_JOIN_CODE = "ALG3BRA7"

ALGEBRA = [
    ("Solve for $x$: $3x + 5 = 20$.", "x = 5", "linear equations"),
    ("Expand $(x + 3)^2$.", "x^2 + 6x + 9", "expansion"),
    ("Solve $x^2 - 5x + 6 = 0$.", "x = 2 or x = 3", "quadratics"),
    ("Simplify $\\frac{2}{3} + \\frac{1}{6}$.", "5/6", "fractions"),
]
WORD_PROBLEMS = [
    (
        "A baker makes 48 muffins and sells half of them in the morning. In the afternoon "
        "she sells 10 more. How many muffins are left?",
        "14",
        "arithmetic",
    ),
    (
        "A bike costs \\$240. It is on sale for 25% off. What is the sale price in dollars?",
        "180",
        "percentages",
    ),
    (
        "Sam reads 12 pages a day. How many days does he need to finish a 180-page book?",
        "15",
        "division",
    ),
]


def _user(username: str, role: str, first: str, last: str, **extra: Any) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"role": role, "first_name": first, "last_name": last, **extra}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _problem_set(owner: User, title: str, rows: list[tuple[str, str, str]]) -> ProblemSet:
    problem_set, created = ProblemSet.objects.get_or_create(owner=owner, title=title)
    if created:
        for position, (statement, key, topic) in enumerate(rows):
            problem = Problem.objects.create(
                problem_set=problem_set,
                position=position,
                statement=statement,
                answer_key=key,
                topic=topic,
            )
            problem_skills_set(problem=problem, names=[topic] if topic else [])
    return problem_set


class Command(BaseCommand):
    help = "Create the demo users, class, problem sets and assignments (idempotent)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        teacher = _user("teacher", User.Role.TEACHER, "Tess", "Ng")
        students = [
            _user("alice", User.Role.STUDENT, "Alice", "Moreau"),
            _user("bob", User.Role.STUDENT, "Bob", "Okafor"),
        ]
        _user("admin", User.Role.ADMIN, "Ada", "Review", is_staff=True, is_superuser=True)
        classroom, _ = Classroom.objects.get_or_create(
            teacher=teacher, name="Algebra 1 · Period 3", defaults={"join_code": DEMO_JOIN_CODE}
        )
        for student in students:
            Enrolment.objects.get_or_create(classroom=classroom, student=student)
        due = timezone.now() + timedelta(days=7)
        for title, rows in (("Algebra basics", ALGEBRA), ("Word problems", WORD_PROBLEMS)):
            problem_set = _problem_set(teacher, title, rows)
            Assignment.objects.get_or_create(
                problem_set=problem_set, classroom=classroom, defaults={"due_at": due}
            )
        self.stdout.write(
            f"Demo ready. Logins (password {DEMO_PASSWORD}): teacher, alice, bob, admin. "
            f"Class join code: {classroom.join_code}"
        )
