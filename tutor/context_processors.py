from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def stepwise(request: HttpRequest) -> dict[str, object]:
    return {"TUTOR_BACKEND": settings.TUTOR_BACKEND}
