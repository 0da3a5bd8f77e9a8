"""Text from users that is about to be stored: refused with a clear message if it cannot be.

PostgreSQL refuses a NUL character in text, and UTF-8 cannot encode a lone surrogate (JSON's
"\\ud800" decodes to one). Either raised deep in the database driver, which closed the socket
with 1011 or answered 500, and put the driver's error, with the text, in the log.
"""

from __future__ import annotations

from django.utils.translation import gettext

from tutor.errors import UserError


def storable_text(text: str, *, what: str) -> str:
    """The text itself, or UserError naming `what` ("Questions") when it cannot be stored.

    `what` is already in the page's language: the caller translates it.
    """
    if "\x00" in text:
        raise UserError(gettext("%(what)s cannot contain the NUL character.") % {"what": what})
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UserError(gettext("%(what)s must be valid Unicode text.") % {"what": what}) from None
    return text
