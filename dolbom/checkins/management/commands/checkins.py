"""``dolbom checkins analyse|train|run-due``: check-in call tools.

    dolbom checkins analyse --input calls.jsonl --output signals.jsonl
    dolbom checkins train [--out model.npz]
    dolbom checkins run-due [--now 2026-05-01T09:00]
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from dolbom.lib.commands import AppCommand, verb

BATCH = 256  # calls per kiwipiepy batch

ROLES = ("system", "user")


def _read_calls(path: Path) -> Iterator[tuple[int, Any, list[dict]]]:
    """Yield (line number, id, turns); a malformed line raises CommandError naming its line."""
    with path.open(encoding="utf-8") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue

            def bad(why: str, number: int = number) -> CommandError:
                return CommandError(f"{path}:{number}: {why}")

            try:
                record = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise bad(f"not valid JSON ({exc.msg})") from None
            if not isinstance(record, dict):
                raise bad("expected a JSON object with 'id' and 'turns'")
            if "id" not in record or not isinstance(record["id"], str | int) or isinstance(record["id"], bool):
                raise bad("'id' is missing or not a string or number")
            turns = record.get("turns")
            if not isinstance(turns, list):
                raise bad("'turns' is missing or not a list")
            for i, turn in enumerate(turns):
                if not isinstance(turn, dict):
                    raise bad(f"turn {i} is not an object")
                if turn.get("role") not in ROLES:
                    raise bad(f"turn {i}: 'role' must be one of {', '.join(ROLES)}")
                if not isinstance(turn.get("text"), str):
                    raise bad(f"turn {i}: 'text' is missing or not a string")
            yield number, record["id"], turns


def _analyse_batch(batch: list[tuple[int, Any, list[dict]]]) -> list[str]:
    from dolbom.checkins.risk import analyse_calls

    results = analyse_calls([turns for _, _, turns in batch])
    return [
        json.dumps(
            {"id": call_id, "signals": a.signals, "needs_followup": a.needs_followup, "evidence": a.evidence},
            ensure_ascii=False,
        )
        for (_, call_id, _), a in zip(batch, results, strict=True)
    ]


def analyse_arguments(parser: CommandParser) -> None:
    parser.add_argument("--input", required=True, type=Path, help="JSONL: {id, turns: [{role, text}]} per line")
    parser.add_argument("--output", required=True, type=Path, help="JSONL: {id, signals, needs_followup, evidence}")


def train_arguments(parser: CommandParser) -> None:
    parser.add_argument("--out", type=Path, help="where to write the model (default: the shipped risk/model.npz)")
    parser.add_argument("--show-errors", action="store_true", help="list the training calls cross-validation got wrong")


def run_due_arguments(parser: CommandParser) -> None:
    parser.add_argument("--now", help="ISO date-time to run as (for catching up or testing)")


class Command(AppCommand):
    help = "Check-in call tools: analyse, train, run-due."

    @verb("analyse", "Extract risk signals from stored calls (JSONL in, JSONL out).", arguments=analyse_arguments)
    def analyse(self, *, input: Path, output: Path, **options: Any) -> None:
        if not input.is_file():
            raise CommandError(f"{input}: no such file")
        # Written to a temporary file and renamed at the end: a bad line must not leave half an output
        # file that a later step would take for the whole result.
        fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent if str(output.parent) else ".")
        count = followup = 0
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                batch: list[tuple[int, Any, list[dict]]] = []
                for item in _read_calls(input):
                    batch.append(item)
                    if len(batch) >= BATCH:
                        lines = _analyse_batch(batch)
                        out.write("".join(line + "\n" for line in lines))
                        count += len(lines)
                        followup += sum('"needs_followup": true' in line for line in lines)
                        batch = []
                if batch:
                    lines = _analyse_batch(batch)
                    out.write("".join(line + "\n" for line in lines))
                    count += len(lines)
                    followup += sum('"needs_followup": true' in line for line in lines)
            os.replace(tmp, output)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.stdout.write(f"{count} calls analysed, {followup} need follow-up -> {output}")

    @verb("train", "Retrain the risk-signal model on the training data; prints the cross-validation report.",
          arguments=train_arguments)
    def train(self, *, out: Path | None = None, show_errors: bool = False, **options: Any) -> None:
        from dolbom.checkins.risk.model import ARTEFACT
        from dolbom.checkins.risk.train import train

        train(out=out or ARTEFACT, show_errors=show_errors)

    @verb("run-due", "Run due check-in work: schedule calls, finish dropped calls, escalate alerts.",
          arguments=run_due_arguments)
    def run_due(self, *, now: str | dt.datetime | None = None, **options: Any) -> None:
        """Run it every few minutes (cron, a systemd timer): turns enrolments whose time has come into due
        calls, finishes calls a gateway left open, counts tries no channel made, escalates high alerts
        nobody acknowledged."""
        from dolbom.checkins import services

        when = timezone.now()
        if isinstance(now, dt.datetime):
            when = now
        elif now:
            try:
                when = dt.datetime.fromisoformat(now)
            except ValueError as exc:
                raise CommandError(f"--now: {exc}") from exc
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
        report = services.run_due(now=when)
        self.stdout.write(f"scheduled {report.scheduled}, finished {report.finished}, "
                          f"undialled {report.undialled}, escalated {report.escalated}\n")
