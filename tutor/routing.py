from __future__ import annotations

from django.urls import path

from tutor.consumers import SessionConsumer

websocket_urlpatterns = [
    path("ws/session/<int:session_id>/", SessionConsumer.as_asgi()),
]
