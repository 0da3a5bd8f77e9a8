"""Classes, join codes and enrolment."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext, gettext_noop

from tutor import counters, events
from tutor.errors import RateLimited, UserError
from tutor.models import Classroom, Enrolment, User, new_join_code

# Marked here, translated where raised: the constants themselves stay English.
BAD_CODE = gettext_noop("That join code does not match any class. Check it with your teacher.")
TOO_MANY_CODES = gettext_noop(
    "Too many join codes that match no class. Wait 15 minutes, then try again."
)
TOO_MANY_SIGNUPS = gettext_noop(
    "Too many new accounts from here in the last hour. Try again later."
)


def classroom_create(*, teacher: User, name: str) -> Classroom:
    name = name.strip()
    if not name:
        raise UserError(gettext("Give the class a name."))
    return Classroom.objects.create(teacher=teacher, name=name[:120])


def classroom_regenerate_code(*, classroom: Classroom) -> Classroom:
    """A new code; the old one stops working at once (students already enrolled stay)."""
    for _ in range(5):
        classroom.join_code = new_join_code()
        try:
            with transaction.atomic():
                classroom.save(update_fields=["join_code"])
            return classroom
        except IntegrityError:  # a collision among 32**8 codes: draw again
            continue
    raise UserError(gettext("Could not generate a new code; try again."))


def _classroom_by_code(code: str, *, guesser: str) -> Classroom:
    """The class of the code. Wrong codes are counted per guesser (a student, or a client
    address at sign-up); past JOIN_CODE_FAILURE_LIMIT in 15 minutes, codes are not tried.

    Only wrong codes count, so a whole class signing up behind one school address is never
    stopped by this; guessing a code among 32**8 is.
    """
    key = counters.hashed_key("join-code-fail", guesser)
    if counters.total(key) >= settings.JOIN_CODE_FAILURE_LIMIT:
        raise RateLimited(gettext(TOO_MANY_CODES))
    found = Classroom.objects.filter(join_code=code.strip().upper()).first()
    if found is None:
        counters.count(key, 15 * 60)
        raise UserError(gettext(BAD_CODE))
    return found


def student_join(*, student: User, code: str) -> Enrolment:
    if student.role != User.Role.STUDENT:
        raise UserError(gettext("Only student accounts can join a class."))
    classroom = _classroom_by_code(code, guesser=f"user {student.pk}")
    enrolment, created = Enrolment.objects.get_or_create(classroom=classroom, student=student)
    if not created:
        raise UserError(
            gettext("You are already in %(class_name)s.") % {"class_name": classroom.name}
        )
    return enrolment


def student_signup(
    *, username: str, first_name: str, last_name: str, password: str, code: str, client: str
) -> User:
    """A new student account, enrolled in the class the code names, or nothing at all.

    ``client`` is the address the request came from (tutor.login_throttle.client_address).
    """
    classroom = _classroom_by_code(code, guesser=f"address {client}")
    if (
        counters.count(counters.hashed_key("signup", client), 3600)
        > settings.SIGNUPS_PER_HOUR_PER_ADDRESS
    ):
        raise RateLimited(gettext(TOO_MANY_SIGNUPS))
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            password=password,
            first_name=first_name,
            last_name=last_name,
            role=User.Role.STUDENT,
        )
        Enrolment.objects.create(classroom=classroom, student=user)
    return user


def student_remove(*, classroom: Classroom, student: User) -> None:
    """Take the student out of the class; their work stays, for the teacher and the records.

    Access follows enrolment (tutor.selectors), so the class's problems and tutor sessions
    are closed to the student from the next request. The enrolment's delete signal
    (tutor.signals) tells the open sockets of the student and the teacher once it commits;
    a web process keeps its publisher running, so no flush is needed as in a command.
    """
    deleted, _ = Enrolment.objects.filter(classroom=classroom, student=student).delete()
    if not deleted:
        raise UserError(
            gettext("%(username)s is not in %(class_name)s.")
            % {"username": student.username, "class_name": classroom.name}
        )


def student_set_temporary_password(*, student: User, password: str) -> None:
    """A password the teacher tells the student; the student must replace it at next login.

    Changing the password ends the student's other logged-in sessions (Django checks the
    password hash on each request); their open sockets are closed here as on a logout.
    """
    if student.role != User.Role.STUDENT:
        raise UserError(gettext("Only a student's password can be set here."))
    try:
        password_validation.validate_password(password, student)
    except ValidationError as exc:
        raise UserError(" ".join(exc.messages)) from None
    with transaction.atomic():
        student.set_password(password)
        student.must_change_password = True
        student.save(update_fields=["password", "must_change_password"])
        transaction.on_commit(lambda: events.publish_access_changed([student.pk], logged_out=True))
