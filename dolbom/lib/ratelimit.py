"""Fixed-window rate limits on Django's cache: sign-up macros, code guessing, login floods.

The cache is shared by every application node when it is Redis or the database cache (settings:
``CACHES``); with the default local-memory cache a limit holds per process, which is enough for one
laptop. A limit is a key (what is limited: a phone number's hash, an IP address) and a budget per
window; ``hit`` counts one attempt and says whether it is still within the budget.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str  # "programmes.signup.phone"
    per: int  # attempts allowed
    seconds: int  # per window


def _key(limit: Limit, subject: str, window: int) -> str:
    # Subjects are hashed: a phone number or an address never sits in the cache in clear.
    digest = hashlib.sha256(subject.encode("utf-8")).hexdigest()[:32]
    return f"rl:{limit.name}:{window}:{digest}"


def hit(limit: Limit, subject: str, *, now: float | None = None) -> bool:
    """Count one attempt; True while the subject is within its budget for the current window."""
    window = int((now if now is not None else time.time()) // limit.seconds)
    key = _key(limit, subject, window)
    if cache.add(key, 1, timeout=limit.seconds + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=limit.seconds + 1)
            count = 1
    return count <= limit.per


def remaining(limit: Limit, subject: str, *, now: float | None = None) -> int:
    window = int((now if now is not None else time.time()) // limit.seconds)
    return max(0, limit.per - int(cache.get(_key(limit, subject, window), 0)))
