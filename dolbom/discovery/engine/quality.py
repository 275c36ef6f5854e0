"""The quality report of a model version: the model against the rule officials use today.

The baseline rule ranks households by the number of indicator kinds present ("count of indicators"),
ties in a seeded random order. Both are cut at each dong's capacity, so precision there is the support
rate a dong would see and recall the share of households in need it would reach. Everything is also
given by dong, age group of the head, sex of the head and household type, so a model that serves one
group worse than the rule is visible (fairness).

Use it only on households the model was not trained on (a fresh synthetic city, or the held-out part).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from dolbom.discovery.engine import config
from dolbom.discovery.engine.features import lookup
from dolbom.discovery.engine.scoring import capacity_by_code

CALIBRATION_EDGES = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)
AGE_GROUPS = ((0, 40, "<40"), (40, 65, "40-64"), (65, 80, "65-79"), (80, 200, "80+"))


def quality_report(scores: pl.DataFrame | pa.Table, truth: pl.DataFrame | pa.Table,
                   households: pl.DataFrame | pa.Table, capacity_by_dong: int | float | dict[str, int], *,
                   seed: int = 0, national_support_rate: float = 0.584) -> dict[str, Any]:
    """AUC, precision and recall at capacity, support rate and calibration, overall and by group.

    Computed over arrays, never a joined frame, so the nation's 23 million households fit in a few GiB:
    the three inputs are matched by household id (no join when they list the same ids in the same order),
    every count and sum per group is a ``bincount``, and each AUC one sort of the negatives' keys (group,
    probability to 2^-48) with the positives looked up in it: exact but for probabilities closer than
    4e-15, counted as ties. The rule's AUC counts its ties (same number of kinds) half, as the model's
    held-out metrics do; its list at capacity orders them at random (seeded)."""
    from dolbom.discovery.engine.pipeline import dictionary_codes

    sc = _arrow(scores, ("household_id", "probability", "indicator_count"))
    tr = _arrow(truth, ("household_id", "needs_support"))
    hh = _arrow(households, ("household_id", "dong", "head_age", "head_sex", "household_type"))
    ids = _ints(sc.column("household_id"))
    t_at, t_found = _match(ids, _ints(tr.column("household_id")))
    h_at, h_found = _match(ids, _ints(hh.column("household_id")))
    rows = np.flatnonzero(t_found & h_found)
    if len(rows) == 0:
        raise ValueError("no household has both a score and a truth")
    whole = len(rows) == len(ids)

    def pick(a: np.ndarray | None) -> Any:
        if whole:
            return a
        return rows if a is None else a[rows]

    t_at, h_at = pick(t_at), pick(h_at)
    p = pick(sc.column("probability").to_numpy().astype(np.float64, copy=False))
    count = pick(np.nan_to_num(sc.column("indicator_count").to_numpy(zero_copy_only=False).astype(np.float64)))
    y = _take(tr.column("needs_support").cast(pa.bool_()).fill_null(False).to_numpy(zero_copy_only=False), t_at)
    dong_all, dong_names = dictionary_codes(hh.column("dong"))
    names = [*dong_names, None]
    dong = _take(dong_all, h_at)
    cap = capacity_by_code(dong_all, [*dong_names, ""], capacity_by_dong)
    age = _take(hh.column("head_age").cast(pa.float64()).to_numpy(zero_copy_only=False), h_at)
    age_code = np.full(len(age), len(AGE_GROUPS), dtype=np.int32)
    for i, (lo, hi, _) in enumerate(AGE_GROUPS):
        age_code[(age >= lo) & (age < hi)] = i
    groupings: dict[str, tuple[np.ndarray, list[Any]]] = {"dong": (dong, names)}
    groupings["age_group"] = (age_code, [name for _, _, name in AGE_GROUPS] + [None])
    for by, column in (("sex", "head_sex"), ("household_type", "household_type")):
        codes, values = dictionary_codes(hh.column(column))
        groupings[by] = (_take(codes, h_at), [*values, None])

    n = len(p)
    u = np.random.default_rng(seed).random(n) * 0.5  # below 1: only orders ties of the count
    listed_model = _listed(p, dong, cap)
    listed_baseline = _listed(count + u, dong, cap)
    versions = (scores.get_column("model_version") if isinstance(scores, pl.DataFrame)
                else pl.Series(scores.column("model_version"))).unique().to_list()

    q = _quantized(p)
    by_code = {by: (codes.astype(np.int64), len(values)) for by, (codes, values) in groupings.items()}

    def rates(by: str) -> dict[str, np.ndarray]:
        codes, size = by_code[by]
        households_n = np.bincount(codes, minlength=size)
        need = np.bincount(codes[y], minlength=size)
        out = {"households": households_n, "need_support": need, "prevalence": _div(need, households_n),
               "probability_sum": np.bincount(codes, weights=p, minlength=size)}
        out["mean_probability"] = _div(out["probability_sum"], households_n)
        for who, listed in (("model", listed_model), ("baseline", listed_baseline)):
            out[f"listed_{who}"] = np.bincount(codes[listed], minlength=size)
            out[f"found_{who}"] = np.bincount(codes[listed[y[listed]]], minlength=size)
        for who in ("model", "baseline"):
            out[f"precision_{who}"] = _div(out[f"found_{who}"], out[f"listed_{who}"])
            out[f"recall_{who}"] = _div(out[f"found_{who}"], need)
        out["auc_model"] = _auc_by_group(q, y, codes, size)
        out["auc_baseline"] = _auc_counts(count.astype(np.int64), y, codes, size)
        return out

    # The groupings side by side on the engine's workers (sorting and counting leave the GIL), the whole
    # city's AUC beside them.
    workers = config.pool(config.default_threads())
    jobs = [*groupings, ""]
    def run(by: str) -> dict[str, np.ndarray]:
        if by:
            return rates(by)
        everyone = np.zeros(n, np.int64)
        return {"auc_model": _auc_by_group(q, y, everyone, 1),
                "auc_baseline": _auc_counts(count.astype(np.int64), y, everyone, 1)}

    done = dict(zip(jobs, workers.map(run, jobs) if workers is not None else map(run, jobs), strict=True))
    dongs = done["dong"]
    total = {k: dongs[k].sum() for k in ("households", "need_support", "probability_sum", "listed_model",
                                          "found_model", "listed_baseline", "found_baseline")}
    overall = {"households": int(total["households"]), "need_support": int(total["need_support"]),
               "prevalence": _py(total["need_support"] / total["households"]),
               "mean_probability": _py(total["probability_sum"] / total["households"])}
    for key in ("listed_model", "found_model", "listed_baseline", "found_baseline"):
        overall[key] = int(total[key])
    for who in ("model", "baseline"):
        overall[f"precision_{who}"] = _py(_div(np.array([total[f"found_{who}"]]), np.array([total[f"listed_{who}"]]))[0])
        overall[f"recall_{who}"] = _py(_div(np.array([total[f"found_{who}"]]), np.array([total["need_support"]]))[0])
    overall["auc_model"], overall["auc_baseline"] = _py(done[""]["auc_model"][0]), _py(done[""]["auc_baseline"][0])
    overall["support_rate_model"] = overall["precision_model"]
    overall["support_rate_baseline"] = overall["precision_baseline"]
    edges = np.array(CALIBRATION_EDGES)
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    in_bin = np.bincount(which, minlength=len(edges) - 1)
    mean_p = _div(np.bincount(which, weights=p, minlength=len(in_bin)), in_bin)
    observed = _div(np.bincount(which[y], minlength=len(in_bin)), in_bin)
    calibration = [{"bin": f"[{lo:g}, {hi:g})", "households": int(in_bin[b]), "mean_probability": _py(mean_p[b]),
                    "observed_rate": _py(observed[b])}
                   for b, (lo, hi) in enumerate(zip(edges[:-1], edges[1:], strict=True)) if in_bin[b]]
    groups = {}
    for by, (_, values) in groupings.items():
        table = {k: v for k, v in done[by].items() if k != "probability_sum"}
        present = [i for i in np.flatnonzero(table["households"] > 0)]
        present.sort(key=lambda i: (values[i] is not None, values[i] or ""))  # missing first, as a sort does
        groups[by] = [{"group": values[i], **{k: _py(v[i]) for k, v in table.items()}} for i in present]
    return {
        "model_version": versions[0] if len(versions) == 1 else versions,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "baseline_rule": "count of indicator kinds present (ties in seeded random order)",
        "national_support_rate_2024": national_support_rate,
        "overall": overall,
        "calibration": calibration,
        "groups": groups,
    }


def _arrow(x: pl.DataFrame | pa.Table, columns: tuple[str, ...]) -> pa.Table:
    return x.select(columns).to_arrow() if isinstance(x, pl.DataFrame) else x.select(list(columns))


def _ints(column: pa.ChunkedArray) -> np.ndarray:
    return column.cast(pa.int64()).to_numpy()


def _match(ids: np.ndarray, other: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
    """(row of each of ``ids`` in ``other``, None when both list the same households in the same order;
    whether it is there)."""
    if len(ids) == len(other) and np.array_equal(ids, other):
        return None, np.ones(len(ids), dtype=bool)
    return lookup(other, ids)


def _take(values: np.ndarray, at: np.ndarray | None) -> np.ndarray:
    return values if at is None else values[at]


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1), np.nan)


def _py(v: Any) -> Any:
    """A JSON-ready number: ints as ints, NaN as None."""
    if isinstance(v, np.integer):
        return int(v)
    v = float(v)
    return None if np.isnan(v) else v


def _listed(value: np.ndarray, dong: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Rows among the top ``cap`` of their dong by ``value`` (ties: the earlier row first)."""
    from dolbom.discovery.engine.scoring import _candidates

    candidates = _candidates(value, dong, cap, np.ones(len(value), dtype=bool))
    order = candidates[np.lexsort((candidates, -value[candidates], dong[candidates]))]
    d = dong[order]
    starts = np.flatnonzero(np.concatenate([[True], d[1:] != d[:-1]])) if len(d) else np.zeros(0, np.int64)
    rank = np.arange(len(d)) - np.repeat(starts, np.diff(np.concatenate([starts, [len(d)]]))) + 1
    return np.sort(order[rank <= cap[d]])


# Probabilities as whole numbers 2^-QUANTUM apart (monotone: equal stay equal, order kept), so that a
# group's code fits above them in one 64-bit key.
QUANTUM = 48


def _quantized(p: np.ndarray) -> np.ndarray:
    return np.floor(np.clip(p, 0.0, 1.0) * float(1 << QUANTUM)).astype(np.int64)


def _auc_by_group(q: np.ndarray, y: np.ndarray, codes: np.ndarray, size: int) -> np.ndarray:
    """Each group's AUC of the quantized probability ``q`` (ties counted half): the negatives' (group, q)
    keys sorted once, every positive's place among them found by binary search, in order."""
    shift = QUANTUM + 1
    if size >= 1 << (63 - shift):
        raise ValueError(f"{size} groups are too many for one key")
    key = (codes << shift) | q
    neg = np.sort(key[~y])
    pos = np.sort(key[y])  # searched in order: each search starts where the last one's memory is
    group = pos >> shift
    below = np.searchsorted(neg, pos, side="left")
    equal = np.searchsorted(neg, pos, side="right") - below
    n_neg = np.bincount(codes[~y], minlength=size)
    before = np.concatenate([[0], np.cumsum(n_neg)])[group]  # negatives of the groups sorted before
    n_pos = np.bincount(group, minlength=size)
    wins = np.bincount(group, weights=(below - before) + 0.5 * equal, minlength=size)
    return _div(wins, n_pos * n_neg.astype(np.float64))


def _auc_counts(count: np.ndarray, y: np.ndarray, codes: np.ndarray, size: int) -> np.ndarray:
    """Each group's AUC of a small whole number (the rule's count), ties counted half, from histograms."""
    top = int(count.max()) + 1 if len(count) else 1
    cell = codes.astype(np.int64) * top + count
    pos = np.bincount(cell[y], minlength=size * top).reshape(size, top).astype(np.float64)
    neg = np.bincount(cell[~y], minlength=size * top).reshape(size, top).astype(np.float64)
    below = np.cumsum(neg, axis=1) - neg
    wins = (pos * (below + 0.5 * neg)).sum(axis=1)
    return _div(wins, pos.sum(axis=1) * neg.sum(axis=1))


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3f}"
    return html.escape(str(v))


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p>-</p>"
    head = "".join(f"<th>{html.escape(k)}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{_fmt(v)}</td>" for v in r.values()) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def calibration_svg(bins: list[dict[str, Any]], size: int = 240) -> str:
    """Predicted against observed rate, the diagonal being perfect calibration."""
    pts = " ".join(f"{b['mean_probability'] * size:.1f},{size - b['observed_rate'] * size:.1f}"
                   for b in bins if b["mean_probability"] is not None and b["observed_rate"] is not None)
    return (f'<svg viewBox="0 0 {size} {size}" width="{size}" height="{size}" role="img" '
            f'aria-label="calibration"><rect width="{size}" height="{size}" fill="none" stroke="#999"/>'
            f'<line x1="0" y1="{size}" x2="{size}" y2="0" stroke="#bbb" stroke-dasharray="4"/>'
            f'<polyline points="{pts}" fill="none" stroke="#1f5fa8" stroke-width="2"/></svg>')


def write_quality_report(report: dict[str, Any], path: str | Path) -> Path:
    """The report as JSON (``.json``) or a self-contained HTML page (``.html``)."""
    path = Path(path)
    if path.suffix == ".json":
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        return path
    sections = "".join(f"<h2>{html.escape(k)}</h2>{_table(v)}" for k, v in report["groups"].items())
    path.write_text(
        "<!doctype html><html lang='ko'><meta charset='utf-8'><title>위기가구 발굴 모형 품질 보고서</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;font-size:12px}"
        "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}</style>"
        f"<h1>위기가구 발굴 모형 품질 보고서</h1><p>모형 버전 {_fmt(report['model_version'])}</p>"
        f"<h2>전체</h2>{_table([report['overall']])}<h2>보정 곡선</h2>{calibration_svg(report['calibration'])}"
        f"{_table(report['calibration'])}{sections}</html>",
        encoding="utf-8",
    )
    return path
