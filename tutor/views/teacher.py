"""The teacher's pages. Every object is looked up through the teacher's own classes and sets
(tutor.selectors); anything else is a 404, so another teacher's ids reveal nothing."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from tutor import selectors
from tutor.errors import UserError
from tutor.forms import AssignForm, ClassroomForm, ImportForm, ProblemForm, ProblemSetForm
from tutor.lti import selectors as lti_selectors
from tutor.models import (
    Assignment,
    Attempt,
    Classroom,
    Problem,
    ProblemSet,
    StepVerdict,
    Turn,
    TutoringSession,
)
from tutor.problem_variants import ShownProblem
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
        messages.error(request, gettext("Give the class a name (up to 120 characters)."))
        return redirect("teach_home")
    classroom = classes.classroom_create(
        teacher=current_user(request), name=form.cleaned_data["name"]
    )
    messages.success(
        request,
        gettext("Class %(class_name)s created. Its join code is %(code)s.")
        % {"class_name": classroom.name, "code": classroom.join_code},
    )
    return redirect("teach_class", classroom.pk)


def _assign_form(request: HttpRequest, data: object = None) -> AssignForm:
    sets = [(s.pk, s.title) for s in selectors.problem_sets_for_owner(owner=current_user(request))]
    return AssignForm(data, sets=sets, initial={"due_at": timezone.localtime() + timedelta(days=7)})


def _class_page(
    request: HttpRequest, classroom: Classroom, assign_form: AssignForm | None = None
) -> HttpResponse:
    return render(
        request,
        "tutor/teach/class.html",
        {
            "classroom": classroom,
            "students": selectors.roster(classroom=classroom),
            "assignments": classroom.assignments.select_related("problem_set"),
            "assign_form": assign_form or _assign_form(request),
            "lms_linked": lti_selectors.classroom_is_linked(classroom=classroom),
        },
    )


@teacher_required
def classroom_detail(request: HttpRequest, classroom_id: int) -> HttpResponse:
    return _class_page(request, _classroom(request, classroom_id))


@require_POST
@teacher_required
def classroom_regenerate(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = classes.classroom_regenerate_code(classroom=_classroom(request, classroom_id))
    messages.success(
        request,
        gettext("New join code: %(code)s. The old code no longer works.")
        % {"code": classroom.join_code},
    )
    return redirect("teach_class", classroom.pk)


def _terms(data: dict[str, Any]) -> problem_sets.AssignmentTerms:
    return problem_sets.AssignmentTerms(
        due_at=data["due_at"],
        late_penalty_percent=data.get("late_penalty_percent") or 0,
        max_tries=data.get("max_tries"),
        show_answer_after_due=bool(data.get("show_answer_after_due")),
    )


@require_POST
@teacher_required
def assign(request: HttpRequest, classroom_id: int) -> HttpResponse:
    """Assign a set; a set the class already has is changed only after a confirmation page."""
    classroom = _classroom(request, classroom_id)
    form = _assign_form(request, request.POST)
    if not form.is_valid():
        # The class page again, with the form's own errors (a past due date says so there).
        return _class_page(request, classroom, form)
    problem_set = _set(request, form.cleaned_data["problem_set"])
    try:
        problem_sets.assignment_create(
            problem_set=problem_set,
            classroom=classroom,
            terms=_terms(form.cleaned_data),
            replace=form.cleaned_data["confirm"],
        )
    except problem_sets.AlreadyAssigned as exc:
        return render(
            request,
            "tutor/teach/assign_confirm.html",
            {"classroom": classroom, "existing": exc.assignment, "form": form},
        )
    except UserError as exc:
        messages.error(request, exc.message)
    else:
        names = {"set": problem_set.title, "class_name": classroom.name}
        if form.cleaned_data["confirm"]:
            done = gettext("%(set)s is updated for %(class_name)s.") % names
        else:
            done = gettext("%(set)s is assigned to %(class_name)s.") % names
        messages.success(request, done)
    return redirect("teach_class", classroom.pk)


@require_POST
@teacher_required
def set_create(request: HttpRequest) -> HttpResponse:
    form = ProblemSetForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Give the problem set a title."))
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
        messages.success(request, gettext("Saved."))
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
            "parameters": problem.parameters,
        }
        if problem
        else {}
    )
    form = ProblemForm(request.POST or None, initial=initial)
    previews: list[ShownProblem] = []
    if request.method == "POST" and request.POST.get("action") == "preview":
        if form.is_valid():
            try:
                previews = problem_sets.template_previews(**form.cleaned_data)
            except UserError as exc:
                form.add_error("parameters", exc.message)
        return render(
            request,
            "tutor/teach/problem_form.html",
            {"problem_set": problem_set, "problem": problem, "form": form, "previews": previews},
        )
    if problem is not None and problem.parameters and request.method == "GET":
        try:
            previews = problem_sets.template_previews(**initial)
        except UserError:
            previews = []
    if request.method == "POST" and form.is_valid():
        try:
            problem_sets.problem_save(problem_set=problem_set, problem=problem, **form.cleaned_data)
        except UserError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("Problem saved."))
            return redirect("teach_set", problem_set.pk)
    return render(
        request,
        "tutor/teach/problem_form.html",
        {"problem_set": problem_set, "problem": problem, "form": form, "previews": previews},
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
        messages.success(request, gettext("Problem deleted."))
    return redirect(_set_url(problem))


@teacher_required
def set_import(request: HttpRequest, set_id: int) -> HttpResponse:
    problem_set = _set(request, set_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > problem_sets.MAX_IMPORT_BYTES:
            errors = [gettext("the file is larger than 2 MB")]
        else:
            try:
                created = problem_sets.problems_import(
                    problem_set=problem_set, data=upload.read(), filename=upload.name or ""
                )
            except ImportFailed as exc:
                errors = exc.errors
            else:
                count = len(created)
                messages.success(
                    request,
                    ngettext("Imported %(count)d problem.", "Imported %(count)d problems.", count)
                    % {"count": count},
                )
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
    lms = lti_selectors.grade_statuses(assignment=assignment)
    return render(
        request,
        "tutor/teach/progress.html",
        {
            "assignment": assignment,
            "problems": problems,
            "rows": rows,
            "grid": [(row, lms.get(row.student.pk, "")) for row in rows],
            "lms_linked": lti_selectors.assignment_is_linked(assignment=assignment),
        },
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
    # Lines with no checkable math (prose, blank working) are hidden unless asked for: they
    # carry no verdict, and in a long tutor answer they bury the lines that do.
    show_all = request.GET.get("lines") == "all"
    attempt = selectors.attempt_of(student=student, problem=problem)
    turns = list(session.turns.prefetch_related("verdicts")) if session else []
    return render(
        request,
        "tutor/teach/student_work.html",
        {
            "assignment": assignment,
            "student": student,
            "problem": problem,
            "statement_html": markdown_to_html(problem.statement),
            "attempt": attempt,
            "attempt_steps": _shown_steps(attempt.verdicts.all() if attempt else [], show_all),
            "turns": [(turn, _shown_steps(turn.verdicts.all(), show_all)) for turn in turns],
            "show_all": show_all,
            "hidden": 0 if show_all else _count_no_math(attempt, turns),
        },
    )


def _shown_steps(steps: Iterable[StepVerdict], show_all: bool) -> list[StepVerdict]:
    return [v for v in steps if show_all or v.verdict != StepVerdict.Verdict.NONE]


def _count_no_math(attempt: Attempt | None, turns: list[Turn]) -> int:
    lists = [attempt.verdicts.all()] if attempt else []
    lists += [turn.verdicts.all() for turn in turns]
    return sum(1 for steps in lists for v in steps if v.verdict == StepVerdict.Verdict.NONE)


@teacher_required
def teacher_flags(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    status = request.GET.get("status", "open")
    flags = selectors.flags_for_teacher(teacher=user)
    if status in ("open", "confirmed", "dismissed", "key_fixed"):
        flags = flags.filter(status=status)
    return render(request, "tutor/teach/flags.html", {"flags": flags[:200], "status": status})
