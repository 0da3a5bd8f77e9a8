"""Roster sync: a teacher makes a linked class match the LMS course's members (NRPS)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.lti_platform import INSTRUCTOR, LEARNER, Platform, launch, platform, registration
from tutor.lti.models import LtiClassLink
from tutor.models import Classroom, Enrolment, ProblemSet, User

__all__ = ["platform", "registration"]  # fixtures


def _member(sub: str, status: str = "Active", role: str = LEARNER) -> dict[str, Any]:
    return {"user_id": sub, "status": status, "roles": [role], "given_name": sub.title()}


def _linked_class(platform: Platform, registration: Any) -> tuple[Client, Classroom]:
    teacher_client = Client()
    launch(teacher_client, platform, registration, sub="teacher-1", roles=(INSTRUCTOR,))
    teacher = User.objects.get(lti_users__sub="teacher-1")
    problem_set = ProblemSet.objects.create(owner=teacher, title="Set")
    custom = {"stepwise_set": str(problem_set.pk)}
    launch(
        teacher_client, platform, registration, sub="teacher-1", roles=(INSTRUCTOR,), custom=custom
    )
    launch(Client(), platform, registration, sub="learner-1", custom=custom)
    return teacher_client, LtiClassLink.objects.get().classroom


def test_it_syncs_the_class_with_the_lms_roster(platform: Platform, registration: Any) -> None:
    """New learners are enrolled, dropped ones removed, code-joined students kept."""
    client, classroom = _linked_class(platform, registration)
    by_code = User.objects.create_user("joined_by_code", role=User.Role.STUDENT)
    Enrolment.objects.create(classroom=classroom, student=by_code)
    platform.members = [
        _member("teacher-1", role=INSTRUCTOR),
        _member("learner-1", status="Inactive"),
        _member("learner-2"),
        _member("learner-3"),
    ]
    assert b"Sync roster from the LMS" in client.get(f"/teach/classes/{classroom.pk}/").content
    response = client.post(f"/teach/classes/{classroom.pk}/lti-roster", follow=True)
    assert b"2 added, 1 removed" in response.content
    enrolled = set(classroom.enrolments.values_list("student__username", flat=True))
    learners = {
        u.username for u in User.objects.filter(lti_users__sub__in=["learner-2", "learner-3"])
    }
    assert enrolled == learners | {"joined_by_code"}
    assert not User.objects.get(lti_users__sub="teacher-1").enrolments.exists()


def test_it_says_when_the_lms_is_down(platform: Platform, registration: Any) -> None:
    """An LMS that does not answer leaves the class as it was, with a message."""
    client, classroom = _linked_class(platform, registration)
    # Nothing listens on the discard port.
    classroom.lti_link.context.memberships_url = "http://127.0.0.1:9/memberships"
    classroom.lti_link.context.save()
    response = client.post(f"/teach/classes/{classroom.pk}/lti-roster", follow=True)
    assert b"did not answer" in response.content
    assert classroom.enrolments.count() == 1
