"""Adding a labelled batch keeps every utterance already split where it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from dolbom.checkins.risk import split


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    train, test = tmp_path / "train.tsv", tmp_path / "test.tsv"
    monkeypatch.setattr(split, "TRAIN", train)
    monkeypatch.setattr(split, "TEST", test)
    split._write(train, "train", [("h2", f"무릎이 아파요 {i}") for i in range(30)])
    split._write(test, "test", [("h2", f"허리가 아파요 {i}") for i in range(10)])
    return train, test


def test_it_appends_a_batch_without_moving_what_was_split_before(files, tmp_path):
    train, test = files
    before_train, before_test = split._read(train), split._read(test)
    batch = tmp_path / "batch.tsv"
    rows = [("x3", f"죽고 싶어요 {i}") for i in range(8)] + [("-", f"잘 지내요 {i}") for i in range(12)]
    batch.write_text("".join(f"{labels}\t{text}\n" for labels, text in rows), encoding="utf-8")

    split.add(batch)

    after_train, after_test = split._read(train), split._read(test)
    assert after_train[: len(before_train)] == before_train
    assert after_test[: len(before_test)] == before_test
    added_test = after_test[len(before_test) :]
    # One in four of each stratum is held out, self-harm included.
    assert sum(labels == "x3" for labels, _ in added_test) == 2
    assert sum(labels == "-" for labels, _ in added_test) == 3
    assert len(after_train) + len(after_test) == 40 + 20


def test_it_skips_lines_already_in_either_split(files, tmp_path):
    train, test = files
    batch = tmp_path / "batch.tsv"
    batch.write_text("h2\t허리가 아파요 3\nh2\t무릎이 아파요 4\nm2\t밥맛이 없어요\n", encoding="utf-8")

    split.add(batch)

    texts = [t for _, t in split._read(train) + split._read(test)]
    assert len(texts) == len(set(texts)) == 41
