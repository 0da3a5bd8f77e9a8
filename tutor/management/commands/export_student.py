"""Everything Stepwise holds about one student, as JSON on stdout (property 21).

    manage.py export_student USERNAME > alice.json

The password hash is never exported. Other people appear only as ids and class names.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from lti_tool.models import LtiUser

from tutor.models import Attempt, Flag, TutoringSession, User


def _verdicts(verdicts: Any) -> list[dict[str, Any]]:
    return [
        {
            "index": v.index,
            "text": v.text,
            "verdict": v.verdict,
            "detail": v.detail,
            "created_at": v.created_at,
        }
        for v in verdicts
    ]


def export(student: User) -> dict[str, Any]:
    attempts = Attempt.objects.filter(student=student).prefetch_related("submissions", "verdicts")
    sessions = TutoringSession.objects.filter(student=student).prefetch_related("turns__verdicts")
    flags = Flag.objects.filter(
        Q(raised_by=student) | Q(attempt__student=student) | Q(turn__session__student=student)
    ).distinct()
    return {
        "account": {
            "id": student.pk,
            "username": student.username,
            "first_name": student.first_name,
            "last_name": student.last_name,
            "email": student.email,
            "role": student.role,
            "date_joined": student.date_joined,
            "last_login": student.last_login,
        },
        "enrolments": [
            {
                "classroom_id": e.classroom_id,
                "classroom": e.classroom.name,
                "joined_at": e.joined_at,
            }
            for e in student.enrolments.select_related("classroom")
        ],
        "attempts": [
            {
                "problem_id": a.problem_id,
                "steps": a.steps,
                "final_answer": a.final_answer,
                "status": a.status,
                "score": a.score,
                "tries": a.tries,
                "started_at": a.started_at,
                "updated_at": a.updated_at,
                "submissions": [
                    {
                        "answer": s.answer,
                        "equivalent": s.equivalent,
                        "detail": s.detail,
                        "created_at": s.created_at,
                    }
                    for s in a.submissions.all()
                ],
                "verdicts": _verdicts(a.verdicts.all()),
            }
            for a in attempts
        ],
        "sessions": [
            {
                "id": s.pk,
                "problem_id": s.problem_id,
                "created_at": s.created_at,
                "turns": [
                    {
                        "id": t.pk,
                        "index": t.index,
                        "mode": t.mode,
                        "question": t.question,
                        "status": t.status,
                        "text": t.text,
                        "error": t.error,
                        "queued_at": t.queued_at,
                        "finished_at": t.finished_at,
                        "verdicts": _verdicts(t.verdicts.all()),
                    }
                    for t in s.turns.all()
                ],
            }
            for s in sessions
        ],
        "flags": [
            {
                "id": f.pk,
                "kind": f.kind,
                "status": f.status,
                "reason": f.reason,
                "problem_id": f.problem_id,
                "raised_by_student": f.raised_by_id == student.pk,
                "created_at": f.created_at,
                "resolved_at": f.resolved_at,
                "resolution": f.resolution,
            }
            for f in flags
        ],
        # The estimates made from the student's answers are data about them too.
        "mastery": [
            {
                "skill": m.skill.name,
                "p_known": m.p_known,
                "answers": m.answers,
                "updated_at": m.updated_at,
            }
            for m in student.masteries.select_related("skill").order_by("skill__name")
        ],
        # Who they are in an LMS, and the scores Stepwise sent it (docs/lti.md).
        "lms": [
            {
                "platform": u.registration.issuer,
                "sub": u.sub,
                "given_name": u.given_name,
                "family_name": u.family_name,
                "name": u.name,
            }
            for u in LtiUser.objects.filter(auth_user=student).select_related("registration")
        ],
        "lms_grades": [
            {
                "assignment_id": g.link.assignment_id,
                "score": g.score,
                "maximum": g.maximum,
                "status": g.status,
                "updated_at": g.updated_at,
            }
            for g in student.lti_grades.select_related("link")
        ],
    }


def student_named(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user named {username!r}.")
    if user.role != User.Role.STUDENT or user.is_staff or user.is_superuser:
        raise CommandError(f"{username!r} is not a student; this command handles students only.")
    return user


class Command(BaseCommand):
    help = "Print all of one student's data as JSON (no password hash)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        data = export(student_named(options["username"]))
        self.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False))
