"""Stepwise's settings for the load benchmark: the real ones, with a fast password hasher.

PBKDF2 costs about a second of CPU per login on these machines; 200 logins would measure
that instead of the pages and the tutor. Never use this module outside bench/load.
"""

from __future__ import annotations

from tutor.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
