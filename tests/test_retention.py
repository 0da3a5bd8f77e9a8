"""Property 21: old data is purged on a schedule; one student's data can be exported or deleted."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.conftest import Cast
from tutor.models import (
    AnswerSubmission,
    Attempt,
    Flag,
    FlagEvent,
    StepVerdict,
    Turn,
    TutoringSession,
    User,
)
from tutor.services.flags import flag_dispute, flag_resolve
from tutor.services.moderation import moderate_student_text
from tutor.services.turns import session_for


@dataclass
class Work:
    attempt: Attempt
    session: TutoringSession
    turn: Turn
    dispute: Flag
    moderation: Flag


def _work(cast: Cast, student: User, *, tag: str) -> Work:
    """A student's attempt, answer, tutor turn, verdicts, a dispute and a moderation flag."""
    attempt = Attempt.objects.create(
        student=student, problem=cast.problem, steps=[f"3x = 15 {tag}"], final_answer="x = 5"
    )
    AnswerSubmission.objects.create(attempt=attempt, answer="x = 5", equivalent=True)
    StepVerdict.objects.create(attempt=attempt, index=0, text="3x = 15", verdict="ok")
    session = session_for(student=student, problem=cast.problem)
    turn = session.turns.create(
        index=0, mode="followup", question=f"why {tag}?", status="done", text="because"
    )
    StepVerdict.objects.create(turn=turn, index=0, text="because", verdict="none")
    dispute = flag_dispute(user=student, index=0, reason=f"I am sure {tag}", attempt=attempt)
    moderation = moderate_student_text(
        student=student, problem=cast.problem, text=f"email me {tag}@example.com", turn=turn
    )
    assert moderation is not None
    return Work(attempt, session, turn, dispute, moderation)


def _age(work: Work, days: int) -> None:
    then = timezone.now() - timedelta(days=days)
    Attempt.objects.filter(pk=work.attempt.pk).update(updated_at=then, started_at=then)
    TutoringSession.objects.filter(pk=work.session.pk).update(created_at=then)
    Turn.objects.filter(pk=work.turn.pk).update(queued_at=then)


def _resolve(flag: Flag, admin: User, days_ago: int) -> None:
    flag_resolve(flag=flag, reviewer=admin, action="dismiss", note="ok")
    Flag.objects.filter(pk=flag.pk).update(resolved_at=timezone.now() - timedelta(days=days_ago))


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_it_purges_only_data_older_than_the_window(cast: Cast) -> None:
    """Old, reviewed work goes; recent work and anything under open review stays."""
    old = _work(cast, cast.alice, tag="a")
    _work(cast, cast.bob, tag="b")  # recent: must survive
    _age(old, 400)
    for flag in (old.dispute, old.moderation):
        _resolve(flag, cast.admin, days_ago=400)
    out = _run("purge_old_data", "--days", "365")
    assert "Turn: 1" in out and "Attempt: 1" in out and "TutoringSession: 1" in out
    assert "StepVerdict: 2" in out and "Flag: 2" in out
    assert not Attempt.objects.filter(student=cast.alice).exists()
    assert not TutoringSession.objects.filter(student=cast.alice).exists()
    # Bob's recent work is untouched, every row of it.
    assert Attempt.objects.filter(student=cast.bob).count() == 1
    assert Turn.objects.filter(session__student=cast.bob).count() == 1
    assert StepVerdict.objects.count() == 2
    assert Flag.objects.filter(raised_by=cast.bob).count() == 2


def test_it_keeps_old_work_under_open_review(cast: Cast) -> None:
    """An old attempt with an open flag is kept until the flag is resolved."""
    old = _work(cast, cast.alice, tag="a")
    _age(old, 400)
    _run("purge_old_data", "--days", "30")
    assert Attempt.objects.filter(pk=old.attempt.pk).exists()
    assert Turn.objects.filter(pk=old.turn.pk).exists()


def test_it_reads_the_retention_setting(cast: Cast, settings: object) -> None:
    """Without --days the RETENTION_DAYS setting decides, and a dry run deletes nothing."""
    old = _work(cast, cast.alice, tag="a")
    _age(old, 40)
    for flag in (old.dispute, old.moderation):
        _resolve(flag, cast.admin, days_ago=40)
    settings.RETENTION_DAYS = 30  # type: ignore[attr-defined]
    out = _run("purge_old_data", "--dry-run")
    assert "Would delete data older than 30 days" in out and "Attempt: 1" in out
    assert "Dry run" in out
    assert Attempt.objects.filter(pk=old.attempt.pk).exists()
    _run("purge_old_data")
    assert not Attempt.objects.filter(pk=old.attempt.pk).exists()
    settings.RETENTION_DAYS = 365  # type: ignore[attr-defined]
    assert "Attempt: 0" in _run("purge_old_data")


def test_it_exports_everything_about_one_student(cast: Cast) -> None:
    """The export holds the student's account and work, no password hash, nothing of others."""
    cast.alice.email = "alice@example.com"
    cast.alice.save()
    _work(cast, cast.alice, tag="alice-words")
    _work(cast, cast.bob, tag="bob-words")
    raw = _run("export_student", "alice")
    data = json.loads(raw)
    assert data["account"]["username"] == "alice"
    assert data["account"]["email"] == "alice@example.com"
    assert "password" not in data["account"] and cast.alice.password not in raw
    assert data["enrolments"][0]["classroom"] == "Period 3"
    assert data["attempts"][0]["steps"] == ["3x = 15 alice-words"]
    assert data["attempts"][0]["submissions"][0]["answer"] == "x = 5"
    assert data["attempts"][0]["verdicts"][0]["verdict"] == "ok"
    assert data["sessions"][0]["turns"][0]["question"] == "why alice-words?"
    assert data["sessions"][0]["turns"][0]["verdicts"][0]["text"] == "because"
    assert {f["kind"] for f in data["flags"]} == {"dispute", "moderation"}
    assert "bob" not in raw


def test_it_refuses_to_export_or_delete_staff(cast: Cast) -> None:
    """Teachers and admins are not handled by the per-student commands."""
    for name in ("teacher", "admin"):
        with pytest.raises(CommandError, match="not a student"):
            _run("delete_student", name, "--yes")
        with pytest.raises(CommandError, match="not a student"):
            _run("export_student", name)
    with pytest.raises(CommandError, match="No user"):
        _run("export_student", "nobody")
    assert User.objects.filter(username__in=["teacher", "admin"]).count() == 2


def test_it_asks_for_confirmation_before_deleting(cast: Cast) -> None:
    """Without --yes nothing is deleted."""
    with pytest.raises(CommandError, match="--yes"):
        _run("delete_student", "alice")
    assert User.objects.filter(username="alice").exists()


def test_it_deletes_one_student_and_nothing_else(cast: Cast) -> None:
    """The student and their work go; disputes stay on the problem, unlinked; Bob is untouched."""
    alice, bob = _work(cast, cast.alice, tag="alice-words"), _work(cast, cast.bob, tag="bob-words")
    before = {
        model.__name__: model.objects.count()
        for model in (Attempt, AnswerSubmission, StepVerdict, TutoringSession, Turn, Flag)
    }
    out = _run("delete_student", "alice", "--yes")
    assert "Deleted student" in out and "alice" not in out
    assert not User.objects.filter(username="alice").exists()
    assert not Attempt.objects.filter(pk=alice.attempt.pk).exists()
    assert not Turn.objects.filter(pk=alice.turn.pk).exists()
    assert not Flag.objects.filter(pk=alice.moderation.pk).exists()
    kept = Flag.objects.get(pk=alice.dispute.pk)
    assert kept.problem_id == cast.problem.pk
    assert kept.raised_by is None and kept.attempt is None and kept.step is None
    assert "alice-words" not in kept.reason and kept.reason.startswith("Step 1:")
    assert not FlagEvent.objects.filter(note__contains="alice-words").exists()
    # Bob: the same counts as before, minus exactly Alice's rows.
    assert Attempt.objects.count() == before["Attempt"] - 1
    assert AnswerSubmission.objects.count() == before["AnswerSubmission"] - 1
    assert StepVerdict.objects.count() == before["StepVerdict"] - 2
    assert TutoringSession.objects.count() == before["TutoringSession"] - 1
    assert Turn.objects.count() == before["Turn"] - 1
    assert Flag.objects.count() == before["Flag"] - 1
    assert Attempt.objects.get(pk=bob.attempt.pk).steps == ["3x = 15 bob-words"]
    assert Flag.objects.filter(raised_by=cast.bob).count() == 2
    assert cast.classroom.enrolments.filter(student=cast.bob).exists()
