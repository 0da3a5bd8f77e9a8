"""Start the checker's worker processes when a server starts, not on a student's first line.

A cold pool takes a second or more to start on these machines, which ate most of the 2 s
cap of the first check and made it come back "unknown".
"""

from __future__ import annotations

import logging
import threading

from tutor import checker

log = logging.getLogger(__name__)


def warm_checker_in_background() -> None:
    def warm() -> None:
        try:
            checker.check_answer("1", "1", timeout=30)
        except Exception:
            log.warning("warming the checker pool failed", exc_info=True)

    threading.Thread(target=warm, name="checker-warmup", daemon=True).start()
