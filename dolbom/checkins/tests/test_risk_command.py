"""``dolbom checkins analyse``: JSONL of calls in, JSONL of signals out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dolbom.checkins.risk import SIGNALS


def write(path: Path, lines: list) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines))
    return path


def test_it_writes_one_line_per_call_in_the_documented_format(tmp_path):
    src = write(
        tmp_path / "calls.jsonl",
        [
            {"id": "a1", "turns": [
                {"role": "system", "text": "요즘 잠은 잘 주무세요?"},
                {"role": "user", "text": "요 며칠 밤새 한숨도 못 잤어요"},
            ]},
            {"id": 7, "turns": [{"role": "user", "text": "네 잘 지내요"}]},
            "",
            {"id": "empty", "turns": []},
        ],
    )
    out = tmp_path / "signals.jsonl"
    call_command("checkins", "analyse", "--input", str(src), "--output", str(out))
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a1", 7, "empty"]
    for r in rows:
        assert set(r) == {"id", "signals", "needs_followup", "evidence"}
        assert set(r["signals"]) == set(SIGNALS) and set(r["evidence"]) == set(SIGNALS)
        assert all(v in (None, "low", "medium", "high") for v in r["signals"].values())
        assert r["needs_followup"] == any(v in ("medium", "high") for v in r["signals"].values())
    assert rows[0]["signals"]["sleep"] in ("medium", "high") and rows[0]["evidence"]["sleep"]
    assert rows[2]["needs_followup"] is False


def test_the_callers_words_are_never_read_as_the_clients(tmp_path):
    src = write(tmp_path / "calls.jsonl", [
        {"id": "q", "turns": [{"role": "system", "text": "혹시 넘어지거나 죽고 싶다는 생각은 없으셨어요?"}]},
    ])
    out = tmp_path / "out.jsonl"
    call_command("checkins", "analyse", "--input", str(src), "--output", str(out))
    assert json.loads(out.read_text())["signals"] == dict.fromkeys(SIGNALS)


@pytest.mark.parametrize(
    "bad,why",
    [
        ("{not json", "not valid JSON"),
        ('["a list"]', "JSON object"),
        ('{"turns": []}', "'id'"),
        ('{"id": "x", "turns": "hello"}', "'turns'"),
        ('{"id": "x", "turns": [{"role": "agent", "text": "hi"}]}', "'role'"),
        ('{"id": "x", "turns": [{"role": "user"}]}', "'text'"),
    ],
)
def test_a_bad_line_is_named_by_its_number_and_leaves_no_output(tmp_path, bad, why):
    src = write(tmp_path / "calls.jsonl", [{"id": "ok", "turns": [{"role": "user", "text": "잘 있어요"}]}, bad])
    out = tmp_path / "signals.jsonl"
    with pytest.raises(CommandError) as err:
        call_command("checkins", "analyse", "--input", str(src), "--output", str(out))
    assert f"{src}:2:" in str(err.value) and why in str(err.value)
    assert list(tmp_path.iterdir()) == [src]


def test_a_missing_input_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("checkins", "analyse", "--input", str(tmp_path / "nope.jsonl"), "--output", str(tmp_path / "o"))
