"""The test run's settings: Stepwise's own, with a secret key of the test run's.

Stepwise refuses to start with DEBUG off and no SECRET_KEY, and the suite runs with DEBUG
off. The key goes into the environment so that the daphne, Celery and manage.py processes the
tests start sign sessions with the same key as the tests do.
"""

from __future__ import annotations

import os

if not os.environ.get("SECRET_KEY", "").strip():
    os.environ["SECRET_KEY"] = "stepwise-tests-only-not-a-secret-0123456789-abcdefghijkl"

from tutor.settings import *  # noqa: F403  (after the key is in the environment)
