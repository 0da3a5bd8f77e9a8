"""``{{ step.detail|checker_text }}``: a checker verdict in the page's language."""

from __future__ import annotations

from django import template

from tutor.checker_text import translate_detail

register = template.Library()


@register.filter(name="checker_text")
def checker_text(detail: object) -> str:
    """The translated detail, as plain text: the template escapes it like any other value."""
    if detail is None:
        return ""
    return translate_detail(str(detail))
