"""The README's table of demo logins names every login the demo creates (a new app's login would otherwise
be printed by `dolbom demo` with nobody told what it is for)."""

from __future__ import annotations

import re
from pathlib import Path

import dolbom
from dolbom.demo import _DEMO_USERS, demo_modules

README = Path(dolbom.__file__).parent.parent / "README.md"


def test_the_readme_says_who_every_demo_login_is():
    text = README.read_text(encoding="utf-8")
    section = text.split("### Demo logins", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`([a-z_0-9]+)`", section))
    logins = {u[0] for u in _DEMO_USERS} | {u[0] for m in demo_modules() for u in getattr(m, "DEMO_USERS", [])}
    assert logins - listed == set()
