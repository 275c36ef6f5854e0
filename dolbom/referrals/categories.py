"""The national integrated-care resource categories (6 major, 34 minor), shipped as versioned data.

The codes are what the national resource file carries and what services are classified by; the
names are shown in the UI. A new national edition is a new file; services keep the codes they have.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "resource_categories.json"


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    major_code: str
    major_name: str


@dataclass(frozen=True)
class Catalogue:
    version: str
    majors: dict[str, str]
    minors: dict[str, Category]


@cache
def categories() -> Catalogue:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    majors = {m["code"]: m["name"] for m in raw["major"]}
    minors = {c["code"]: Category(c["code"], c["name"], m["code"], m["name"]) for m in raw["major"] for c in m["minor"]}
    return Catalogue(version=raw["version"], majors=majors, minors=minors)


def category_choices() -> list[tuple[str, str]]:
    return [(c.code, f"{c.major_name} · {c.name}") for c in categories().minors.values()]


def category_label(code: str) -> str:
    c = categories().minors.get(code)
    return f"{c.major_name} · {c.name}" if c else code
