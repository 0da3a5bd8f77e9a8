"""Access changes reach sockets that are already open."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete
from django.dispatch import receiver

from tutor import events
from tutor.models import Enrolment


@receiver(user_logged_out)
def _close_sockets_on_logout(sender: Any, user: Any, **_: Any) -> None:
    if user is not None:
        events.publish_access_changed([user.pk], logged_out=True)


@receiver(post_delete, sender=Enrolment)
def _recheck_on_leaving_class(sender: Any, instance: Enrolment, **_: Any) -> None:
    # The student's sockets stay (their own sessions are theirs); the teacher's sockets on
    # this student's sessions must close.
    teacher_id = instance.classroom.teacher_id
    events.publish_access_changed([instance.student_id, teacher_id])
