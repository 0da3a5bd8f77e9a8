from __future__ import annotations

from django.apps import AppConfig


class TutorConfig(AppConfig):
    name = "tutor"
    verbose_name = "Stepwise"

    def ready(self) -> None:
        from django.conf import settings

        from tutor import checker, signals  # noqa: F401  (connects the receivers)

        # The checker is pure Python; Django hands it its settings once, at start-up.
        checker.configure(timeout=settings.CHECKER_TIMEOUT_S)
