"""Links from django-lti's launch records to Stepwise's classes and assignments, and the
scores owed to a platform's gradebook.

Imported by tutor.models, so the migrations live with the tutor app's (0012_lti).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LtiClassLink(models.Model):
    """An LMS course (an LTI context) is one Stepwise class."""

    context = models.OneToOneField(
        "lti_tool.LtiContext", on_delete=models.CASCADE, related_name="stepwise_link"
    )
    classroom = models.OneToOneField(
        "tutor.Classroom", on_delete=models.CASCADE, related_name="lti_link"
    )

    def __str__(self) -> str:
        return f"{self.context} -> {self.classroom}"


class LtiAssignmentLink(models.Model):
    """An LMS resource link (an activity in the course) is one Stepwise assignment."""

    resource_link = models.OneToOneField(
        "lti_tool.LtiResourceLink", on_delete=models.CASCADE, related_name="stepwise_link"
    )
    assignment = models.OneToOneField(
        "tutor.Assignment", on_delete=models.CASCADE, related_name="lti_link"
    )
    # The AGS line item the platform made for this activity ("" when it offers none).
    lineitem_url = models.URLField(max_length=500, blank=True)
    # The AGS scopes and line items URL from the last launch, for sending scores later.
    ags_scopes = models.JSONField(default=list, blank=True)
    lineitems_url = models.URLField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.resource_link} -> {self.assignment}"


class LtiGrade(models.Model):
    """The score one student is owed on one linked assignment.

    One row per (link, student): a new answer updates `score` and bumps `revision`; the task
    sends the latest revision and records it as `sent_revision`, so a task delivered twice, or
    a retry after the first send got through, sends nothing new.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        RETRYING = "retrying", _("Failed, retrying")
        FAILED = "failed", _("Failed")

    link = models.ForeignKey(LtiAssignmentLink, on_delete=models.CASCADE, related_name="grades")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_grades"
    )
    # The platform's id for the student (the launch's `sub`), which AGS scores are keyed by.
    platform_user_id = models.CharField(max_length=255)
    score = models.FloatField(default=0.0)
    maximum = models.FloatField(default=1.0)
    revision = models.PositiveIntegerField(default=0)
    sent_revision = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    tries = models.PositiveIntegerField(default=0)
    # What went wrong, without personal data: an exception class and an HTTP status.
    last_error = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["link", "student"], name="one_lti_grade_per_student")
        ]

    def __str__(self) -> str:
        return f"grade {self.pk} ({self.status})"
