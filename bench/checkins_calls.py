"""Benchmark: the check-in caller's turn time, rule-based dialogue with the trained risk-signal analyser
against the same dialogue with no analysis (the baseline: what the dialogue itself costs).

    .venv/bin/python bench/checkins_calls.py              # 200 scripted calls
    .venv/bin/python bench/checkins_calls.py --calls 1000

Each scripted call is a greeting and eight client turns (answers, a worrying answer, off-topic talk,
silence, a fall in one call out of ten that switches to the safety script). Prints turns per second
on one core and the 50th/95th percentile of a turn in milliseconds, for both, and their ratio. A
phone turn must come back well under a second for the line to feel natural; the database writes of
a turn (two rows and a state update) come on top and are not measured here.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LINES = ["네, 괜찮아요", "요즘 무릎이 좀 아파요", "병원은 다음 주에 가려고요", "어제 텔레비전에서 트로트 봤어요",
         "밥은 잘 먹어요", "", "잠은 그럭저럭 자요", "경로당에 가끔 가요"]
FALL = "어제 화장실에서 넘어졌는데 혼자 못 일어나겠어요"


def run(calls: int, analyse) -> list[float]:
    from dolbom.checkins.dialogue.engine import CallContext, DialogueEngine, MemoryCue

    times: list[float] = []
    for i in range(calls):
        engine = DialogueEngine(context=CallContext(address="영숙 어르신", cues=(MemoryCue("health", "무릎이 아프다고", 7),),
                                                    seed=i), analyse=analyse)
        state: dict = {}
        engine.opening(state)
        lines = list(LINES)
        if i % 10 == 0:
            lines[3] = FALL
        for line in lines:
            started = time.perf_counter()
            reply = engine.respond(state, line)
            times.append(time.perf_counter() - started)
            if reply.ended:
                break
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dolbom.settings")
    import django

    django.setup()
    from dolbom.checkins.risk import SIGNALS, Analysis, analyse_utterance

    empty = Analysis(signals={k: None for k in SIGNALS}, evidence={k: [] for k in SIGNALS}, needs_followup=False)
    analyse_utterance("워밍업")  # load the morphological analyser and the model outside the timing
    results = {}
    for name, analyse in [("dialogue + analyser", analyse_utterance), ("dialogue only (baseline)", lambda _t: empty)]:
        started = time.perf_counter()
        times = run(args.calls, analyse)
        wall = time.perf_counter() - started
        q = statistics.quantiles(times, n=20)
        results[name] = (len(times) / wall, q[18])
        print(f"{name:28s} {len(times):6d} turns  {len(times) / wall:9.0f} turns/s  "
              f"p50 {statistics.median(times) * 1000:7.2f} ms  p95 {q[18] * 1000:7.2f} ms")
    (a, p95), (b, _) = results.values()
    print(f"ratio: the dialogue alone is {b / a:.1f}x faster; p95 turn with analysis {p95 * 1000:.1f} ms "
          f"({'under' if p95 < 1 else 'OVER'} the 1 s a phone line allows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
