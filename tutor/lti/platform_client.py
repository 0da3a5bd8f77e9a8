"""PyLTI1p3's service connector for a registration, with a time limit on every request.

PyLTI1p3 calls requests without a timeout, so a platform that accepts the connection and
never answers would hold a worker forever.
"""

from __future__ import annotations

from typing import Any

import requests
from lti_tool.models import LtiRegistration
from pylti1p3.service_connector import ServiceConnector

PLATFORM_TIMEOUT_S = 10.0


class _TimedSession(requests.Session):
    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", PLATFORM_TIMEOUT_S)
        return super().request(*args, **kwargs)


def service_connector(registration: LtiRegistration) -> ServiceConnector:
    session = _TimedSession()
    session.headers["User-Agent"] = "Stepwise LTI tool"
    return ServiceConnector(registration.to_registration(), requests_session=session)
