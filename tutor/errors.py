"""Errors that carry a message a student or teacher can read."""

from __future__ import annotations


class UserError(Exception):
    """A request that cannot be carried out, with a message safe to show the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TurnBusy(UserError):
    pass


class RateLimited(UserError):
    pass
