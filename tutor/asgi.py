"""ASGI entry point: `daphne tutor.asgi:application` serves pages and websockets."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tutor.settings")
django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from tutor.body_limit import BodyLimit  # noqa: E402
from tutor.checker_warmup import warm_checker_in_background  # noqa: E402
from tutor.reaper import start_reaper  # noqa: E402
from tutor.routing import websocket_routes  # noqa: E402
from tutor.ws_origin import SameOriginValidator  # noqa: E402

warm_checker_in_background()
# With no worker alive at all, a dead worker's turn must still be failed for the student.
if settings.TURN_REAPER_IN_WEB:
    start_reaper()

application = ProtocolTypeRouter(
    {
        # Bodies over the cap are refused before Django reads them.
        "http": BodyLimit(django_application, settings.MAX_REQUEST_BYTES),
        # An Origin that is not this site's, in scheme, host and port, is refused before any
        # consumer code runs.
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_routes))),
    }
)
