"""Classes, join codes and enrolment."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction

from tutor import counters
from tutor.errors import RateLimited, UserError
from tutor.models import Classroom, Enrolment, User, new_join_code

BAD_CODE = "That join code does not match any class. Check it with your teacher."
TOO_MANY_CODES = "Too many join codes that match no class. Wait 15 minutes, then try again."
TOO_MANY_SIGNUPS = "Too many new accounts from here in the last hour. Try again later."


def classroom_create(*, teacher: User, name: str) -> Classroom:
    name = name.strip()
    if not name:
        raise UserError("Give the class a name.")
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
    raise UserError("Could not generate a new code; try again.")


def _key(kind: str, who: str) -> str:
    # Hashed: the cache holds no addresses in clear.
    return f"stepwise:{kind}:{hashlib.sha256(who.encode()).hexdigest()[:32]}"


def _classroom_by_code(code: str, *, guesser: str) -> Classroom:
    """The class of the code. Wrong codes are counted per guesser (a student, or a client
    address at sign-up); past JOIN_CODE_FAILURE_LIMIT in 15 minutes, codes are not tried.

    Only wrong codes count, so a whole class signing up behind one school address is never
    stopped by this; guessing a code among 32**8 is.
    """
    key = _key("join-code-fail", guesser)
    if counters.total(key) >= settings.JOIN_CODE_FAILURE_LIMIT:
        raise RateLimited(TOO_MANY_CODES)
    found = Classroom.objects.filter(join_code=code.strip().upper()).first()
    if found is None:
        counters.count(key, 15 * 60)
        raise UserError(BAD_CODE)
    return found


def student_join(*, student: User, code: str) -> Enrolment:
    if student.role != User.Role.STUDENT:
        raise UserError("Only student accounts can join a class.")
    classroom = _classroom_by_code(code, guesser=f"user {student.pk}")
    enrolment, created = Enrolment.objects.get_or_create(classroom=classroom, student=student)
    if not created:
        raise UserError(f"You are already in {classroom.name}.")
    return enrolment


def student_signup(
    *, username: str, first_name: str, last_name: str, password: str, code: str, client: str
) -> User:
    """A new student account, enrolled in the class the code names, or nothing at all.

    ``client`` is the address the request came from (tutor.login_throttle.client_address).
    """
    classroom = _classroom_by_code(code, guesser=f"address {client}")
    if counters.count(_key("signup", client), 3600) > settings.SIGNUPS_PER_HOUR_PER_ADDRESS:
        raise RateLimited(TOO_MANY_SIGNUPS)
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
