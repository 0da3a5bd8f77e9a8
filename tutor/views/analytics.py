"""The teacher's class analytics for one assignment: tables, charts drawn from them, CSV."""

from __future__ import annotations

import csv

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from tutor.analytics import class_analytics
from tutor.views.common import teacher_required
from tutor.views.teacher import _assignment, _csv_safe


@teacher_required
def analytics(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = _assignment(request, assignment_id)
    return render(
        request,
        "tutor/teach/analytics.html",
        {"assignment": assignment, "tables": class_analytics(assignment=assignment)},
    )


@teacher_required
def analytics_csv(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """One section as CSV (``?table=<key>``), with numbers rather than their display text."""
    assignment = _assignment(request, assignment_id)
    key = request.GET.get("table", "")
    table = next((t for t in class_analytics(assignment=assignment) if t.key == key), None)
    if table is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"analytics-{assignment.classroom_id}-{assignment.problem_set_id}-{table.key}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(
            [_csv_safe(c.text) if c.value is None else f"{c.value:g}" for c in row]
        )
    return response
