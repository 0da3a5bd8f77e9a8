"""Why a tutor answer stopped, stored in English and shown in the page's language.

A turn's ``error`` is saved once, by the worker, and read by students in any language; so
it is stored as one of the English sentences below and translated when it is shown.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext, gettext_noop

WORKER_LOST = gettext_noop(
    "The tutor stopped unexpectedly. Your request was not finished; try again."
)
TIMED_OUT = gettext_noop("The answer took too long and was cut short.")
FAILED = gettext_noop("The tutor hit an error while answering. Try again.")
CUT_OFF = gettext_noop(
    "The answer was cut off after %(tokens)s tokens, the most one answer may use. "
    "You can ask the tutor to continue it."
)
_CUT_OFF = re.compile(re.escape(CUT_OFF).replace(re.escape("%(tokens)s"), r"(?P<tokens>[\d,]+)"))


def cut_off(tokens: int) -> str:
    """The stored (English) sentence for an answer stopped at the token cap."""
    return CUT_OFF % {"tokens": f"{tokens:,}"}


def shown_error(error: str) -> str:
    """``error`` in the active language; a sentence not listed here is shown as stored."""
    if not error:
        return error
    if (found := _CUT_OFF.fullmatch(error)) is not None:
        return gettext(CUT_OFF) % {"tokens": found["tokens"]}
    if error in (WORKER_LOST, TIMED_OUT, FAILED):
        return gettext(error)
    return error
