"""The review queue for admins and reviewers: filter, inspect, resolve with a note."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from tutor import selectors
from tutor.errors import UserError
from tutor.forms import QueueFilterForm, ResolveForm
from tutor.models import Flag
from tutor.rendering import markdown_to_html
from tutor.services import flags
from tutor.views.common import current_user, reviewer_required


@reviewer_required
def queue(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    params = request.GET if request.GET else {"status": "open"}
    form = QueueFilterForm(params)
    kind = status = ""
    if form.is_valid():
        kind, status = form.cleaned_data["kind"], form.cleaned_data["status"]
    page = Paginator(selectors.review_queue(user=user, kind=kind, status=status), 25).get_page(
        request.GET.get("page")
    )
    counts = selectors.review_counts(user=user)
    return render(
        request,
        "tutor/review/queue.html",
        {
            "form": form,
            "page": page,
            "kind": kind,
            "status": status,
            "kind_counts": [(k, label, counts["kind"].get(k, 0)) for k, label in Flag.Kind.choices],
            "status_counts": [
                (s, label, counts["status"].get(s, 0)) for s, label in Flag.Status.choices
            ],
        },
    )


@reviewer_required
def flag_detail(request: HttpRequest, flag_id: int) -> HttpResponse:
    user = current_user(request)
    flag = selectors.flag_for_reviewer(user=user, flag_id=flag_id)
    if flag is None:
        raise Http404
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            flags.flag_resolve(
                flag=flag,
                reviewer=user,
                action=data["action"],
                note=data["note"],
                new_key=data["new_key"],
            )
        except UserError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                gettext("Flag %(number)s: %(status)s.")
                % {"number": flag.pk, "status": flag.get_status_display().lower()},
            )
            return redirect("review_queue")
    student = None
    if flag.attempt is not None:
        student = flag.attempt.student
    elif flag.turn is not None:
        student = flag.turn.session.student
    return render(
        request,
        "tutor/review/flag.html",
        {
            "flag": flag,
            "form": form,
            "student": student,
            "context_steps": selectors.flag_context(flag=flag),
            "events": flag.events.all(),
            "statement_html": markdown_to_html(flag.problem.statement),
        },
    )
