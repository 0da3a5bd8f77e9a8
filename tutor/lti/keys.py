"""Stepwise's own signing key for LTI, made on first use.

django-lti signs with the newest active key and fails (a server error) when there is none;
`manage.py rotate_keys` makes one, but a fresh install should not have to know that.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from lti_tool.models import Key


def ensure_signing_key() -> None:
    # Two first requests at once may each make a key: both are published, the newer signs.
    if not Key.objects.active().exists():
        Key.objects.generate()


def jwks(request: HttpRequest) -> JsonResponse:
    """The public halves of every active key (django-lti's view, with a key made if none)."""
    ensure_signing_key()
    return JsonResponse(Key.objects.as_jwks())
