"""Pages. Thin: permission via selectors, writes via services, rendering via templates."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from tutor import selectors
from tutor.models import User
from tutor.rendering import markdown_to_html
from tutor.services import turns


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.is_reviewer:
        return redirect("admin:index")
    if user.is_teacher:
        return render(
            request,
            "tutor/teacher_home.html",
            {"classrooms": user.classrooms.prefetch_related("enrolments__student", "assignments")},
        )
    return render(
        request,
        "tutor/student_home.html",
        {"assignments": selectors.assignments_for_student(student=user)},
    )


@login_required
def problem_set(request: HttpRequest, set_id: int) -> HttpResponse:
    user = _user(request)
    problems = selectors.problems_for_student(student=user).filter(problem_set_id=set_id)
    if not problems.exists():
        raise Http404
    return render(
        request,
        "tutor/problem_set.html",
        {"problem_set": problems[0].problem_set, "problems": problems},
    )


@login_required
def problem(request: HttpRequest, problem_id: int) -> HttpResponse:
    user = _user(request)
    found = selectors.problems_for_student(student=user).filter(pk=problem_id).first()
    if found is None:
        raise Http404
    session = turns.session_for(student=user, problem=found)
    turns.turns_reap_dead(session=session)
    return render(
        request,
        "tutor/problem.html",
        {
            "problem": found,
            "statement_html": markdown_to_html(found.statement),
            "session": session,
            "turns": session.turns.prefetch_related("verdicts"),
        },
    )
