"""Benchmark: Korean risk-signal extraction on the held-out test split, model against a keyword lexicon.

    .venv/bin/python bench/checkins.py                    # quality on data/test.tsv + speed
    .venv/bin/python bench/checkins.py --speed-size 20000 # more utterances for the speed run

Prints precision, recall and F1 per signal kind (found at any severity) and for needs_followup (any
kind medium or high), for the shipped model and for the baseline lexicon (``signals/lexicon.py``),
measured in the same run on the same utterances. The model never saw the test split: it is trained
on data/train.tsv only (thresholds by cross-validation inside it).

Speed: utterances analysed per CPU-second on one core (the process is pinned to one core; kiwipiepy
runs one worker thread), on the test utterances repeated up to --speed-size, whole pipeline from raw
text to severity and evidence; kiwipiepy alone and the lexicon beside it. Batches are smaller than the
test split, so no batch holds the same utterance twice, and nothing is cached between utterances.
Each workload runs --repeat times, interleaved; the best and the median run are printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--speed-size", type=int, default=5000, help="utterances in the speed run")
    parser.add_argument("--repeat", type=int, default=5, help="interleaved timed runs of each workload")
    parser.add_argument("--batch", type=int, default=256, help="utterances per kiwipiepy batch (keep below the test size)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, so the rate is per core

    import numpy as np

    from dolbom.checkins.risk.analyser import analyse_many, model, severities
    from dolbom.checkins.risk.dataset import SIGNALS, load_test
    from dolbom.checkins.risk.features import kiwi, parse_many
    from dolbom.checkins.risk.lexicon import lexicon_severities
    from dolbom.checkins.risk.metrics import report, severity_agreement

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
    from dolbom.checkins.risk.features import normalise

    normalised = [normalise(t) for t in corpus]
    analyse_many(corpus[:32])  # warm-up: kiwipiepy's first call builds its caches

    def timed(fn, items) -> float:
        cpu = time.process_time()
        for i in range(0, len(items), args.batch):
            fn(items[i : i + args.batch])
        return time.process_time() - cpu

    def tokenise(batch):
        return list(kiwi().tokenize(batch))

    runs: dict[str, list[float]] = {"model": [], "kiwi": [], "lexicon": []}
    # Interleaved repeats: on a shared virtual machine the CPU a process gets per CPU-second moves by
    # tens of percent from minute to minute, and interleaving exposes every workload to the same drift.
    for _ in range(args.repeat):
        runs["model"].append(len(corpus) / timed(analyse_many, corpus))
        runs["kiwi"].append(len(corpus) / timed(tokenise, normalised))
        runs["lexicon"].append(len(corpus) / timed(lexicon_severities, corpus))
    n = len(corpus)
    print(f"speed, pinned to one core, {n} utterances, batches of {args.batch}, {args.repeat} interleaved runs:")
    print("  utterances per CPU-second (every thread of this process counts, so this is a per-core rate);")
    print("  best run (timeit's convention: slower runs measure interference) and median of the runs")
    for name, label in (("model", "model (raw text to severity and evidence)"), ("kiwi", "  of which kiwipiepy alone"),
                        ("lexicon", "lexicon baseline")):
        r = runs[name]
        print(f"  {label:<42} best {max(r):>9,.0f}   median {statistics.median(r):>9,.0f}   all {[round(x) for x in r]}")
    best, median = max(runs["model"]), statistics.median(runs["model"])
    print(f"  model / lexicon rate (medians): {median / statistics.median(runs['lexicon']):.4f}")
    print(f"  target model >= 2,000 per core: best run {'met' if best >= 2000 else 'NOT met'}, "
          f"median {'met' if median >= 2000 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
