"""Scores owed to an LMS gradebook (LTI Assignment and Grade Services), and sending them.

A student's score on a linked assignment is the sum of their problem scores, out of one point
per problem, as on the progress grid. Each change makes a new revision; the Celery task
(tutor.lti.tasks) sends the latest revision once.
"""

from __future__ import annotations

import logging
from datetime import UTC

from django.db import transaction
from django.db.models import Sum
from lti_tool.models import LtiUser
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.grade import Grade

from tutor.celery import app
from tutor.lti.models import LtiAssignmentLink, LtiGrade
from tutor.lti.platform_client import service_connector
from tutor.models import Assignment, Attempt, User

log = logging.getLogger("tutor.lti")

SEND_SCORE = "tutor.lti.send_score"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def grade_queue(*, student: User, assignment: Assignment | None) -> LtiGrade | None:
    """Record the student's current score on a linked assignment and queue its sending.

    Call inside the transaction that changed the score; the task starts once it commits.
    Nothing happens for an assignment no LMS activity links to, or one without AGS.
    """
    if assignment is None:
        return None
    link = LtiAssignmentLink.objects.filter(assignment=assignment).first()
    if link is None or not link.lineitem_url or SCORE_SCOPE not in link.ags_scopes:
        return None
    lti_user = LtiUser.objects.filter(
        registration=link.resource_link.context.deployment.registration, auth_user=student
    ).first()
    if lti_user is None:
        return None  # a Stepwise-only student in a linked class: the LMS does not know them
    problems = assignment.problem_set.problems
    score = Attempt.objects.filter(student=student, problem__in=problems.all()).aggregate(
        total=Sum("score")
    )["total"]
    grade, created = LtiGrade.objects.select_for_update().get_or_create(
        link=link, student=student, defaults={"platform_user_id": lti_user.sub}
    )
    unchanged = grade.score == float(score or 0.0) and grade.status != LtiGrade.Status.FAILED
    if not created and unchanged:
        return grade  # the gradebook already has (or is being sent) this score
    grade.score = float(score or 0.0)
    grade.maximum = float(max(problems.count(), 1))
    grade.revision += 1
    grade.status = LtiGrade.Status.QUEUED
    grade.save()
    grade_id = grade.pk
    transaction.on_commit(lambda: app.send_task(SEND_SCORE, args=[grade_id]))
    return grade


class SendFailed(Exception):
    """The platform did not take the score; the task retries."""


def grade_send(*, grade_id: int) -> bool:
    """Send a grade's latest revision to the platform; True once it is (or already was) sent.

    The row is locked while sending, so two deliveries of the task for one grade run one after
    the other and the second finds nothing new to send: no score goes twice. The timestamp
    is the revision's, so a send repeated after a lost reply carries the same timestamp and the
    platform keeps one score.
    """
    with transaction.atomic():
        grade = (
            LtiGrade.objects.select_for_update()
            .select_related("link__resource_link__context__deployment__registration")
            .get(pk=grade_id)
        )
        if grade.sent_revision >= grade.revision:
            return True
        failure: Exception | None = None
        try:
            _put_score(grade)
        except Exception as error:  # any failure, network or platform, is retried
            failure = error
        else:
            LtiGrade.objects.filter(pk=grade.pk).update(
                status=LtiGrade.Status.SENT,
                sent_revision=grade.revision,
                tries=grade.tries + 1,
                last_error="",
            )
    if failure is None:
        return True
    reason = _reason(failure)
    LtiGrade.objects.filter(pk=grade.pk).update(
        status=LtiGrade.Status.RETRYING, tries=grade.tries + 1, last_error=reason
    )
    log.warning("LTI score not sent: grade=%s reason=%s", grade.pk, reason)
    raise SendFailed(reason) from failure


def grade_give_up(*, grade_id: int) -> None:
    LtiGrade.objects.filter(pk=grade_id).update(status=LtiGrade.Status.FAILED)


def _put_score(grade: LtiGrade) -> None:
    link = grade.link
    service = AssignmentsGradesService(
        service_connector(link.resource_link.context.deployment.registration),
        {"scope": link.ags_scopes, "lineitem": link.lineitem_url, "lineitems": link.lineitems_url},
    )
    score = (
        Grade()
        .set_score_given(grade.score)
        .set_score_maximum(grade.maximum)
        .set_user_id(grade.platform_user_id)
        .set_timestamp(grade.updated_at.astimezone(UTC).isoformat())
        .set_activity_progress("Submitted" if grade.score < grade.maximum else "Completed")
        .set_grading_progress("FullyGraded")
    )
    service.put_grade(score)


def _reason(error: Exception) -> str:
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    return f"{type(error).__name__}" + (f" HTTP {status}" if status else "")
