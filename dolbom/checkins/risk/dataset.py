"""The labelled sets in ``dolbom/checkins/data/`` (see its README for the label codes).

``train.tsv`` / ``test.tsv``: one utterance a line, ``labels<TAB>utterance``, split once.
``train_answers.tsv``: short answers with the caller's line they answer, ``labels<TAB>answer<TAB>question``;
training only.
``train_calls.txt``: whole check-in calls, every client turn labelled; training only.
"""

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
TRAIN_ANSWERS = DATA_DIR / "train_answers.tsv"
TRAIN_CALLS = DATA_DIR / "train_calls.txt"


@dataclass(frozen=True)
class Example:
    text: str
    labels: dict[str, int]  # kind -> 0 none, 1 low, 2 medium, 3 high (every kind present)
    line: int
    # What the caller said just before, when the utterance is an answer that needs it ("네" to
    # "잠은 잘 주무세요?" is nothing, to "잠을 못 주무신 지 얼마나 되셨어요?" it is not).
    context: str = ""
    call: str = ""  # the training call it comes from, if any (cross-validation keeps a call in one fold)


@dataclass(frozen=True)
class Turn:
    role: str  # "system" (the caller) or "user" (the client)
    text: str
    labels: dict[str, int] | None  # the client's turns only


@dataclass(frozen=True)
class Call:
    id: str
    turns: tuple[Turn, ...]

    def labels(self) -> dict[str, int]:
        """The call's severity per kind: the worst over the client's turns (issue 5's rule)."""
        out = dict.fromkeys(SIGNALS, 0)
        for t in self.turns:
            for kind, sev in (t.labels or {}).items():
                out[kind] = max(out[kind], sev)
        return out

    def examples(self) -> list[Example]:
        """The client's turns as training examples, each with the caller's line before it."""
        out: list[Example] = []
        last_caller = ""
        for n, t in enumerate(self.turns):
            if t.role == "system":
                last_caller = t.text
            elif t.labels is not None:
                out.append(Example(text=t.text, labels=t.labels, line=n, context=last_caller, call=self.id))
        return out


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
        field, sep, rest = raw.partition("\t")
        text, _, context = rest.partition("\t")
        if not sep or not text.strip():
            raise ValueError(f"{path.name}:{n}: expected 'labels<TAB>text'")
        try:
            out.append(Example(text=text.strip(), labels=parse_labels(field), line=n, context=context.strip()))
        except ValueError as exc:
            raise ValueError(f"{path.name}:{n}: {exc}") from None
    return out


def load_train() -> list[Example]:
    return load(TRAIN)


def load_test() -> list[Example]:
    return load(TEST)


def load_answers() -> list[Example]:
    return load(TRAIN_ANSWERS) if TRAIN_ANSWERS.exists() else []


def load_calls(path: Path = TRAIN_CALLS) -> list[Call]:
    """``=== id`` starts a call; ``C<TAB>text`` is the caller, ``U<TAB>labels<TAB>text`` the client."""
    calls: list[Call] = []
    current: str | None = None
    turns: list[Turn] = []

    def close() -> None:
        if current is not None:
            calls.append(Call(id=current, turns=tuple(turns)))

    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        if raw.startswith("=== "):
            close()
            current, turns = raw[4:].strip(), []
            continue
        if current is None:
            raise ValueError(f"{path.name}:{n}: a turn before the first '=== id' line")
        parts = raw.split("\t")
        try:
            if parts[0] == "C" and len(parts) == 2 and parts[1].strip():
                turns.append(Turn(role="system", text=parts[1].strip(), labels=None))
            elif parts[0] == "U" and len(parts) == 3 and parts[2].strip():
                turns.append(Turn(role="user", text=parts[2].strip(), labels=parse_labels(parts[1])))
            else:
                raise ValueError("expected 'C<TAB>text' or 'U<TAB>labels<TAB>text'")
        except ValueError as exc:
            raise ValueError(f"{path.name}:{n}: {exc}") from None
    close()
    ids = [c.id for c in calls]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path.name}: call ids repeat")
    return calls


def fingerprint(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()[:16]
