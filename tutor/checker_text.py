"""The checker's verdicts in the page's language.

The checker returns and stores canonical English (``tutor.checker.wording``). Here a stored
detail is read back into its template and values, the template is translated in the active
language, nested details among the values are translated the same way, and the values are put
back in. Math, numbers and the student's own words stay as written; a detail that no template
makes is returned as it is.
"""

from __future__ import annotations

from django.utils.translation import get_language, gettext

from tutor.checker import wording

# Stored details are cut at this length; reading one back costs more the longer it is
# (bench/checker_text.py), so nothing longer is read.
MAX_DETAIL_CHARS = 500


def translate_detail(text: str) -> str:
    """``text`` (an English detail) in the active language; unchanged when no template fits."""
    if not text or len(text) > MAX_DETAIL_CHARS or _source_language():
        return text
    return _translate(text, 0)


def _source_language() -> bool:
    # The templates are English: an English page shows the stored detail as it is.
    language = get_language() or "en"
    return language == "en" or language.startswith("en-")


def _translate(text: str, depth: int) -> str:
    found = wording.match(text)
    if found is None:
        # A fixed sentence stored as a detail outside the checker ("The step checker is not
        # available right now.") is a catalog entry of its own; anything else stays as is.
        return gettext(text) if depth == 0 else text
    template, values = found
    shown = dict(values)
    for name, value in values.items():
        inner = wording.nested_depth(name, depth)
        if name in wording.NESTED and inner <= wording.MAX_DEPTH:
            shown[name] = _translate(value, inner)
    translated = gettext(template.template)
    try:
        return translated.format(**shown)
    except (KeyError, IndexError, ValueError):
        # A translation that names a value the English does not: show the English.
        return template.format(**shown)
