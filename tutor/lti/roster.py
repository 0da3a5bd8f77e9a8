"""Roster sync from the LMS (LTI Names and Role Provisioning Services).

The teacher asks; Stepwise reads the course's members from the platform and makes the class
match it: active learners are enrolled (with accounts made as a first launch would make
them), and learners the LMS lists as inactive or no longer lists are taken out. Students who
joined with the class code, and are unknown to the LMS, are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction
from django.utils.translation import gettext, gettext_noop
from lti_tool.lti_core.constants import ContextRole
from lti_tool.lti_core.utils import normalize_role
from lti_tool.models import LtiContext, LtiUser
from pylti1p3.names_roles import NamesRolesProvisioningService

from tutor.errors import UserError
from tutor.lti.accounts import user_for_launch
from tutor.lti.models import LtiClassLink
from tutor.lti.platform_client import service_connector
from tutor.models import Classroom, Enrolment, User
from tutor.services.classes import student_remove

# Marked here, translated where raised: the constants themselves stay English.
NOT_LINKED = gettext_noop("This class is not linked to an LMS course.")
NO_ROSTER = gettext_noop(
    "The LMS did not offer its roster for this course; open Stepwise from the LMS first."
)
LMS_DOWN = gettext_noop("The LMS did not answer with the roster. Try again in a few minutes.")


@dataclass(frozen=True)
class RosterSync:
    added: int
    removed: int
    kept: int


def _is_learner(member: dict[str, Any]) -> bool:
    roles = [normalize_role(role) for role in member.get("roles", [])]
    return ContextRole.LEARNER in roles and ContextRole.INSTRUCTOR not in roles


def _members(context: LtiContext) -> list[dict[str, Any]]:
    if not context.memberships_url:
        raise UserError(gettext(NO_ROSTER))
    service = NamesRolesProvisioningService(
        service_connector(context.deployment.registration),
        {"context_memberships_url": context.memberships_url},
    )
    try:
        return cast(list[dict[str, Any]], service.get_members())
    except Exception as error:  # network or platform: the teacher may try again
        raise UserError(gettext(LMS_DOWN)) from error


def roster_sync(*, classroom: Classroom) -> RosterSync:
    link = LtiClassLink.objects.filter(classroom=classroom).select_related("context").first()
    if link is None:
        raise UserError(gettext(NOT_LINKED))
    context = link.context
    members = _members(context)
    with transaction.atomic():
        context.update_memberships(members)  # django-lti: LtiUser and LtiMembership rows
        registration = context.deployment.registration
        # The roster's emails and pictures are not needed; they are not kept.
        LtiUser.objects.filter(registration=registration).exclude(email="", picture_url="").update(
            email="", picture_url=""
        )
        active = {m["user_id"] for m in members if _is_learner(m) and m["status"] == "Active"}
        added = 0
        for lti_user in LtiUser.objects.filter(registration=registration, sub__in=active):
            student = user_for_launch(lti_user=lti_user, teacher=False)
            if student.role == User.Role.STUDENT:
                _, created = Enrolment.objects.get_or_create(classroom=classroom, student=student)
                added += created
        from_lms = LtiUser.objects.filter(registration=registration).exclude(auth_user=None)
        gone = from_lms.exclude(sub__in=active).values_list("auth_user_id", flat=True)
        removed = 0
        for enrolment in classroom.enrolments.filter(student_id__in=list(gone)):
            student_remove(classroom=classroom, student=enrolment.student)
            removed += 1
    return RosterSync(added=added, removed=removed, kept=len(active) - added)
