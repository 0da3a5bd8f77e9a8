"""Why a launch was refused, in words for the person and in one log line for the operator.

PyLTI1p3 raises one exception class for every failed check; the check is told apart by its
message. The log line carries the reason only: no claim, name, `sub` or token.
"""

from __future__ import annotations

import hashlib
import logging
from enum import StrEnum

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, gettext_noop

from tutor.lti import embedding

log = logging.getLogger("tutor.lti")


class Refusal(StrEnum):
    BAD_SIGNATURE = "bad_signature"
    WRONG_AUDIENCE = "wrong_audience"
    EXPIRED = "expired_token"
    REPLAYED_NONCE = "replayed_nonce"
    UNKNOWN_DEPLOYMENT = "unknown_deployment"
    MISSING_STATE = "missing_state"
    NOT_SET_UP = "not_set_up"
    BAD_REQUEST = "bad_request"


# Marked here, translated when shown: refuse() renders them in the page's language.
EXPLANATIONS = {
    Refusal.BAD_SIGNATURE: gettext_noop(
        "The LMS's signature on this launch could not be verified."
    ),
    Refusal.WRONG_AUDIENCE: gettext_noop(
        "This launch was meant for a different tool, not this Stepwise."
    ),
    Refusal.EXPIRED: gettext_noop(
        "This launch has expired. Go back to the LMS and open the activity again."
    ),
    Refusal.REPLAYED_NONCE: gettext_noop(
        "This launch was already used. Go back to the LMS and open the activity again."
    ),
    Refusal.UNKNOWN_DEPLOYMENT: gettext_noop(
        "This LMS deployment is not enabled in Stepwise. An administrator can enable it."
    ),
    Refusal.MISSING_STATE: gettext_noop(
        "Your browser did not keep the launch's cookie (embedded pages often cannot). "
        "Open the activity in a new window, or allow cookies for this site."
    ),
    Refusal.NOT_SET_UP: gettext_noop("This activity is not set up in Stepwise yet."),
    Refusal.BAD_REQUEST: gettext_noop("This launch is not a valid LTI launch."),
}

# Message fragments of pylti1p3.message_launch's checks, first match wins.
_MESSAGES: tuple[tuple[str, Refusal], ...] = (
    ("state", Refusal.MISSING_STATE),
    ("nonce", Refusal.REPLAYED_NONCE),
    ("expired", Refusal.EXPIRED),
    ("registration not found", Refusal.WRONG_AUDIENCE),
    ("client id not registered", Refusal.WRONG_AUDIENCE),
    ("audience", Refusal.WRONG_AUDIENCE),
    ("signature", Refusal.BAD_SIGNATURE),
    ("public key", Refusal.BAD_SIGNATURE),
    ("kid", Refusal.BAD_SIGNATURE),
    ("deployment", Refusal.UNKNOWN_DEPLOYMENT),
)


def refusal_for(message: str) -> Refusal:
    lowered = message.lower()
    for fragment, refusal in _MESSAGES:
        if fragment in lowered:
            return refusal
    return Refusal.BAD_REQUEST


def refuse(request: HttpRequest, refusal: Refusal, *, detail: str = "") -> HttpResponse:
    log.warning("LTI launch refused: %s", refusal.value)
    context = {"reason": refusal.value, "explanation": detail or gettext(EXPLANATIONS[refusal])}
    response = render(request, "lti/refused.html", context, status=403)
    # Shown inside the LMS's iframe, so the person reads why; the page has no actions.
    embedding.allow_framing(response, embedding.registered_origins())
    return response


# As long as PyLTI1p3 keeps the nonces it issued (a day): while it would still accept a
# nonce, Stepwise still remembers that it was used.
NONCE_MEMORY_S = 24 * 60 * 60


def first_use_of_nonce(*, issuer: str, nonce: str) -> bool:
    """True the first time a platform's nonce is seen; False on every replay.

    PyLTI1p3 checks that the nonce is one Stepwise issued but does not use it up, so the same
    id_token would be accepted again until its state cookie expired. cache.add is atomic in
    Redis: of two replays racing, one wins.
    """
    digest = hashlib.sha256(f"{issuer}\n{nonce}".encode()).hexdigest()
    return bool(cache.add(f"stepwise:lti-nonce:{digest}", 1, NONCE_MEMORY_S))
