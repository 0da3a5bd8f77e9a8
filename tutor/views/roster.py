"""A teacher's roster actions: take a student out of a class, set a temporary password.

Both are reached through the teacher's own class and a student enrolled in it now; anything
else is a 404, so another teacher cannot act on (or learn of) a student not in their class.
Each is a GET that asks and a POST (with the CSRF token) that does it.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from tutor import selectors
from tutor.errors import UserError
from tutor.forms import TemporaryPasswordForm
from tutor.models import Classroom, User
from tutor.services import classes
from tutor.views.common import current_user, teacher_required


def _class_and_student(
    request: HttpRequest, classroom_id: int, student_id: int
) -> tuple[Classroom, User]:
    classroom = selectors.classroom_for_teacher(
        teacher=current_user(request), classroom_id=classroom_id
    )
    if classroom is None:
        raise Http404
    student = selectors.student_in_class(classroom=classroom, student_id=student_id)
    if student is None:
        raise Http404
    return classroom, student


@teacher_required
def student_remove(request: HttpRequest, classroom_id: int, student_id: int) -> HttpResponse:
    classroom, student = _class_and_student(request, classroom_id, student_id)
    if request.method != "POST":
        return render(
            request, "tutor/teach/student_remove.html", {"classroom": classroom, "student": student}
        )
    try:
        classes.student_remove(classroom=classroom, student=student)
    except UserError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            gettext("%(student)s was removed from %(class_name)s.")
            % {
                "student": student.get_full_name() or student.username,
                "class_name": classroom.name,
            },
        )
    return redirect("teach_class", classroom.pk)


@teacher_required
def student_password(request: HttpRequest, classroom_id: int, student_id: int) -> HttpResponse:
    classroom, student = _class_and_student(request, classroom_id, student_id)
    form = TemporaryPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            classes.student_set_temporary_password(
                student=student, password=form.cleaned_data["password"]
            )
        except UserError as exc:
            form.add_error("password", exc.message)
        else:
            messages.success(
                request,
                gettext(
                    "Temporary password set for %(username)s. "
                    "They must choose their own when they next log in."
                )
                % {"username": student.username},
            )
            return redirect("teach_class", classroom.pk)
    return render(
        request,
        "tutor/teach/student_password.html",
        {"classroom": classroom, "student": student, "form": form},
    )
