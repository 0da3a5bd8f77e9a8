"""The student's pages: dashboard, problem sets, and the problem workspace with its endpoints."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_POST

from inference.prompts import HINT_RUNGS
from tutor import assignment_rules, mastery_selectors, selectors
from tutor.checker.decimal_comma import uses_decimal_comma
from tutor.checker_text import translate_detail
from tutor.errors import RateLimited, UserError
from tutor.forms import JoinForm
from tutor.models import Attempt, Problem, User
from tutor.problem_variants import shown_problem
from tutor.rendering import markdown_to_html
from tutor.services import answer_reading, attempts, flags, turns
from tutor.views.common import BadJson, current_user, json_error, read_json, student_required

# The site's policy and style attributes, for the math keypad (tutor/settings.py says why).
# Cast: the Django plugin for mypy types a setting from its value, here as dict[str, object].
PROBLEM_PAGE_CSP = cast("Mapping[str, list[str]]", settings.PROBLEM_PAGE_CSP)


def _assigned(student: User, problem_id: int) -> Problem | None:
    """The problem, if it is assigned to one of the student's classes; else None (a 404)."""
    return selectors.problems_for_student(student=student).filter(pk=problem_id).first()


def _shown_step(step: dict[str, Any]) -> dict[str, Any]:
    """A checked step as the page shows it: its detail in the page's language. ``retry``
    marks a line the checker had no time for, which the page sends again in a moment."""
    detail = step.get("detail") or ""
    return {
        **step,
        "detail": translate_detail(detail),
        "retry": step.get("verdict") == "unchecked" and detail.startswith("not checked yet"),
    }


def _decimal_comma() -> bool:
    """Whether this page's language writes a half as 0,5 (tutor.checker.decimal_comma)."""
    return uses_decimal_comma(translation.get_language())


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if user.is_reviewer:
        return redirect("review_queue")
    if user.is_teacher:
        return redirect("teach_home")
    return render(
        request,
        "tutor/student_home.html",
        {
            "rows": selectors.student_dashboard(student=user),
            "skills": mastery_selectors.student_skills(student=user),
            "join_form": JoinForm(),
        },
    )


@login_required
def problem_set(request: HttpRequest, set_id: int) -> HttpResponse:
    user = current_user(request)
    problems = selectors.problems_for_student(student=user).filter(problem_set_id=set_id)
    if not problems.exists():
        raise Http404
    done = {a.problem_id: a for a in user.attempts.filter(problem__in=problems)}
    return render(
        request,
        "tutor/problem_set.html",
        {
            "problem_set": problems[0].problem_set,
            "rows": [(p, done.get(p.pk)) for p in problems],
        },
    )


@csp_override(PROBLEM_PAGE_CSP)
@login_required
def problem(request: HttpRequest, problem_id: int) -> HttpResponse:
    user = current_user(request)
    found = _assigned(user, problem_id)
    if found is None:
        raise Http404
    session = turns.session_for(student=user, problem=found)
    turns.turns_reap_dead(session=session)
    attempt = selectors.attempt_of(student=user, problem=found)
    shown = shown_problem(problem=found, student=user, attempt=attempt)
    siblings = list(found.problem_set.problems.values_list("pk", flat=True))
    position = siblings.index(found.pk)
    solved = attempt is not None and attempt.status == Attempt.Status.CORRECT
    return render(
        request,
        "tutor/problem.html",
        {
            "problem": found,
            "number": position + 1,
            "previous_id": siblings[position - 1] if position > 0 else None,
            "next_id": siblings[position + 1] if position + 1 < len(siblings) else None,
            "statement_html": markdown_to_html(shown.statement),
            "shown": shown,
            "another": attempts.another_allowed(problem=found, attempt=attempt),
            "session": session,
            "hint_rungs": HINT_RUNGS,
            "attempt": attempt,
            "terms": _terms_shown(user, found, shown.answer_key),
            # After a right answer: where to go next, chosen by mastery.
            "suggestion": mastery_selectors.next_unmastered_problem(student=user, problem=found)
            if solved
            else None,
            "skill_levels": mastery_selectors.problem_skill_levels(student=user, problem=found),
            "work_text": "\n".join(attempt.steps) if attempt else "",
            "saved_steps": [
                _shown_step(
                    {
                        "index": v.index,
                        "text": v.text,
                        "verdict": v.verdict,
                        "detail": v.detail,
                        "rule": v.rule or None,
                        "read_as": v.read_as or None,
                    }
                )
                for v in (attempt.verdicts.all() if attempt else [])
            ],
        },
    )


def _terms_shown(student: User, problem: Problem, answer_key: str) -> dict[str, Any]:
    """What the problem page says about its assignment: due date, late, tries, the key."""
    assignment = selectors.assignment_for_work(student=student, problem=problem)
    if assignment is None:
        return {"assignment": None, "late": False, "tries_left": None, "answer_key": None}
    now = timezone.now()
    shown = assignment_rules.answer_shown(assignment, now)
    return {
        "assignment": assignment,
        "late": assignment_rules.is_late(assignment, now),
        "tries_left": assignment_rules.tries_left(
            assignment, decided=selectors.decided_tries(student=student, problem=problem)
        ),
        # The key only after the due date, and only where the teacher chose to show it.
        "answer_key": answer_key if shown else None,
    }


@require_POST
@student_required
def check_steps(request: HttpRequest, problem_id: int) -> JsonResponse:
    """The work area posts every line; each comes back with how it was read and its verdict."""
    user = current_user(request)
    found = _assigned(user, problem_id)
    if found is None:
        return json_error(gettext("Not found."), 404)
    try:
        data = read_json(request)
    except BadJson as bad:
        return bad.response
    lines, version = data.get("lines"), data.get("version")
    if not isinstance(lines, list):
        return json_error(gettext("Send the lines of your work as a list."))
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        return json_error(gettext("The edit number must be a positive whole number."))
    try:
        result = attempts.attempt_check_steps(
            student=user,
            problem=found,
            lines=lines,
            version=version,
            decimal_comma=_decimal_comma(),
        )
    except RateLimited as exc:
        return json_error(exc.message, 429)
    except UserError as exc:
        return json_error(exc.message)
    return JsonResponse(
        {
            "steps": [_shown_step(step.to_dict()) for step in result.steps],
            "saved": result.saved,
            "version": result.version,
        }
    )


@require_POST
@student_required
def submit_answer(request: HttpRequest, problem_id: int) -> HttpResponse:
    user = current_user(request)
    found = _assigned(user, problem_id)
    if found is None:
        raise Http404
    try:
        submission = attempts.attempt_submit_answer(
            student=user,
            problem=found,
            answer=request.POST.get("answer", ""),
            decimal_comma=_decimal_comma(),
        )
    except UserError as exc:
        messages.error(request, exc.message)
    else:
        if submission.equivalent is True:
            messages.success(
                request,
                gettext("Correct: %(answer)s matches the answer.") % {"answer": submission.answer},
            )
        elif submission.equivalent is False:
            messages.error(
                request,
                gettext("Not yet: %(answer)s does not match. Try again.")
                % {"answer": submission.answer},
            )
        elif submission.detail.startswith(attempts.RIGHT_VALUE_WRONG_FORM):
            # The value is right and the form is not what the question asks for: say which.
            # The detail is the checker's stored English ("right value, but ..."), shown in
            # the page's language.
            detail = translate_detail(submission.detail)
            messages.warning(
                request,
                gettext("Almost: %(answer)s has the %(detail)s.")
                % {"answer": submission.answer, "detail": detail},
            )
        else:
            messages.warning(
                request,
                gettext(
                    "The checker could not decide whether your answer matches. "
                    "It is saved, and your teacher can see it."
                ),
            )
    return redirect(reverse("problem", args=[found.pk]) + "#answer")


@require_POST
@student_required
def answer_read_as(request: HttpRequest, problem_id: int) -> JsonResponse:
    """The final answer's "read as" preview: how the checker would read it, before it is sent."""
    user = current_user(request)
    if _assigned(user, problem_id) is None:
        return json_error(gettext("Not found."), 404)
    try:
        data = read_json(request)
    except BadJson as bad:
        return bad.response
    answer = data.get("answer")
    if not isinstance(answer, str):
        return json_error(gettext("Send the answer as text."))
    try:
        found = answer_reading.answer_read_as(
            student=user, answer=answer, decimal_comma=_decimal_comma()
        )
    except RateLimited as exc:
        return json_error(exc.message, 429)
    except UserError as exc:
        return json_error(exc.message)
    return JsonResponse(found.to_dict())


@require_POST
@student_required
def another_variant(request: HttpRequest, problem_id: int) -> HttpResponse:
    """ "Show me another": a fresh variant of a templated problem."""
    user = current_user(request)
    found = _assigned(user, problem_id)
    if found is None:
        raise Http404
    try:
        attempts.attempt_another_variant(student=user, problem=found)
    except UserError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, gettext("Here is another one: the same kind of problem, new numbers.")
        )
    return redirect("problem", found.pk)


@require_POST
@student_required
def dispute(request: HttpRequest) -> JsonResponse:
    """ "I think this is wrong" on a step verdict: the tutor's (turn) or the student's own."""
    user = current_user(request)
    try:
        data = read_json(request)
    except BadJson as bad:
        return bad.response
    index = data.get("index")
    reason = data.get("reason") or ""
    if not isinstance(index, int) or index < 0 or not isinstance(reason, str):
        return json_error(gettext("Say which step you mean."))
    if isinstance(data.get("turn"), int):
        turn = selectors.dispute_turn_for(user=user, turn_id=data["turn"])
        if turn is None:
            return json_error(gettext("Not found."), 404)
        target: dict[str, Any] = {"turn": turn}
    elif isinstance(data.get("problem"), int):
        attempt = selectors.dispute_attempt_for(user=user, problem_id=data["problem"])
        if attempt is None:
            return json_error(gettext("Not found."), 404)
        target = {"attempt": attempt}
    else:
        return json_error(gettext("Say which step you mean."))
    try:
        flag = flags.flag_dispute(user=user, index=index, reason=reason, **target)
    except UserError as exc:
        return json_error(exc.message)
    return JsonResponse(
        {"flag": flag.pk, "message": gettext("Thanks: a reviewer will look at this step.")},
        status=201,
    )


@require_GET
@login_required
def turn_steps(request: HttpRequest, turn_id: int) -> JsonResponse:
    """One page of a tutor answer's checked steps: ``?part=answer|thinking&after=N``.

    Long answers are read this way rather than in the websocket snapshot, whose frames must
    stay small; the page asks for the thinking only when the student opens it.
    """
    turn = selectors.turn_visible_to(user=current_user(request), turn_id=turn_id)
    if turn is None:
        raise Http404
    part = request.GET.get("part", "answer")
    if part not in ("answer", "thinking"):
        return json_error(gettext("part must be answer or thinking."), status=400)
    try:
        after = int(request.GET.get("after", "-1"))
        limit = int(request.GET.get("limit", str(selectors.STEPS_PAGE)))
    except ValueError:
        return json_error(gettext("after and limit must be whole numbers."), status=400)
    page = selectors.turn_steps_page(
        turn=turn, thinking=part == "thinking", after=after, limit=limit
    )
    page["steps"] = [{**s, "detail": translate_detail(s["detail"])} for s in page["steps"]]
    return JsonResponse(page)
