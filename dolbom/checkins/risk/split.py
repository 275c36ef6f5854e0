"""Fix the train/test split: ``python -m dolbom.checkins.risk.split [FILES...]``.

Reads labelled lines (``labels<TAB>text``) from the given files, or from the current train and test
files, and writes ``data/train.tsv`` and ``data/test.tsv``. Stratified by each utterance's rarest
label so every severity of every kind reaches the test split; within a stratum the order is a hash of
the text, so the split does not depend on file order and an utterance never moves between runs of the
same data.

``--add FILE`` splits a new batch by the same rule among itself and appends it, leaving every
utterance already split where it is: re-splitting everything would move test utterances that
earlier models were measured on into training, and training ones into the test.
"""

from __future__ import annotations

import argparse
import hashlib
from collections import defaultdict
from pathlib import Path

from .dataset import TEST, TRAIN

# Rarest first: an utterance with self-harm and mood is stratified as self-harm.
PRIORITY = ["x3", "e3", "m3", "l3", "d3", "h3", "s1", "m1", "l1", "d1", "s2", "m2", "l2", "d2", "h1", "h2", "-"]
TEST_EVERY = 4  # one in four utterances of each stratum is held out

HEADER = (
    "# labels<TAB>utterance. Codes: h health, s sleep, m meals, d mood, x self_harm, e emergency,\n"
    "# l daily_living; 1 low, 2 medium, 3 high; '-' none. See README.md. {part} split, {n} utterances.\n"
)


def _stratum(labels: str) -> str:
    codes = labels.split()
    return min(codes, key=PRIORITY.index) if codes and codes != ["-"] else "-"


def split(lines: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    strata: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for labels, text in lines:
        strata[_stratum(labels)].append((labels, text))
    train, test = [], []
    for key in PRIORITY:
        rows = sorted(strata.get(key, []), key=lambda r: hashlib.sha256(r[1].encode()).hexdigest())
        for i, row in enumerate(rows):
            (test if i % TEST_EVERY == TEST_EVERY - 1 else train).append(row)
    return train, test


def _read(path: Path) -> list[tuple[str, str]]:
    out = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.strip() and not raw.startswith("#"):
            labels, _, text = raw.partition("\t")
            if "\t" in text.strip():
                # An answer that needs the caller's question: the test split is scored without
                # questions, so these are training-only and live in train_answers.tsv.
                raise SystemExit(f"{path}:{n}: a line with the caller's question belongs in data/train_answers.tsv")
            out.append((labels.strip() or "-", text.strip()))
    return out


def _write(path: Path, part: str, rows: list[tuple[str, str]]) -> None:
    body = "".join(f"{labels}\t{text}\n" for labels, text in rows)
    path.write_text(HEADER.format(part=part, n=len(rows)) + body, encoding="utf-8")


def add(path: Path) -> None:
    train, test = _read(TRAIN), _read(TEST)
    known = {text for _, text in train + test}
    fresh: list[tuple[str, str]] = []
    for labels, text in _read(path):
        if text not in known:
            known.add(text)
            fresh.append((labels, text))
    new_train, new_test = split(fresh)
    _write(TRAIN, "train", train + new_train)
    _write(TEST, "test", test + new_test)
    print(f"added {len(new_train)} to train ({len(train) + len(new_train)}), {len(new_test)} to test ({len(test) + len(new_test)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--add", type=Path, help="a new batch to split and append; the current split stays")
    args = parser.parse_args()
    if args.add:
        add(args.add)
        return
    rows: list[tuple[str, str]] = []
    for path in args.files or [TRAIN, TEST]:
        rows.extend(_read(path))
    seen: set[str] = set()
    unique = [r for r in rows if not (r[1] in seen or seen.add(r[1]))]
    train, test = split(unique)
    _write(TRAIN, "train", train)
    _write(TEST, "test", test)
    print(f"{len(train)} train, {len(test)} test")


if __name__ == "__main__":
    main()
