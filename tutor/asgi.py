"""ASGI entry point: `daphne tutor.asgi:application` serves pages and websockets."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tutor.settings")
django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from tutor.checker_warmup import warm_checker_in_background  # noqa: E402
from tutor.reaper import start_reaper  # noqa: E402
from tutor.routing import websocket_urlpatterns  # noqa: E402

warm_checker_in_background()
# With no worker alive at all, a dead worker's turn must still be failed for the student.
if settings.TURN_REAPER_IN_WEB:
    start_reaper()

application = ProtocolTypeRouter(
    {
        "http": django_application,
        # A missing or foreign Origin is refused before any consumer code runs.
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
