"""Text from users that is about to be stored: refused with a clear message if it cannot be.

PostgreSQL refuses a NUL character in text, and UTF-8 cannot encode a lone surrogate (JSON's
"\\ud800" decodes to one). Either raised deep in the database driver, which closed the socket
with 1011 or answered 500, and put the driver's error, with the text, in the log.
"""

from __future__ import annotations

from tutor.errors import UserError


def storable_text(text: str, *, what: str) -> str:
    """The text itself, or UserError naming `what` ("Questions") when it cannot be stored."""
    if "\x00" in text:
        raise UserError(f"{what} cannot contain the NUL character.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UserError(f"{what} must be valid Unicode text.") from None
    return text
