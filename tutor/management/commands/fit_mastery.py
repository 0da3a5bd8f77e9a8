"""Fit each skill's knowledge-tracing parameters from the logged final answers.

    manage.py fit_mastery [--min-answers N] [--min-students N]

A skill with fewer answers or students than the minimums keeps its parameters (the defaults
until a first fit). A fitted skill's students have their mastery replayed with the new
parameters. Run it nightly, or after a class finishes a set.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tutor.services.mastery import MIN_FIT_ANSWERS, MIN_FIT_STUDENTS, mastery_fit


class Command(BaseCommand):
    help = "Fit per-skill Bayesian knowledge tracing parameters from logged answers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--min-answers", type=int, default=MIN_FIT_ANSWERS)
        parser.add_argument("--min-students", type=int, default=MIN_FIT_STUDENTS)

    def handle(self, *args: Any, **options: Any) -> None:
        results = mastery_fit(
            min_answers=options["min_answers"], min_students=options["min_students"]
        )
        for result in results:
            name = result.skill.name
            if result.fitted is None:
                self.stdout.write(
                    f"{name}: kept its parameters ({result.answers} answers from "
                    f"{result.students} students is too little to fit)"
                )
                continue
            p = result.fitted.params
            self.stdout.write(
                f"{name}: prior {p.prior:.3f}, learn {p.learn:.3f}, guess {p.guess:.3f}, "
                f"slip {p.slip:.3f} from {result.answers} answers of {result.students} "
                f"students ({result.fitted.iterations} EM iterations)"
            )
        if not results:
            self.stdout.write("No skills yet.")
