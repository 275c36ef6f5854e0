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
import functools
import html
import json
import queue
import sys
from collections.abc import Callable
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


def _plain_pages(report: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """Run ``report`` with NumPy's huge-page advice off. Every big array here is new memory, touched once
    or twice: on the 2-core development VM a fresh 184 MB array (23 million int64) cost 0.40 CPU-s
    first touched in advised 2 MB pages against 0.11 s in plain ones, and the report makes a dozen."""
    @functools.wraps(report)
    def plain(*args: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            from numpy._core.multiarray import _set_madvise_hugepage  # type: ignore[attr-defined]
        except ImportError:  # another NumPy: its own advice
            return report(*args, **kwargs)
        previous = _set_madvise_hugepage(False)
        try:
            return report(*args, **kwargs)
        finally:
            _set_madvise_hugepage(previous)
    return plain


@_plain_pages
def quality_report(scores: pl.DataFrame | pa.Table, truth: pl.DataFrame | pa.Table | str | Path,
                   households: pl.DataFrame | pa.Table | str | Path, capacity_by_dong: int | float | dict[str, int], *,
                   seed: int = 0, national_support_rate: float = 0.584) -> dict[str, Any]:
    """AUC, precision and recall at capacity, support rate and calibration, overall and by group.

    ``truth`` and ``households`` may be Parquet files: only the columns needed are read, the text ones as
    the file's own dictionaries (no string is decoded or hashed per row).

    Computed over arrays, never a joined frame, so the nation's 23 million households take a few seconds
    and little memory: the three inputs are matched by household id (no join when they list the same ids in
    the same order), every count and sum per group is a ``bincount``, and each grouping's AUC one in-place
    sort of 64-bit keys (group, probability to 2^-48, need) with the positives' places read off it: exact
    but for probabilities closer than 4e-15, counted as ties. The rule's AUC counts its ties (same number of
    kinds) half, as the model's held-out metrics do; its list at capacity orders them at random (seeded)."""
    sc = _columns(scores, ("household_id", "probability", "indicator_count"))
    tr = _columns(truth, ("household_id", "needs_support"))
    hh = _columns(households, ("household_id", "dong", "head_age", "head_sex", "household_type"))
    ids = _ints(sc["household_id"])
    t_at, t_found = _match(ids, tr["household_id"])
    h_at, h_found = _match(ids, hh["household_id"])
    whole = t_found is None and h_found is None
    rows = None if whole else np.flatnonzero(_all(t_found, len(ids)) & _all(h_found, len(ids)))
    if len(ids) == 0 or (rows is not None and len(rows) == 0):
        raise ValueError("no household has both a score and a truth")
    if rows is not None and len(rows) == len(ids):
        rows = None

    def pick(a: np.ndarray | None) -> Any:
        if rows is None:
            return a
        return rows if a is None else a[rows]

    t_at, h_at = pick(t_at), pick(h_at)
    p = pick(_numpy(sc["probability"]).astype(np.float64, copy=False))
    count = _numpy(sc["indicator_count"])
    if count.dtype.kind == "f":  # a missing count is none present
        count = np.nan_to_num(count).astype(np.int64)
    count = pick(count)
    y = _take(_bools(tr["needs_support"]), t_at)
    dong_all, dong_names = _codes(hh["dong"])
    names = [*dong_names, None]
    dong = _take(dong_all, h_at)
    cap = capacity_by_code(dong_all, [*dong_names, ""], capacity_by_dong)
    del dong_all
    workers = config.pool(config.default_threads())
    # The model's lists need only the probabilities and the dongs: begun while the other groups are coded.
    model_lists = workers.submit(_listed, p, dong, cap) if workers is not None else None
    groupings: dict[str, tuple[np.ndarray, list[Any]]] = {"dong": (dong, names)}
    groupings["age_group"] = (_take(_age_codes(_numpy(hh["head_age"])), h_at),
                              [name for _, _, name in AGE_GROUPS] + [None])
    for by, column in (("sex", "head_sex"), ("household_type", "household_type")):
        codes, values = _codes(hh[column])
        groupings[by] = (_take(codes, h_at), [*values, None])
    del sc, tr, hh

    n = len(p)
    # A 64-bit buffer of every household for each worker, filled again by each grouping: a fresh array
    # of this size costs more in page faults than the pass that fills it.
    spare: queue.SimpleQueue[np.ndarray] = queue.SimpleQueue()
    scratch = np.empty(n, np.int64)
    # The need in the lowest bit, below the quantized probability: the same key sorted with a group above it
    # gives every AUC (see _auc_by_group).
    needy = _quantized(p, scratch)
    spare.put(scratch)
    needy <<= 1
    needy |= y
    versions = _versions(scores)

    def buffer() -> np.ndarray:
        return spare.get() if not spare.empty() else np.empty(n, np.int64)

    def listed_baseline() -> np.ndarray:
        scratch = buffer()
        u = np.random.default_rng(seed).random(n, out=scratch.view(np.float64))
        u *= 0.5  # below 1: only orders ties of the count
        u += count
        rows = _listed(u, dong, cap)
        spare.put(scratch)
        return rows

    def calibration() -> list[dict[str, Any]]:
        edges = np.array(CALIBRATION_EDGES)
        which = _bins(p, edges)
        scratch = buffer()
        np.copyto(scratch, which)
        in_bin = np.bincount(scratch, minlength=len(edges) - 1)
        mean_p = _div(np.bincount(scratch, weights=p, minlength=len(in_bin)), in_bin)
        spare.put(scratch)
        observed = _div(np.bincount(which[y], minlength=len(in_bin)), in_bin)
        return [{"bin": f"[{lo:g}, {hi:g})", "households": int(in_bin[b]), "mean_probability": _py(mean_p[b]),
                 "observed_rate": _py(observed[b])}
                for b, (lo, hi) in enumerate(zip(edges[:-1], edges[1:], strict=True)) if in_bin[b]]

    def counted(by: str) -> dict[str, np.ndarray]:
        codes, values = groupings[by] if by else (None, [None])
        size = len(values)
        scratch = buffer()
        out: dict[str, np.ndarray] = {"households": np.array([n])}
        if codes is not None:  # counted from the buffer: bincount would convert codes of another type first
            np.copyto(scratch, codes)
            out["households"] = np.bincount(scratch, minlength=size)
            out["probability_sum"] = np.bincount(scratch, weights=p, minlength=size)
        out["auc_model"], out["need_support"] = _auc_by_group(needy, codes, size, out["households"], scratch)
        out["auc_baseline"] = _auc_counts(count, y, codes, size, scratch)
        spare.put(scratch)
        return out

    # Sorting, searching and elementwise passes leave the GIL: the groupings, the rule's list and the calibration
    # side by side on the engine's workers (the model's list begun before), the biggest first.
    jobs: list[tuple[str, Any]] = [("g", by) for by in ("dong", "", "household_type", "age_group", "sex")]
    jobs += [("l", None), ("c", None)]

    def run(job: tuple[str, Any]) -> Any:
        kind, arg = job
        return counted(arg) if kind == "g" else listed_baseline() if kind == "l" else calibration()

    results = list(workers.map(run, jobs) if workers is not None else map(run, jobs))
    done = {arg: r for (kind, arg), r in zip(jobs, results, strict=True) if kind == "g"}
    listed_baseline_rows, calibrated = results[-2:]
    listed_model = model_lists.result() if model_lists is not None else _listed(p, dong, cap)
    for by, (codes, _) in groupings.items():
        out = done[by]
        size = len(out["households"])
        need = out["need_support"]
        out["prevalence"] = _div(need, out["households"])
        out["mean_probability"] = _div(out["probability_sum"], out["households"])
        for who, rows_listed in (("model", listed_model), ("baseline", listed_baseline_rows)):
            at = codes[rows_listed]
            out[f"listed_{who}"] = np.bincount(at, minlength=size)
            out[f"found_{who}"] = np.bincount(at[y[rows_listed]], minlength=size)
        for who in ("model", "baseline"):
            out[f"precision_{who}"] = _div(out[f"found_{who}"], out[f"listed_{who}"])
            out[f"recall_{who}"] = _div(out[f"found_{who}"], need)

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
    groups = {}
    for by, (_, values) in groupings.items():
        table = {k: done[by][k] for k in REPORTED}
        present = [i for i in np.flatnonzero(table["households"] > 0)]
        present.sort(key=lambda i: (values[i] is not None, values[i] or ""))  # missing first, as a sort does
        groups[by] = [{"group": values[i], **{k: _py(v[i]) for k, v in table.items()}} for i in present]
    return {
        "model_version": versions[0] if len(versions) == 1 else versions,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "baseline_rule": "count of indicator kinds present (ties in seeded random order)",
        "national_support_rate_2024": national_support_rate,
        "overall": overall,
        "calibration": calibrated,
        "groups": groups,
    }


# The figures of each group, in the order the report gives them.
REPORTED = ("households", "need_support", "prevalence", "mean_probability", "listed_model", "found_model",
            "listed_baseline", "found_baseline", "precision_model", "recall_model", "precision_baseline",
            "recall_baseline", "auc_model", "auc_baseline")
_TEXT_COLUMNS = ("dong", "head_sex", "household_type")


def _columns(x: pl.DataFrame | pa.Table | str | Path, columns: tuple[str, ...]) -> dict[str, Any]:
    """The columns as Polars series or Arrow arrays, never converted as a whole (text stays as it is)."""
    if isinstance(x, (str, Path)):
        # Polars decodes the dictionary-encoded ids several times faster than Arrow; Arrow keeps the text
        # as the file's dictionary, one column a call (three in one call took four times as long, 23M rows).
        import pyarrow.parquet as pq

        text = [c for c in columns if c in _TEXT_COLUMNS]
        frame = pl.read_parquet(x, columns=[c for c in columns if c not in text])
        return {c: pq.read_table(x, columns=[c], read_dictionary=[c]).column(c) if c in text else
                frame.get_column(c) for c in columns}
    if isinstance(x, pl.DataFrame):
        return {c: x.get_column(c) for c in columns}
    return {c: x.column(c) for c in columns}


def _numpy(column: pl.Series | pa.ChunkedArray) -> np.ndarray:
    """Numbers as NumPy, without a copy where there is nothing missing (missing: NaN)."""
    if isinstance(column, pl.Series):
        return column.to_numpy()
    return column.to_numpy(zero_copy_only=False)


def _ints(column: pl.Series | pa.ChunkedArray) -> np.ndarray:
    return _numpy(column).astype(np.int64, copy=False)


def _bools(column: pl.Series | pa.ChunkedArray) -> np.ndarray:
    if isinstance(column, pl.Series):
        return column.cast(pl.Boolean).fill_null(False).to_numpy()
    return column.cast(pa.bool_()).fill_null(False).to_numpy(zero_copy_only=False)


def _codes(column: pl.Series | pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    from dolbom.discovery.engine.pipeline import dictionary_codes

    return dictionary_codes(column.to_arrow() if isinstance(column, pl.Series) else column)


def _versions(scores: pl.DataFrame | pa.Table) -> list[Any]:
    """The model versions scored: one, as a rule, found without hashing a text per household."""
    column = scores.get_column("model_version") if isinstance(scores, pl.DataFrame) else \
        pl.Series(scores.column("model_version"))
    if len(column) and column.null_count() == 0 and bool((column == column[0]).all()):
        return [column[0]]
    return column.unique().to_list()


def _age_codes(age: np.ndarray) -> np.ndarray:
    """The AGE_GROUPS code of each age, ``len(AGE_GROUPS)`` outside them or missing: whole ages looked up
    in a table of every age they span (a comparison per group costs ten times more at 23 million)."""
    if age.dtype.kind in "iu" and len(age):
        low, high = int(age.min()), int(age.max())
        return _age_codes(np.arange(low, high + 1, dtype=np.float64))[age - low] if high - low < 1 << 16 else \
            _age_codes(age.astype(np.float64))
    age = age.astype(np.float64, copy=False)
    code = np.full(len(age), len(AGE_GROUPS), dtype=np.int8)
    for i, (lo, hi, _) in enumerate(AGE_GROUPS):
        code[(age >= lo) & (age < hi)] = i
    return code


def _all(found: np.ndarray | None, n: int) -> np.ndarray:
    return np.ones(n, dtype=bool) if found is None else found


def _match(ids: np.ndarray, other: pl.Series | pa.ChunkedArray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(row of each of ``ids`` in ``other``, whether it is there); (None, None) when both list the same
    households in the same order (compared chunk by chunk, without making one array of ``other``)."""
    series = other if isinstance(other, pl.Series) else pl.Series(other)
    if len(ids) == len(series) and series.cast(pl.Int64).equals(pl.Series(ids), check_names=False):
        return None, None
    return lookup(_ints(other), ids)


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


def _low_bit(key: np.ndarray) -> np.ndarray:
    """Whether the lowest bit of each int64 is set, read from its lowest byte (no 64-bit temporary)."""
    low = key.view(np.uint8)[:: 8] if sys.byteorder == "little" else key.view(np.uint8)[7:: 8]
    return low & 1


def _bins(p: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The bin of ``edges`` each of ``p`` falls in (below the first: the first, from the last edge or
    missing: the last), by one comparison per inner edge; ``searchsorted`` costs ten times more here."""
    which = np.zeros(len(p), np.uint8)
    for edge in edges[1:-1]:
        which += p >= edge
    which[np.isnan(p)] = len(edges) - 2
    return which


def _quantized(p: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """floor(clip(p, 0, 1) * 2^QUANTUM) in one new array (scaling by a power of two is exact, so clipping
    after it is the same); ``scratch``: an 8-byte buffer as long, overwritten."""
    scaled = scratch.view(np.float64)
    np.multiply(p, float(1 << QUANTUM), out=scaled)
    np.clip(scaled, 0.0, float(1 << QUANTUM), out=scaled)
    return scaled.astype(np.int64)  # truncation is the floor of what is not negative


def _auc_by_group(needy: np.ndarray, codes: np.ndarray | None, size: int, households: np.ndarray,
                  key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(each group's AUC of the quantized probability, ties counted half; each group's households in
    need). ``needy``: the quantized probability shifted up one bit, the need in the lowest; ``codes``:
    each household's group (None: one group of all); ``key``: an int64 buffer as long, overwritten.

    One in-place sort of the keys (group, probability, need): a positive's negatives at or below it are
    the rows before it less the positives before it; those strictly below, the rows below its key with the
    need bit cleared less the positives there. No split into positives and negatives, no second sort."""
    shift = QUANTUM + 1
    if size >= 1 << (63 - shift):
        raise ValueError(f"{size} groups are too many for one key")
    if codes is None:
        np.copyto(key, needy)
    else:
        np.left_shift(codes, shift, out=key, dtype=np.int64)
        key |= needy
    key.sort()
    at = np.flatnonzero(_low_bit(key))  # the positives' places, in key order
    pos = key[at]
    below = np.searchsorted(key, pos - 1, side="left")  # rows of a smaller (group, probability)
    below -= np.searchsorted(pos, pos, side="left")  # less the positives among them
    equal = at - np.arange(len(at))  # negatives before a positive: those below and those tied with it
    equal -= below
    group = pos >> shift
    n_pos = np.bincount(group, minlength=size)
    n_neg = households - n_pos
    before = np.concatenate([[0], np.cumsum(n_neg)])[group]  # negatives of the groups sorted before
    wins = np.bincount(group, weights=(below - before) + 0.5 * equal, minlength=size)
    return _div(wins, n_pos * n_neg.astype(np.float64)), n_pos


def _auc_counts(count: np.ndarray, y: np.ndarray, codes: np.ndarray | None, size: int,
                cell: np.ndarray) -> np.ndarray:
    """Each group's AUC of a small whole number (the rule's count), ties counted half, from one histogram
    of (group, count, need); ``cell``: an int64 buffer as long as ``count``, overwritten."""
    top = int(count.max()) + 1 if len(count) else 1
    if codes is None:
        np.copyto(cell, count)
    else:
        np.multiply(codes, top, out=cell, dtype=np.int64)
        cell += count
    cell <<= 1
    cell |= y
    both = np.bincount(cell, minlength=size * top * 2).reshape(size, top, 2).astype(np.float64)
    neg, pos = np.ascontiguousarray(both[:, :, 0]), np.ascontiguousarray(both[:, :, 1])
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
