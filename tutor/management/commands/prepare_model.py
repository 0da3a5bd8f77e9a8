"""Decide which model the workers will load, building the tiny demo model if needed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from inference.loading import resolve_model


class Command(BaseCommand):
    help = "Resolve TUTOR_MODEL; build the tiny demo model when the real weights are absent."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TUTOR_BACKEND != "transformers":
            self.stdout.write(f"Backend {settings.TUTOR_BACKEND}: no local weights needed.")
            return
        model, is_demo = resolve_model(settings.TUTOR_MODEL, settings.TUTOR_TINY_DIR)
        if is_demo:
            self.stdout.write(
                f"The weights for {settings.TUTOR_MODEL} are not present: using the tiny demo "
                f"model at {model}. Its answers are noise; the page says 'demo model'."
            )
        else:
            self.stdout.write(f"Tutor model: {model}")
