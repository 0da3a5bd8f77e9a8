"""The teacher's class analytics for one assignment: tables, charts drawn from them, CSV."""

from __future__ import annotations

import csv

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tutor.analytics import TABLE_KEYS, AnalyticsTable, Cell, class_analytics
from tutor.views.common import teacher_required
from tutor.views.teacher import _assignment, _csv_safe


@teacher_required
def analytics(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = _assignment(request, assignment_id)
    tables = class_analytics(assignment=assignment)
    return render(
        request,
        "tutor/teach/analytics.html",
        {"assignment": assignment, "tables": [(t, _body(t)) for t in tables]},
    )


def _cell(cell: Cell) -> str:
    if cell.value is None:
        return f"<td>{escape(cell.text)}</td>"
    return f'<td class="num" data-value="{cell.value:g}">{escape(cell.text)}</td>'


def _body(table: AnalyticsTable) -> SafeString:
    """The rows of a table as HTML, every text escaped.

    Built here rather than in the template: a class of 200 has a few thousand cells, and the
    template loop cost about 80 ms of the page's time for them (bench/analytics.py).
    """
    rows = (
        f'<tr><th scope="row">{escape(first.text)}</th>{"".join(map(_cell, rest))}</tr>'
        for first, *rest in table.rows
    )
    return mark_safe("\n".join(rows))


@teacher_required
def analytics_csv(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """One section as CSV (``?table=<key>``, the misconceptions by default), with numbers
    rather than their display text."""
    assignment = _assignment(request, assignment_id)
    key = request.GET.get("table", "misconceptions")
    tables = class_analytics(assignment=assignment, only=key) if key in TABLE_KEYS else []
    table = next((t for t in tables if t.key == key), None)
    if table is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"analytics-{assignment.classroom_id}-{assignment.problem_set_id}-{table.key}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_csv_safe(c.text) if c.value is None else f"{c.value:g}" for c in row])
    return response
