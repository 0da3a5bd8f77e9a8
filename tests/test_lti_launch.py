"""LTI 1.3 launches from the loopback platform: who is signed in, enrolled and where they land."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from lti_tool.models import LtiUser

from tests.lti_platform import INSTRUCTOR, Platform, launch, platform, registration
from tutor.lti.models import LtiAssignmentLink, LtiClassLink
from tutor.management.commands.delete_student import delete_student
from tutor.management.commands.export_student import export
from tutor.models import Assignment, Enrolment, Problem, ProblemSet, User

__all__ = ["platform", "registration"]  # fixtures


def _teacher_set(client: Client, platform: Platform, registration: Any) -> ProblemSet:
    """A teacher who has launched once from this platform, and a problem set of theirs."""
    response = launch(
        client, platform, registration, sub="teacher-1", roles=(INSTRUCTOR,), resource_link="x"
    )
    assert response.status_code == 403  # nothing linked yet: refused, but the teacher is known
    teacher = User.objects.get(lti_users__sub="teacher-1")
    problem_set = ProblemSet.objects.create(owner=teacher, title="Linear equations")
    Problem.objects.create(problem_set=problem_set, statement="Solve $2x=4$.", answer_key="x=2")
    return problem_set


@pytest.fixture
def linked_set(platform: Platform, registration: Any) -> ProblemSet:
    return _teacher_set(Client(), platform, registration)


def test_it_lands_the_student_on_the_assigned_problem_set(
    platform: Platform, registration: Any, linked_set: ProblemSet
) -> None:
    """A learner's first launch makes their account, enrols them and opens the set."""
    client = Client()
    response = launch(client, platform, registration, custom={"stepwise_set": str(linked_set.pk)})
    assert response.status_code == 302
    assert response["Location"] == f"/sets/{linked_set.pk}/"
    student = User.objects.get(lti_users__sub="learner-1")
    assert student.role == User.Role.STUDENT
    assignment = Assignment.objects.get(problem_set=linked_set)
    assert Enrolment.objects.filter(student=student, classroom=assignment.classroom).exists()
    assert LtiClassLink.objects.get().classroom == assignment.classroom
    assert LtiAssignmentLink.objects.get().lineitem_url == f"{platform.url}/lineitems/1"
    assert client.get(response["Location"]).status_code == 200


def test_it_lands_the_teacher_on_the_progress_grid(
    platform: Platform, registration: Any, linked_set: ProblemSet
) -> None:
    """An instructor's launch opens the assignment's progress grid."""
    client = Client()
    custom = {"stepwise_set": str(linked_set.pk)}
    response = launch(
        client, platform, registration, sub="teacher-1", roles=(INSTRUCTOR,), custom=custom
    )
    assignment = Assignment.objects.get(problem_set=linked_set)
    assert response["Location"] == f"/teach/assignments/{assignment.pk}/"
    assert assignment.classroom.teacher == linked_set.owner
    assert client.get(response["Location"]).status_code == 200


def test_it_matches_people_by_issuer_and_sub_never_by_email(
    platform: Platform, registration: Any, linked_set: ProblemSet
) -> None:
    """Two LMS accounts with one email address are two Stepwise students."""
    custom = {"stepwise_set": str(linked_set.pk)}
    launch(Client(), platform, registration, sub="learner-1", custom=custom)
    launch(Client(), platform, registration, sub="learner-2", custom=custom)
    launch(Client(), platform, registration, sub="learner-1", custom=custom)
    students = User.objects.filter(role=User.Role.STUDENT)
    assert students.count() == 2
    assert not any("@" in s.username or "Ada" in s.username for s in students)


def test_it_refuses_a_set_whose_owner_does_not_teach_on_this_platform(
    platform: Platform, registration: Any, db: None
) -> None:
    """A custom parameter naming someone else's set opens nothing."""
    other = User.objects.create_user("other_teacher", role=User.Role.TEACHER)
    foreign = ProblemSet.objects.create(owner=other, title="Private")
    response = launch(Client(), platform, registration, custom={"stepwise_set": str(foreign.pk)})
    assert response.status_code == 403
    assert not Assignment.objects.exists()


def test_it_keeps_no_email_and_forgets_the_lms_identity_with_the_student(
    platform: Platform, registration: Any, linked_set: ProblemSet
) -> None:
    """The email claim is not stored, and deleting the student deletes their LMS record."""
    launch(Client(), platform, registration, custom={"stepwise_set": str(linked_set.pk)})
    record = LtiUser.objects.get(sub="learner-1")
    assert record.email == "" and record.given_name == "Ada"
    delete_student(User.objects.get(lti_users__sub="learner-1"))
    assert not LtiUser.objects.filter(sub="learner-1").exists()


def test_it_exports_the_students_lms_identity(
    platform: Platform, registration: Any, linked_set: ProblemSet
) -> None:
    """export_student includes who the student is in the LMS."""
    launch(Client(), platform, registration, custom={"stepwise_set": str(linked_set.pk)})
    data = export(User.objects.get(lti_users__sub="learner-1"))
    assert data["lms"] == [
        {
            "platform": platform.issuer,
            "sub": "learner-1",
            "given_name": "Ada",
            "family_name": "Lovelace",
            "name": "",
        }
    ]
    assert data["lms_grades"] == []
