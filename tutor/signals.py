"""Access changes reach sockets that are already open.

Each change publishes "access.changed" to the users it concerns; their open sockets re-check
their permission (tutor.selectors.session_visible_to) and close with 4403 when it is gone.
Published once the transaction commits: a socket re-checking earlier would still see the old
rows, keep its access, and never be told again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tutor import events
from tutor.models import Assignment, Classroom, Enrolment, User


def _publish_on_commit(user_ids: list[int]) -> None:
    ids = sorted({pk for pk in user_ids if pk is not None})
    if ids:
        transaction.on_commit(lambda: events.publish_access_changed(ids))


def _teacher_of(classroom_id: int) -> list[int]:
    return list(Classroom.objects.filter(pk=classroom_id).values_list("teacher_id", flat=True))


@receiver(user_logged_out)
def _close_sockets_on_logout(sender: Any, user: Any, **_: Any) -> None:
    if user is not None:
        events.publish_access_changed([user.pk], logged_out=True)


@receiver(post_delete, sender=Enrolment)
def _recheck_on_leaving_class(sender: Any, instance: Enrolment, **_: Any) -> None:
    # The student loses the class's problems; its teacher loses the student's sessions.
    _publish_on_commit([instance.student_id, *_teacher_of(instance.classroom_id)])


@receiver(post_delete, sender=Assignment)
def _recheck_on_withdrawn_assignment(sender: Any, instance: Assignment, **_: Any) -> None:
    # Ids, not instance.classroom: in a cascade the class may be going in the same delete,
    # and then its enrolments' own signals tell its students.
    students = Enrolment.objects.filter(classroom_id=instance.classroom_id).values_list(
        "student_id", flat=True
    )
    _publish_on_commit([*students, *_teacher_of(instance.classroom_id)])


@receiver(post_save, sender=User)
def _recheck_on_account_change(
    sender: Any, instance: User, created: bool, update_fields: Any = None, **_: Any
) -> None:
    # A deactivated account or a changed role; a login only stamps last_login.
    if created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return
    _publish_on_commit([instance.pk])
