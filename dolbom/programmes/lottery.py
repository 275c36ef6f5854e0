"""The lottery, written so that anyone can re-run it from what the public page shows.

The algorithm, published on every lottery session's page:

1. When the session is created a random seed (32 hex digits) is drawn and kept secret; its SHA-256 is
   published at once (the commitment), so the seed cannot be changed after the applicants are known.
2. When sign-up closes, the receipt numbers of the applicants (given in the order the sign-ups arrived,
   never reused) are sorted in ascending order.
3. ``random.Random(int(sha256(seed).hexdigest(), 16)).shuffle(numbers)`` — Python's Mersenne Twister and
   its shuffle, the same in every Python 3 release since 3.2.
4. Places go down the shuffled list: a family whose whole party fits the free places is confirmed, the
   others join the waiting list in the shuffled order.

The seed is published after the draw; ``python3 -c`` with the snippet on the page gives the same order.
"""

from __future__ import annotations

import hashlib
import random
import secrets


def new_seed() -> str:
    return secrets.token_hex(16)


def commitment(seed: str) -> str:
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def order(seed: str, numbers: list[int]) -> list[int]:
    """The receipt numbers in draw order."""
    shuffled = sorted(numbers)
    random.Random(int(commitment(seed), 16)).shuffle(shuffled)
    return shuffled


def snippet(seed: str, numbers: list[int]) -> str:
    """A self-contained Python program that prints the draw order (for the public page)."""
    return (
        "import hashlib, random\n"
        f"seed = {seed!r}\n"
        f"numbers = sorted({sorted(numbers)!r})\n"
        "random.Random(int(hashlib.sha256(seed.encode('utf-8')).hexdigest(), 16)).shuffle(numbers)\n"
        "print(numbers)\n"
    )
