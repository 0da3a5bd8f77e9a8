"""The Celery application. Workers start with `celery -A tutor.celery worker -Q gpu`."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tutor.settings")

# The registered name of the turn task. Services send it by this name, so the web process
# never imports the worker's module; settings route every "tutor.worker.*" task to the GPU queue.
GENERATE_TURN = "tutor.worker.generate_turn"

app = Celery("stepwise")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["tutor.worker", "tutor.lti"])
