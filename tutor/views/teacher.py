"""The teacher's pages. Every object is looked up through the teacher's own classes and sets
(tutor.selectors); anything else is a 404, so another teacher's ids reveal nothing."""

from __future__ import annotations

import csv
from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tutor import selectors
from tutor.errors import UserError
from tutor.forms import AssignForm, ClassroomForm, ImportForm, ProblemForm, ProblemSetForm
from tutor.models import Assignment, Classroom, Problem, ProblemSet, TutoringSession
from tutor.rendering import markdown_to_html
from tutor.services import classes, problem_sets
from tutor.services.problem_sets import ImportFailed
from tutor.views.common import current_user, teacher_required


def _classroom(request: HttpRequest, classroom_id: int) -> Classroom:
    found = selectors.classroom_for_teacher(
        teacher=current_user(request), classroom_id=classroom_id
    )
    if found is None:
        raise Http404
    return found


def _set(request: HttpRequest, set_id: int) -> ProblemSet:
    found = selectors.problem_set_for_owner(owner=current_user(request), set_id=set_id)
    if found is None:
        raise Http404
    return found


def _problem(request: HttpRequest, problem_id: int) -> Problem:
    found = selectors.problem_for_owner(owner=current_user(request), problem_id=problem_id)
    if found is None:
        raise Http404
    return found


@teacher_required
def home(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return render(
        request,
        "tutor/teach/home.html",
        {
            "classrooms": selectors.classrooms_for_teacher(teacher=user).prefetch_related(
                "enrolments", "assignments__problem_set"
            ),
            "problem_sets": selectors.problem_sets_for_owner(owner=user),
            "class_form": ClassroomForm(),
            "set_form": ProblemSetForm(),
            "open_flags": selectors.flags_for_teacher(teacher=user).filter(status="open").count(),
        },
    )


@require_POST
@teacher_required
def classroom_create(request: HttpRequest) -> HttpResponse:
    form = ClassroomForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the class a name (up to 120 characters).")
        return redirect("teach_home")
    classroom = classes.classroom_create(
        teacher=current_user(request), name=form.cleaned_data["name"]
    )
    messages.success(
        request, f"Class {classroom.name} created. Its join code is {classroom.join_code}."
    )
    return redirect("teach_class", classroom.pk)


def _assign_form(request: HttpRequest, data: object = None) -> AssignForm:
    sets = [(s.pk, s.title) for s in selectors.problem_sets_for_owner(owner=current_user(request))]
    return AssignForm(data, sets=sets, initial={"due_at": timezone.localtime() + timedelta(days=7)})


@teacher_required
def classroom_detail(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = _classroom(request, classroom_id)
    return render(
        request,
        "tutor/teach/class.html",
        {
            "classroom": classroom,
            "students": selectors.roster(classroom=classroom),
            "assignments": classroom.assignments.select_related("problem_set"),
            "assign_form": _assign_form(request),
        },
    )


@require_POST
@teacher_required
def classroom_regenerate(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = classes.classroom_regenerate_code(classroom=_classroom(request, classroom_id))
    messages.success(
        request, f"New join code: {classroom.join_code}. The old code no longer works."
    )
    return redirect("teach_class", classroom.pk)


@require_POST
@teacher_required
def assign(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = _classroom(request, classroom_id)
    form = _assign_form(request, request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a problem set and a due date.")
        return redirect("teach_class", classroom.pk)
    problem_set = _set(request, form.cleaned_data["problem_set"])
    try:
        problem_sets.assignment_create(
            problem_set=problem_set, classroom=classroom, due_at=form.cleaned_data["due_at"]
        )
    except UserError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{problem_set.title} is assigned to {classroom.name}.")
    return redirect("teach_class", classroom.pk)


@require_POST
@teacher_required
def set_create(request: HttpRequest) -> HttpResponse:
    form = ProblemSetForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the problem set a title.")
        return redirect("teach_home")
    created = problem_sets.problem_set_create(owner=current_user(request), **form.cleaned_data)
    return redirect("teach_set", created.pk)


@teacher_required
def set_detail(request: HttpRequest, set_id: int) -> HttpResponse:
    problem_set = _set(request, set_id)
    form = ProblemSetForm(
        request.POST or None,
        initial={"title": problem_set.title, "description": problem_set.description},
    )
    if request.method == "POST" and form.is_valid():
        problem_sets.problem_set_update(problem_set=problem_set, **form.cleaned_data)
        messages.success(request, "Saved.")
        return redirect("teach_set", problem_set.pk)
    return render(
        request,
        "tutor/teach/set.html",
        {
            "problem_set": problem_set,
            "form": form,
            "problems": [(p, markdown_to_html(p.statement)) for p in problem_set.problems.all()],
            "import_form": ImportForm(),
        },
    )


@teacher_required
def problem_edit(request: HttpRequest, set_id: int, problem_id: int | None = None) -> HttpResponse:
    problem_set = _set(request, set_id)
    problem = _problem(request, problem_id) if problem_id is not None else None
    if problem is not None and problem.problem_set_id != problem_set.pk:
        raise Http404
    initial = (
        {
            "statement": problem.statement,
            "answer_key": problem.answer_key,
            "skills": ", ".join(s.name for s in problem.skills.all()),
            "reference_solution": problem.reference_solution,
            "answer_form": problem.answer_form,
        }
        if problem
        else {}
    )
    form = ProblemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            problem_sets.problem_save(problem_set=problem_set, problem=problem, **form.cleaned_data)
        except UserError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Problem saved.")
            return redirect("teach_set", problem_set.pk)
    return render(
        request,
        "tutor/teach/problem_form.html",
        {"problem_set": problem_set, "problem": problem, "form": form},
    )


@require_POST
@teacher_required
def problem_move(request: HttpRequest, problem_id: int) -> HttpResponse:
    problem = _problem(request, problem_id)
    problem_sets.problem_move(
        problem=problem, offset=-1 if request.POST.get("direction") == "up" else 1
    )
    return redirect(f"{_set_url(problem)}#problem-{problem.pk}")


def _set_url(problem: Problem) -> str:
    return reverse("teach_set", args=[problem.problem_set_id])


@require_POST
@teacher_required
def problem_delete(request: HttpRequest, problem_id: int) -> HttpResponse:
    problem = _problem(request, problem_id)
    try:
        problem_sets.problem_delete(problem=problem)
    except UserError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Problem deleted.")
    return redirect(_set_url(problem))


@teacher_required
def set_import(request: HttpRequest, set_id: int) -> HttpResponse:
    problem_set = _set(request, set_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > problem_sets.MAX_IMPORT_BYTES:
            errors = ["the file is larger than 2 MB"]
        else:
            try:
                created = problem_sets.problems_import(
                    problem_set=problem_set, data=upload.read(), filename=upload.name or ""
                )
            except ImportFailed as exc:
                errors = exc.errors
            else:
                messages.success(request, f"Imported {len(created)} problems.")
                return redirect("teach_set", problem_set.pk)
    status = 400 if errors else 200
    return render(
        request,
        "tutor/teach/import.html",
        {"problem_set": problem_set, "form": form, "errors": errors},
        status=status,
    )


def _assignment(request: HttpRequest, assignment_id: int) -> Assignment:
    found = selectors.assignment_for_teacher(
        teacher=current_user(request), assignment_id=assignment_id
    )
    if found is None:
        raise Http404
    return found


@teacher_required
def progress(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = _assignment(request, assignment_id)
    problems, rows = selectors.assignment_progress(assignment=assignment)
    return render(
        request,
        "tutor/teach/progress.html",
        {"assignment": assignment, "problems": problems, "rows": rows},
    )


@teacher_required
def gradebook_csv(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = _assignment(request, assignment_id)
    problems, rows = selectors.assignment_progress(assignment=assignment)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"gradebook-{assignment.classroom_id}-{assignment.problem_set_id}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "username",
            "name",
            *[f"problem {i + 1} score" for i in range(len(problems))],
            "total",
            "out of",
        ]
    )
    for row in rows:
        writer.writerow(
            [
                _csv_safe(row.student.username),
                _csv_safe(row.student.get_full_name()),
                *[f"{c.attempt.score:g}" if c.attempt else "" for c in row.cells],
                f"{row.score:g}",
                len(problems),
            ]
        )
    return response


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ is run as a formula by spreadsheets (CSV injection);
    # names are typed by students, so such cells are quoted with a leading apostrophe.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@teacher_required
def student_work(
    request: HttpRequest, assignment_id: int, student_id: int, problem_id: int
) -> HttpResponse:
    assignment = _assignment(request, assignment_id)
    student = selectors.student_of_assignment(assignment=assignment, student_id=student_id)
    problem = assignment.problem_set.problems.filter(pk=problem_id).first()
    if student is None or problem is None:
        raise Http404
    session = TutoringSession.objects.filter(student=student, problem=problem).first()
    return render(
        request,
        "tutor/teach/student_work.html",
        {
            "assignment": assignment,
            "student": student,
            "problem": problem,
            "statement_html": markdown_to_html(problem.statement),
            "attempt": selectors.attempt_of(student=student, problem=problem),
            "turns": session.turns.prefetch_related("verdicts") if session else [],
        },
    )


@teacher_required
def teacher_flags(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    status = request.GET.get("status", "open")
    flags = selectors.flags_for_teacher(teacher=user)
    if status in ("open", "confirmed", "dismissed", "key_fixed"):
        flags = flags.filter(status=status)
    return render(request, "tutor/teach/flags.html", {"flags": flags[:200], "status": status})
