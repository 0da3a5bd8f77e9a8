"""Counters in the Redis cache, for limits that must hold across processes.

Each counter lives for its window from its first count. Counting is Redis's INCR, atomic, so
two requests at once can never both read the same total; a limit is checked on the total a
count returns, never on a total read before the counted work.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def hashed_key(kind: str, value: str) -> str:
    """A counter's key for ``value`` (a username, an address): hashed, so the cache holds
    none of them in clear."""
    return f"stepwise:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def count(key: str, window_s: int) -> int:
    """Add one to the counter and return its new total."""
    for _ in range(2):
        # add() starts the window only if none is running (SET NX with an expiry).
        cache.add(key, 0, window_s)
        try:
            return int(cache.incr(key))
        except ValueError:
            continue  # the window ended between the two calls: start a new one
    raise RuntimeError(f"could not count {key}")


def total(key: str) -> int:
    return int(cache.get(key) or 0)


def forget(*keys: str) -> None:
    cache.delete_many(list(keys))
