"""Reads for the LTI pages: what the LMS gradebook has been sent."""

from __future__ import annotations

from tutor.lti.models import LtiAssignmentLink, LtiClassLink, LtiGrade
from tutor.models import Assignment, Classroom


def classroom_is_linked(*, classroom: Classroom) -> bool:
    return LtiClassLink.objects.filter(classroom=classroom).exists()


def assignment_is_linked(*, assignment: Assignment) -> bool:
    return LtiAssignmentLink.objects.filter(assignment=assignment).exists()


def grade_statuses(*, assignment: Assignment) -> dict[int, str]:
    """Student id -> what happened to their score in the LMS ("Sent", "Failed, retrying")."""
    grades = LtiGrade.objects.filter(link__assignment=assignment)
    return {g.student_id: g.get_status_display() for g in grades}
