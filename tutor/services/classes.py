"""Classes, join codes and enrolment."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from tutor.errors import UserError
from tutor.models import Classroom, Enrolment, User, new_join_code

BAD_CODE = "That join code does not match any class. Check it with your teacher."


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


def _classroom_by_code(code: str) -> Classroom:
    found = Classroom.objects.filter(join_code=code.strip().upper()).first()
    if found is None:
        raise UserError(BAD_CODE)
    return found


def student_join(*, student: User, code: str) -> Enrolment:
    if student.role != User.Role.STUDENT:
        raise UserError("Only student accounts can join a class.")
    classroom = _classroom_by_code(code)
    enrolment, created = Enrolment.objects.get_or_create(classroom=classroom, student=student)
    if not created:
        raise UserError(f"You are already in {classroom.name}.")
    return enrolment


def student_signup(
    *, username: str, first_name: str, last_name: str, password: str, code: str
) -> User:
    """A new student account, enrolled in the class the code names, or nothing at all."""
    classroom = _classroom_by_code(code)
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
