"""Stepwise users, classes, enrolments and assignments from a validated LTI launch.

A person is matched by the platform's issuer and their `sub`, never by email: an email claim
is whatever the LMS account says, and two platforms (or one careless admin) can give the same
address to two people.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from lti_tool.models import LtiContext, LtiLaunch, LtiResourceLink, LtiUser

from tutor.errors import UserError
from tutor.lti.models import LtiAssignmentLink, LtiClassLink
from tutor.models import Assignment, Classroom, Enrolment, ProblemSet, User

# The custom parameter a deep link sets on the activity: the problem set's id.
SET_PARAMETER = "stepwise_set"
# An LMS activity has its own dates; the Stepwise assignment only needs one to exist.
LINKED_DUE_IN = timedelta(days=365)
# Marked here, translated where raised: the constants themselves stay English.
NOT_SET_UP = gettext_noop(
    "This activity is not set up in Stepwise yet. Ask your teacher to open it once."
)
NO_SUCH_SET = gettext_noop("The problem set this activity points to is not available.")


def is_instructor(lti_launch: LtiLaunch) -> bool:
    membership = lti_launch.membership
    return bool(
        membership.is_instructor or membership.is_administrator or membership.is_content_developer
    )


def _new_username() -> str:
    # Random, not derived from the sub: no name or address from the LMS goes into a username,
    # and no one can sign up in advance under the name a launch would pick.
    return "lti-" + secrets.token_hex(8)


def user_for_launch(*, lti_user: LtiUser, teacher: bool) -> User:
    """The Stepwise user for a launch's (issuer, sub), made on first launch."""
    issuer = lti_user.registration.issuer
    known = (
        LtiUser.objects.filter(registration__issuer=issuer, sub=lti_user.sub)
        .exclude(auth_user=None)
        .select_related("auth_user")
        .first()
    )
    user = known.auth_user if known is not None else None
    if user is None:
        user = User(username=_new_username(), role=User.Role.STUDENT)
        user.set_unusable_password()  # signs in through the LMS only
    if teacher and user.role == User.Role.STUDENT:
        user.role = User.Role.TEACHER  # the platform vouches; a teacher is never demoted
    user.first_name = (lti_user.given_name or lti_user.name)[:150]
    user.last_name = lti_user.family_name[:150]
    user.save()
    # django-lti keeps the claims' email and picture; Stepwise needs neither, so keeps neither.
    lti_user.auth_user = user
    lti_user.email = lti_user.picture_url = ""
    lti_user.save(update_fields=["auth_user", "email", "picture_url"])
    return user


def _linked_set(*, lti_launch: LtiLaunch) -> ProblemSet | None:
    raw = lti_launch.get_custom_claim(SET_PARAMETER)
    if raw is None or not str(raw).isdigit():
        return None
    problem_set = ProblemSet.objects.filter(pk=int(raw)).select_related("owner").first()
    if problem_set is None:
        raise UserError(gettext(NO_SUCH_SET))
    # A custom parameter is signed by the platform but typed by whoever set up the activity:
    # only sets whose owner teaches through this same registration can be linked.
    owner_here = LtiUser.objects.filter(
        registration=lti_launch.registration, auth_user=problem_set.owner
    ).exists()
    if not owner_here:
        raise UserError(gettext(NO_SUCH_SET))
    return problem_set


def classroom_for_context(*, context: LtiContext, teacher: User | None) -> Classroom:
    link = LtiClassLink.objects.filter(context=context).select_related("classroom").first()
    if link is not None:
        return link.classroom
    if teacher is None:
        raise UserError(gettext(NOT_SET_UP))
    classroom = Classroom.objects.create(
        teacher=teacher, name=(context.title or context.label or "LMS course")[:120]
    )
    LtiClassLink.objects.create(context=context, classroom=classroom)
    return classroom


def _ags_fields(lti_launch: LtiLaunch) -> dict[str, object]:
    claim = lti_launch.ags_claim or {}
    return {
        "lineitem_url": claim.get("lineitem", ""),
        "lineitems_url": claim.get("lineitems", ""),
        "ags_scopes": list(claim.get("scope", [])),
    }


def assignment_for_link(
    *, lti_launch: LtiLaunch, resource_link: LtiResourceLink, teacher: User | None
) -> Assignment:
    link = LtiAssignmentLink.objects.filter(resource_link=resource_link).first()
    if link is not None:
        # The platform may have made the line item since the last launch.
        LtiAssignmentLink.objects.filter(pk=link.pk).update(**_ags_fields(lti_launch))
        return link.assignment
    problem_set = _linked_set(lti_launch=lti_launch)
    if problem_set is None:
        raise UserError(gettext(NOT_SET_UP))
    classroom = classroom_for_context(
        context=resource_link.context, teacher=teacher or problem_set.owner
    )
    assignment, _ = Assignment.objects.get_or_create(
        problem_set=problem_set,
        classroom=classroom,
        defaults={"due_at": timezone.now() + LINKED_DUE_IN},
    )
    LtiAssignmentLink.objects.create(
        resource_link=resource_link, assignment=assignment, **_ags_fields(lti_launch)
    )
    return assignment


def accept_resource_launch(*, lti_launch: LtiLaunch) -> tuple[User, Assignment]:
    """The user and assignment of a validated resource-link launch, enrolling a learner.

    Raises UserError (with a message for the person) when the activity is not linked yet;
    the user is kept even then, so a teacher who launched once can own linked sets.
    """
    teacher = is_instructor(lti_launch)
    user = user_for_launch(lti_user=lti_launch.user, teacher=teacher)
    with transaction.atomic():
        assignment = assignment_for_link(
            lti_launch=lti_launch,
            resource_link=lti_launch.resource_link,
            teacher=user if user.is_teacher and teacher else None,
        )
        if not teacher and user.role == User.Role.STUDENT:
            Enrolment.objects.get_or_create(classroom=assignment.classroom, student=user)
    return user, assignment
