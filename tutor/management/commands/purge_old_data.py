"""Delete tutoring data older than the retention window (property 21).

    manage.py purge_old_data [--days N] [--dry-run]

What goes: finished tutor turns (with their step verdicts), attempts (with their answer
history and verdicts) not touched within the window, sessions left with no turns, flags
resolved before the window, and skill mastery estimates not moved within it. What stays:
anything with an open flag, so a pending review never loses its evidence, and turns that are
still queued or running.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tutor.models import Attempt, Flag, NamedMisconception, SkillMastery, Turn, TutoringSession

DEFAULT_RETENTION_DAYS = 365


def retention_days() -> int:
    return int(getattr(settings, "RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def purge(*, before: datetime) -> Counter[str]:
    """Delete what is older than `before`; the counts of deleted rows by model name."""
    counts: Counter[str] = Counter()
    open_flags = Q(flags__status=Flag.Status.OPEN)

    def tally(result: tuple[int, dict[str, int]]) -> None:
        counts.update({label.split(".")[-1]: n for label, n in result[1].items() if n})

    tally(Flag.objects.filter(resolved_at__lt=before).exclude(status=Flag.Status.OPEN).delete())
    tally(
        Turn.objects.filter(queued_at__lt=before, status__in=Turn.FINISHED)
        .exclude(open_flags)
        .delete()
    )
    tally(Attempt.objects.filter(updated_at__lt=before).exclude(open_flags).delete())
    tally(TutoringSession.objects.filter(created_at__lt=before, turns__isnull=True).delete())
    # A mastery estimate is made from the answers just purged; one not moved within the window
    # goes with them (the student starts that skill from its prior again).
    tally(SkillMastery.objects.filter(updated_at__lt=before).delete())
    tally(NamedMisconception.objects.filter(created_at__lt=before).delete())
    return counts


class Command(BaseCommand):
    help = "Delete tutoring sessions, turns, verdicts, attempts and resolved flags past retention."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="default: RETENTION_DAYS")
        parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] if options["days"] is not None else retention_days()
        if days < 1:
            raise CommandError("--days must be at least 1.")
        before = timezone.now() - timedelta(days=days)
        # One transaction: a dry run is the real purge rolled back, so its counts are exact
        # (cascades included) and a failed purge leaves nothing half-deleted.
        with transaction.atomic():
            counts = purge(before=before)
            if options["dry_run"]:
                transaction.set_rollback(True)
        verb = "Would delete" if options["dry_run"] else "Deleted"
        self.stdout.write(
            f"{verb} data older than {days} days (before {before:%Y-%m-%d %H:%M} UTC):"
        )
        for name in (
            "TutoringSession",
            "Turn",
            "StepVerdict",
            "Attempt",
            "AnswerSubmission",
            "Flag",
            "FlagEvent",
            "SkillMastery",
            "NamedMisconception",
        ):
            self.stdout.write(f"  {name}: {counts.get(name, 0)}")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was deleted.")
