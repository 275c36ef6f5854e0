"""A page shows another domain's box through a registration (web/panels.py), never by loading that
domain's template tags: a template loads Django's libraries, the shell's and its own app's only."""

from __future__ import annotations

import re
from pathlib import Path

import dolbom

ROOT = Path(dolbom.__file__).parent
DJANGO = {"i18n", "static", "l10n", "tz", "cache"}
LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")


def test_no_template_loads_another_apps_tag_library():
    wrong = []
    for template in ROOT.glob("*/templates/**/*.html"):
        app = template.relative_to(ROOT).parts[0]
        own = {p.stem for p in (ROOT / app / "templatetags").glob("*.py") if p.stem != "__init__"}
        for match in LOAD.finditer(template.read_text(encoding="utf-8")):
            tokens = match.group(1).split()
            libraries = {tokens[-1]} if "from" in tokens else set(tokens)  # {% load tag from library %}
            names = libraries - DJANGO - {"dolbom_web"} - own
            if names:
                wrong.append(f"{template.relative_to(ROOT)}: {sorted(names)}")
    assert wrong == []
