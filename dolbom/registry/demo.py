"""The registry's demo: a synthetic Jeonju of ``households`` households (``registry/synthetic/``).

First of the apps' demos with data (INSTALLED_APPS order): every later one works on these residents.
"""

from __future__ import annotations

from typing import TextIO

from django.core.management import call_command


def seed_demo(*, seed: int, out: TextIO, households: int) -> None:
    call_command("registry", "generate-city", households=households, seed=seed, stdout=out)
