"""The programmes shipped with dolbom, as their public notices set them (one JSON file each), with golden
cases written from each notice (``<code>.golden.json``) that the test suite runs through both evaluators."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def shipped() -> list[Path]:
    return sorted(p for p in HERE.glob("*.json") if not p.name.endswith(".golden.json"))


def load(path: Path | str) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def golden(code: str) -> dict[str, Any] | None:
    path = HERE / f"{code}.golden.json"
    return load(path) if path.exists() else None
