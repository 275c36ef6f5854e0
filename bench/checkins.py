"""Benchmark: Korean risk-signal extraction on the held-out test split, model against a keyword lexicon.

    .venv/bin/python bench/checkins.py                    # quality on data/test.tsv + speed
    .venv/bin/python bench/checkins.py --speed-size 20000 # more utterances for the speed run

Prints precision, recall and F1 per signal kind (found at any severity) and for needs_followup (any
kind medium or high), for the shipped model and for the baseline lexicon (``signals/lexicon.py``),
measured in the same run on the same utterances. The model never saw the test split: it is trained
on data/train.tsv only (thresholds by cross-validation inside it).

Speed: utterances analysed per second on one core (the process is pinned to one core; kiwipiepy runs
one worker thread), on the test utterances repeated up to --speed-size, whole pipeline from raw text
to severity and evidence; the lexicon's speed beside it. Batches are smaller than the test split, so
no batch holds the same utterance twice.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--speed-size", type=int, default=5000, help="utterances in the speed run")
    parser.add_argument("--batch", type=int, default=256, help="utterances per kiwipiepy batch (keep below the test size)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, so the rate is per core

    import numpy as np

    from dolbom.checkins.signals.analyser import analyse_many, model, severities
    from dolbom.checkins.signals.dataset import SIGNALS, load_test
    from dolbom.checkins.signals.features import kiwi, parse_many
    from dolbom.checkins.signals.lexicon import lexicon_severities
    from dolbom.checkins.signals.metrics import report, severity_agreement

    test = load_test()
    texts = [e.text for e in test]
    gold = np.array([[e.labels[k] for k in SIGNALS] for e in test])
    model()
    kiwi()
    pred = severities(parse_many(texts))
    base = lexicon_severities(texts)
    rm, rb = report(pred, gold), report(base, gold)

    print(f"held-out test split: {len(test)} utterances (never used in training)\n")
    print(f"{'signal':<16}{'support':>8} | {'model P':>8}{'R':>7}{'F1':>7} | {'lexicon P':>10}{'R':>7}{'F1':>7}")
    print("-" * 78)
    for name in (*SIGNALS, "needs_followup"):
        m, b = rm[name], rb[name]
        print(
            f"{name:<16}{m.support:>8} | {m.precision:>8.3f}{m.recall:>7.3f}{m.f1:>7.3f} | "
            f"{b.precision:>10.3f}{b.recall:>7.3f}{b.f1:>7.3f}"
        )
    macro_m = np.mean([rm[k].f1 for k in SIGNALS])
    macro_b = np.mean([rb[k].f1 for k in SIGNALS])
    print(f"{'macro F1':<16}{'':>8} | {'':>8}{'':>7}{macro_m:>7.3f} | {'':>10}{'':>7}{macro_b:>7.3f}")
    print(
        f"severity agreement where the kind is present: model {severity_agreement(pred, gold):.3f}, "
        f"lexicon {severity_agreement(base, gold):.3f}"
    )
    fu = rm["needs_followup"]
    ok = fu.recall >= 0.95 and fu.precision >= 0.7
    print(f"target needs_followup recall >= 0.95 and precision >= 0.70: {'met' if ok else 'NOT met'}\n")

    reps = max(1, args.speed_size // len(texts) + 1)
    corpus = (texts * reps)[: args.speed_size]
    analyse_many(corpus[:32])  # warm-up: kiwipiepy's first call builds its caches
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(corpus), args.batch):
        analyse_many(corpus[i : i + args.batch])
    model_wall, model_cpu = time.perf_counter() - wall, time.process_time() - cpu
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(corpus), args.batch):
        lexicon_severities(corpus[i : i + args.batch])
    lex_wall, lex_cpu = time.perf_counter() - wall, time.process_time() - cpu
    from dolbom.checkins.signals.features import normalise

    normalised = [normalise(t) for t in corpus]
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(corpus), args.batch):
        list(kiwi().tokenize(normalised[i : i + args.batch]))
    kiwi_cpu = time.process_time() - cpu
    n = len(corpus)
    print(f"speed, pinned to one core, {n} utterances, batches of {args.batch}:")
    print("  (per CPU-second counts every thread of this process, so it is the per-core rate even when")
    print("   other work shares the core; wall-clock is what this run got on a shared machine)")
    print(f"  model   {n / model_cpu:>10,.0f} utterances per CPU-second   {n / model_wall:>10,.0f} per wall-second")
    print(f"    of which kiwipiepy tokenisation alone: {n / kiwi_cpu:,.0f} utterances per CPU-second")
    print(f"  lexicon {n / lex_cpu:>10,.0f} utterances per CPU-second   {n / lex_wall:>10,.0f} per wall-second")
    print(f"  model / lexicon rate: {lex_cpu / model_cpu:.4f}   (target: model >= 2,000 per core)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
