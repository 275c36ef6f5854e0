"""Benchmark: check-in risk signals on whole calls (the development set), three systems side by side.

    .venv/bin/python bench/checkins.py                          # dev set + speed + the old split
    .venv/bin/python bench/checkins.py --calls FILE --limit 100 # another set of calls, or the first 100
    .venv/bin/python bench/checkins.py --no-split               # skip the training data's test split

Per call on ``dolbom/checkins/devset/calls.jsonl`` (written apart from the training data, labelled by
the issue-5 rule, see its GUIDELINE.md). A call's prediction comes from ``analyse_calls``, the batch
command's path and the same rule as a live call's end: each client turn read with the caller's line
before it (the caller's turns are not analysed themselves), the worst level per signal, then the
whole-call rule (``risk.combine_turns``: a lone medium the model is unsure of counts as low; a model
file without the rule's thresholds, such as issue 5's, gets the plain worst level). A signal counts as
positive at medium or high; ``needs_followup`` when any signal does.

Systems, measured in the same run on the same calls:
  keyword     a fixed list of danger and health words (KEYWORDS below), no learning, no negation;
              the floor any model must clear.
  issue-5     today's model as committed for issue 5, kept as bench/data/checkins_model_issue5.npz and
              loaded through the current analyser code in place of the shipped file.
  current     the shipped dolbom/checkins/risk/model.npz through the same code.
Once the analyser code itself changes, the issue-5 column is the old weights in the new code, not the
issue-5 system. To measure that system as it shipped, run this bench in a tree of commit e250e7a (the
issue-5 risk code, data and model, with this set and bench):
    git archive e250e7a dolbom bench pyproject.toml | tar -x -C /tmp/issue5 && cd /tmp/issue5 \
        && PYTHONPATH=. /work/main/.venv/bin/python bench/checkins.py

Figures: precision, recall, F1 of needs_followup and of each signal; false alerts per 100 routine
calls (routine = labelled no follow-up, flagged by the system); self-harm and emergency rated high on a
routine call, per 100 routine calls; recall of self-harm and emergency at high (the calls that must
switch to the safety script); user utterances per CPU-second on one core over all client turns.

The last section keeps the old figures on the training data's held-out test split: utterances written
to carry signals, one at a time, so they say little about whole calls.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ISSUE5_MODEL = ROOT / "bench" / "data" / "checkins_model_issue5.npz"
RANK = {None: 0, "none": 0, "low": 1, "medium": 2, "high": 3}

# The keyword baseline: what a first version would ship. Substring match on the raw turn, the level
# fixed per word, the worst level wins. It knows no idiom, no tense and no negation, on purpose.
KEYWORDS: dict[str, list[tuple[str, str]]] = {
    "self_harm": [("죽고 싶", "high"), ("죽고싶", "high"), ("자살", "high"), ("살기 싫", "high"),
                  ("그만 살", "high"), ("죽어 버리", "high"), ("죽어버리", "high"), ("목숨", "high")],
    "emergency": [("쓰러졌", "high"), ("쓰러져", "high"), ("못 일어나", "high"), ("일어나질 못", "high"),
                  ("일어나지를 못", "high"), ("숨이 안", "high"), ("숨을 못", "high"), ("119", "high"),
                  ("피가 나", "high"), ("가슴이 아파", "high")],
    "health": [("아파", "medium"), ("아퍼", "medium"), ("아프", "medium"), ("통증", "medium"),
               ("어지러", "medium"), ("넘어졌", "medium"), ("넘어져", "medium"), ("다쳤", "medium"),
               ("열이", "medium"), ("기침", "medium"), ("부었", "medium"), ("병원", "low"),
               ("쑤셔", "low"), ("결려", "low"), ("뻐근", "low"), ("피곤", "low"), ("약", "low")],
    "mood": [("외로", "medium"), ("우울", "medium"), ("슬퍼", "medium"), ("눈물", "medium"), ("울어", "medium"),
             ("힘들", "medium"), ("쓸쓸", "low"), ("허전", "low"), ("심심", "low")],
    "meals": [("못 먹", "medium"), ("안 먹", "medium"), ("입맛이 없", "medium"), ("굶", "medium"),
              ("입맛", "low")],
    "sleep": [("못 자", "medium"), ("못 잤", "medium"), ("잠이 안", "medium"), ("잠을 못", "medium"),
              ("깼", "low"), ("깨", "low")],
    "daily_living": [("혼자는 못", "medium"), ("도와줄 사람", "medium"), ("못 가", "medium"), ("못 해", "medium"),
                     ("불편", "low")],
}


def keyword_calls(calls: Sequence[Sequence[dict]], kinds: Sequence[str]) -> list[dict[str, int]]:
    out = []
    for turns in calls:
        levels = dict.fromkeys(kinds, 0)
        for turn in turns:
            if turn["role"] != "user":
                continue
            for kind, words in KEYWORDS.items():
                for word, level in words:
                    if word in turn["text"]:
                        levels[kind] = max(levels[kind], RANK[level])
        out.append(levels)
    return out


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int


def prf(pred: Sequence[bool], gold: Sequence[bool]) -> PRF:
    tp = sum(p and g for p, g in zip(pred, gold, strict=True))
    fp = sum(p and not g for p, g in zip(pred, gold, strict=True))
    fn = sum(g and not p for p, g in zip(pred, gold, strict=True))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return PRF(p, r, 2 * p * r / (p + r) if p + r else 0.0, tp, fp, fn)


@dataclass
class System:
    name: str
    predict: Callable[[list[list[dict]]], list[dict[str, int]]] | None
    note: str = ""
    preds: list[dict[str, int]] | None = None
    forget: Callable[[], None] | None = None  # drops what the system keeps between batches (a cold start)


def model_system(name: str, path: Path | None) -> System:
    """The analyser with the given model file (None: the shipped one, as ``analyser.model()`` picks it).
    The analyser caches one model in ``analyser._MODEL`` and has no parameter for another file, so the
    bench sets that cache before each batch; the model is loaded once, outside any timing."""
    from dolbom.checkins.risk import analyse_calls, analyser
    from dolbom.checkins.risk.features import KIWI_CUTOFF
    from dolbom.checkins.risk.model import Model

    note = ""
    try:
        if path is None:
            analyser._MODEL = None
            loaded = analyser.model()
        else:
            loaded = Model.load(path)
            if getattr(loaded, "kiwi_cutoff", KIWI_CUTOFF) != KIWI_CUTOFF:
                note = f"saved with kiwi_cutoff {loaded.kiwi_cutoff}, the analyser now uses {KIWI_CUTOFF}"
    except Exception as exc:  # a model saved by older code may not load into newer code: say so, go on
        return System(name, None, note=f"cannot load {path or 'the shipped model'}: {exc!r}")

    def predict(dialogues: list[list[dict]]) -> list[dict[str, int]]:
        analyser._MODEL = loaded
        return [{k: RANK[v] for k, v in a.signals.items()} for a in analyse_calls(dialogues)]

    def forget() -> None:
        # The analyser keeps short turns' analyses on the model and kiwipiepy's tokens of short texts and the
        # caller's questions per process: a week's batches repeat them, but a timed rerun of the same calls
        # would find every one of them kept, which no fresh batch does.
        from dolbom.checkins.risk import features

        loaded.memo.clear()
        features._SHORT_TOKENS.clear()
        features.question_features.cache_clear()

    return System(name, predict, note=note, forget=forget)


def pct(x: float) -> str:
    return f"{x:.3f}"


def report(systems: list[System], gold: list[dict[str, int]], kinds: Sequence[str]) -> None:
    live = [s for s in systems if s.preds is not None]
    routine = [i for i, g in enumerate(gold) if max(g.values()) < 2]
    per100 = 100 / len(routine) if routine else 0.0
    width = 22
    head = "".join(f"{s.name:>{width}}" for s in live)
    print(f"{'per call':<34}{head}")
    print("-" * (34 + width * len(live)))
    gold_fu = [max(g.values()) >= 2 for g in gold]
    rows: list[tuple[str, list[str]]] = []
    fus = {s.name: prf([max(p.values()) >= 2 for p in s.preds], gold_fu) for s in live}
    rows.append(("needs_followup P / R / F1", [f"{pct(f.precision)} {pct(f.recall)} {pct(f.f1)}" for f in fus.values()]))
    rows.append(("  flagged calls (TP+FP)", [f"{f.tp + f.fp} ({f.tp}+{f.fp})" for f in fus.values()]))
    rows.append((f"false alerts / 100 routine ({len(routine)})", [f"{f.fp * per100:.1f}" for f in fus.values()]))
    for kind in ("self_harm", "emergency"):
        hi_gold = [g[kind] == 3 for g in gold]
        row_fp, row_rec = [], []
        for s in live:
            hi = [p[kind] == 3 for p in s.preds]
            fp_routine = sum(hi[i] for i in routine)
            fp_all = sum(h and not g for h, g in zip(hi, hi_gold, strict=True))
            row_fp.append(f"{fp_routine * per100:.1f} ({fp_all} calls)")
            r = prf(hi, hi_gold)
            row_rec.append(f"{pct(r.recall)} ({r.tp}/{r.tp + r.fn})")
        rows.append((f"{kind} high on routine /100", row_fp))
        rows.append((f"{kind} recall at high", row_rec))
    for label, cells in rows:
        print(f"{label:<34}" + "".join(f"{c:>{width}}" for c in cells))
    print("  (false highs: per 100 routine calls, and in brackets all calls rated high whose label is not high)")
    print()
    print(f"{'signal (medium or high)':<24}{'support':>8}" + "".join(f"{s.name + ' P/R/F1':>{width}}" for s in live))
    print("-" * (32 + width * len(live)))
    for kind in kinds:
        g = [x[kind] >= 2 for x in gold]
        cells = []
        for s in live:
            r = prf([p[kind] >= 2 for p in s.preds], g)
            cells.append(f"{pct(r.precision)} {pct(r.recall)} {pct(r.f1)}")
        print(f"{kind:<24}{sum(g):>8}" + "".join(f"{c:>{width}}" for c in cells))
    print()
    for s in live:
        fu = fus[s.name]
        sh = prf([p["self_harm"] == 3 for p in s.preds], [g["self_harm"] == 3 for g in gold])
        em = prf([p["emergency"] == 3 for p in s.preds], [g["emergency"] == 3 for g in gold])
        fp_high = max(sum(s.preds[i]["self_harm"] == 3 for i in routine), sum(s.preds[i]["emergency"] == 3 for i in routine))
        checks = [
            ("needs_followup P>=0.75 at R>=0.95", fu.precision >= 0.75 and fu.recall >= 0.95),
            ("self-harm and emergency recall 1.0", sh.recall == 1.0 and em.recall == 1.0),
            ("<=2 false highs per 100 routine", fp_high * per100 <= 2),
        ]
        print(f"targets, {s.name}: " + "; ".join(f"{label} {'met' if ok else 'NOT met'}" for label, ok in checks))


def speed(systems: list[System], dialogues: list[list[dict]], turns: int, batch: int, repeat: int) -> None:
    live = [s for s in systems if s.predict is not None]
    chunks = [dialogues[i : i + batch] for i in range(0, len(dialogues), batch)]
    cold: dict[str, list[float]] = {s.name: [] for s in live}
    warm: dict[str, list[float]] = {s.name: [] for s in live}
    for s in live:
        s.predict(chunks[0][:2])  # warm-up: kiwipiepy's first call builds its caches, the model loads
    # Interleaved repeats: on a shared machine the CPU a process gets moves from minute to minute, and
    # interleaving exposes every system to the same drift. process_time counts every thread of the
    # process, and the process is pinned to one core, so the rate is per core. Each repeat runs the set
    # twice: cold (what the system keeps between batches dropped first, as for calls it has never seen:
    # the figure held against the target) and warm (again at once: the short answers and questions that
    # recur across a week's batches are kept, an upper bound for a city's repeated "네" and "고마워요").
    for _ in range(repeat):
        for s in live:
            for runs in (cold, warm):
                if runs is cold and s.forget is not None:
                    s.forget()
                cpu = time.process_time()
                for chunk in chunks:
                    s.predict(chunk)
                runs[s.name].append(turns / (time.process_time() - cpu))
    print(f"speed: {turns} client turns in {len(dialogues)} calls, {batch} calls per analyse_calls batch, "
          f"pinned to one core, {repeat} interleaved runs (user utterances per CPU-second; cold: kept analyses "
          "dropped before the run; warm: the same calls again at once)")
    for s in live:
        c, w = cold[s.name], warm[s.name]
        print(f"  {s.name:<10} cold median {statistics.median(c):>10,.0f} best {max(c):>10,.0f}   "
              f"warm median {statistics.median(w):>10,.0f}   cold all {[round(x) for x in c]}")
    for s in live:
        if s.name != "keyword":
            ok = statistics.median(cold[s.name]) >= 2000
            print(f"  target >= 2,000 per core, {s.name}: cold median {'met' if ok else 'NOT met'}")


def old_split() -> None:
    """The figures the bench printed before issue 12, kept because they still show what the model learnt
    of the written utterances, though they over-state how it does on whole calls."""
    import numpy as np

    from dolbom.checkins.risk import analyser
    from dolbom.checkins.risk.dataset import SIGNALS, load_test
    from dolbom.checkins.risk.features import parse_many
    from dolbom.checkins.risk.metrics import report as split_report
    from dolbom.checkins.risk.metrics import severity_agreement

    analyser._MODEL = None  # the shipped model
    test = load_test()
    texts = [e.text for e in test]
    gold = np.array([[e.labels[k] for k in SIGNALS] for e in test])
    pred = analyser.severities(parse_many(texts))
    try:
        from dolbom.checkins.risk.lexicon import lexicon_severities

        base = lexicon_severities(texts)
    except ImportError:
        base = None
    rm = split_report(pred, gold)
    rb = split_report(base, gold) if base is not None else None
    print("held-out test split of the training data: utterances WRITTEN TO CARRY SIGNALS, one at a time,")
    print(f"not whole calls ({len(test)} utterances; kind found at any severity; current model vs the risk package's lexicon)")
    print(f"{'signal':<16}{'support':>8} | {'model P':>8}{'R':>7}{'F1':>7} | {'lexicon P':>10}{'R':>7}{'F1':>7}")
    print("-" * 78)
    for name in (*SIGNALS, "needs_followup"):
        m = rm[name]
        b = f"{rb[name].precision:>10.3f}{rb[name].recall:>7.3f}{rb[name].f1:>7.3f}" if rb else f"{'-':>10}{'-':>7}{'-':>7}"
        print(f"{name:<16}{m.support:>8} | {m.precision:>8.3f}{m.recall:>7.3f}{m.f1:>7.3f} | {b}")
    agree = f"model {severity_agreement(pred, gold):.3f}" + (f", lexicon {severity_agreement(base, gold):.3f}" if base is not None else "")
    print(f"severity agreement where the kind is present: {agree}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=Path, default=None, help="a calls.jsonl in the dev-set format (default: the dev set)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N calls (0: all)")
    parser.add_argument("--repeat", type=int, default=5, help="interleaved timed runs of each system")
    parser.add_argument("--batch", type=int, default=32, help="calls per analyse_calls batch in the speed run")
    parser.add_argument("--no-split", action="store_true", help="skip the old figures on the training data's test split")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed run")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, so the rate is per core

    from dolbom.checkins.devset import CALLS, load_calls
    from dolbom.checkins.risk import SIGNALS
    from dolbom.checkins.risk.model import ARTEFACT

    calls = load_calls(args.calls or CALLS)
    if args.limit:
        calls = calls[: args.limit]
    dialogues = [c.dialogue() for c in calls]
    gold = [{k: c.rank(k) for k in SIGNALS} for c in calls]
    turns = sum(len(c.client_texts()) for c in calls)
    n = len(calls)
    fu = sum(c.needs_followup for c in calls)
    acute = sum(c.acute for c in calls)
    print(f"development set: {args.calls or CALLS.relative_to(ROOT)}: {n} calls, {turns} client turns; "
          f"{fu} need follow-up ({fu / n:.1%}), {acute} acute ({acute / n:.1%}), {n - fu} routine")
    try:
        print(f"machine load (uptime): {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    except OSError:
        pass

    systems = [System("keyword", lambda d: keyword_calls(d, SIGNALS))]
    if ISSUE5_MODEL.exists():
        systems.append(model_system("issue-5", ISSUE5_MODEL))
    else:
        systems.append(System("issue-5", None, note=f"{ISSUE5_MODEL.relative_to(ROOT)} is missing"))
    systems.append(model_system("current", None))
    same = ISSUE5_MODEL.exists() and ARTEFACT.exists() and ISSUE5_MODEL.read_bytes() == ARTEFACT.read_bytes()
    if same:
        systems[-1].note = (systems[-1].note + "; " if systems[-1].note else "") + "the shipped model.npz is byte for byte the issue-5 model"
    for s in systems:
        if s.predict is not None:
            try:
                s.preds = s.predict(dialogues)
            except Exception as exc:  # e.g. the issue-5 file no longer fits a rewritten analyser
                s.predict, s.note = None, f"failed through the current analyser: {exc!r}"
    for s in systems:
        if s.note:
            print(f"  {s.name}: {s.note}")
    print()
    report(systems, gold, SIGNALS)
    print()
    if not args.no_speed:
        speed(systems, dialogues, turns, args.batch, args.repeat)
        print()
    if not args.no_split:
        old_split()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
