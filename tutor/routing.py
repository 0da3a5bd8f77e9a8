from __future__ import annotations

from django.urls import path, re_path

from tutor.consumers import SessionConsumer, UnknownRouteConsumer

websocket_urlpatterns = [
    path("ws/session/<int:session_id>/", SessionConsumer.as_asgi()),
]

# What the router serves: the routes above, then a refusal for any other path. Without it an
# unmatched path (ws/session/abc/) raised in the router, and daphne answered with a 500.
websocket_routes = [*websocket_urlpatterns, re_path(r"", UnknownRouteConsumer.as_asgi())]
