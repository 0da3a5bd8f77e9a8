"""Delete one student and their data (property 21).

    manage.py delete_student USERNAME --yes

Goes with the student: the account, enrolments, attempts, answers, tutoring sessions, turns,
verdicts, the flags about their work, and the moderation flags their words raised. Disputes
they raised stay with the problem (a reviewer may still need to fix an answer key) but lose
every link to the student, and their words in them. Teachers and admins are refused: their
classes and problem sets belong to students too.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from lti_tool.models import LtiUser

from tutor import events
from tutor.management.commands.export_student import student_named
from tutor.models import Flag, FlagEvent, User

DELETED_NOTE = "(the student's account was deleted)"


def _anonymise_disputes(student: User) -> int:
    kept = Flag.objects.filter(raised_by=student).exclude(kind=Flag.Kind.MODERATION)
    n = 0
    for flag in kept:
        # Keep "Step 3:" so the reviewer still knows which step; drop the student's words.
        prefix = re.match(r"Step \d+:", flag.reason)
        flag.reason = f"{prefix.group(0) if prefix else 'Dispute:'} {DELETED_NOTE}"
        flag.raised_by = flag.attempt = flag.turn = flag.step = None
        flag.save(update_fields=["reason", "raised_by", "attempt", "turn", "step"])
        n += 1
    FlagEvent.objects.filter(actor=student).update(actor=None, note=DELETED_NOTE)
    return n


def delete_student(student: User) -> Counter[str]:
    with transaction.atomic():
        kept = _anonymise_disputes(student)
        counts: Counter[str] = Counter()
        for result in (
            Flag.objects.filter(raised_by=student, kind=Flag.Kind.MODERATION).delete(),
            # django-lti's record of who they are in the LMS (its link would only be nulled).
            LtiUser.objects.filter(auth_user=student).delete(),
            student.delete(),
        ):
            counts.update({k.split(".")[-1]: n for k, n in result[1].items() if n})
        counts["disputes kept without the student"] = kept
    return counts


class Command(BaseCommand):
    help = "Delete a student and all their data. Refuses teachers and admins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--yes", action="store_true", help="really delete")

    def handle(self, *args: Any, **options: Any) -> None:
        student = student_named(options["username"])
        if not options["yes"]:
            raise CommandError("This deletes the student and all their work. Add --yes.")
        student_id = student.pk  # delete() sets pk to None
        counts = delete_student(student)
        # The delete told the open sockets of the student and their teachers (tutor.signals);
        # the publisher sends from a background thread that dies with this process.
        events.flush()
        self.stdout.write(f"Deleted student {student_id}:")
        for name, n in sorted(counts.items()):
            self.stdout.write(f"  {name}: {n}")
