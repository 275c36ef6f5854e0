"""The labelled utterance set in ``dolbom/checkins/data/`` (see its README for the label codes)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

SIGNALS = ("health", "sleep", "meals", "mood", "self_harm", "emergency", "daily_living")
SEVERITIES = (None, "low", "medium", "high")
CODES = {"h": "health", "s": "sleep", "m": "meals", "d": "mood", "x": "self_harm", "e": "emergency", "l": "daily_living"}
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TRAIN = DATA_DIR / "train.tsv"
TEST = DATA_DIR / "test.tsv"


@dataclass(frozen=True)
class Example:
    text: str
    labels: dict[str, int]  # kind -> 0 none, 1 low, 2 medium, 3 high (every kind present)
    line: int


def parse_labels(field: str) -> dict[str, int]:
    labels = dict.fromkeys(SIGNALS, 0)
    field = field.strip()
    if field in ("", "-"):
        return labels
    for code in field.split():
        kind = CODES.get(code[:1])
        if kind is None or len(code) != 2 or code[1] not in "123":
            raise ValueError(f"bad label {code!r}")
        labels[kind] = int(code[1])
    return labels


def format_labels(labels: dict[str, int]) -> str:
    inverse = {v: k for k, v in CODES.items()}
    codes = [f"{inverse[k]}{labels[k]}" for k in SIGNALS if labels.get(k)]
    return " ".join(codes) or "-"


def load(path: Path) -> list[Example]:
    out: list[Example] = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        field, sep, text = raw.partition("\t")
        if not sep or not text.strip():
            raise ValueError(f"{path.name}:{n}: expected 'labels<TAB>text'")
        try:
            out.append(Example(text=text.strip(), labels=parse_labels(field), line=n))
        except ValueError as exc:
            raise ValueError(f"{path.name}:{n}: {exc}") from None
    return out


def load_train() -> list[Example]:
    return load(TRAIN)


def load_test() -> list[Example]:
    return load(TEST)


def fingerprint(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()[:16]
