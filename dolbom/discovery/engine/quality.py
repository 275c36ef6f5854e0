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

from dolbom.discovery.engine.model import auc
from dolbom.discovery.engine.scoring import capacity_table

CALIBRATION_EDGES = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)
AGE_GROUPS = ((0, 40, "<40"), (40, 65, "40-64"), (65, 80, "65-79"), (80, 200, "80+"))


def _frame(x: pl.DataFrame | pa.Table) -> pl.DataFrame:
    df = x if isinstance(x, pl.DataFrame) else pl.from_arrow(x)
    assert isinstance(df, pl.DataFrame)
    return df


def _rates(df: pl.DataFrame, by: str | None) -> pl.DataFrame:
    y = pl.col("needs_support")
    aggs = [
        pl.len().alias("households"), y.sum().alias("need_support"),
        y.mean().alias("prevalence"),
        pl.col("probability").mean().alias("mean_probability"),
        pl.col("listed_model").sum().alias("listed_model"),
        (pl.col("listed_model") & y).sum().alias("found_model"),
        pl.col("listed_baseline").sum().alias("listed_baseline"),
        (pl.col("listed_baseline") & y).sum().alias("found_baseline"),
    ]
    grouped = df.group_by(by).agg(aggs) if by else df.select(aggs)
    return grouped.with_columns(
        precision_model=pl.col("found_model") / pl.col("listed_model"),
        recall_model=pl.col("found_model") / pl.col("need_support"),
        precision_baseline=pl.col("found_baseline") / pl.col("listed_baseline"),
        recall_baseline=pl.col("found_baseline") / pl.col("need_support"),
    ).fill_nan(None)


def _aucs(df: pl.DataFrame, by: str) -> pl.DataFrame:
    return df.with_columns(
        _rm=pl.col("probability").rank("average").over(by),
        _rb=pl.col("_baseline").rank("average").over(by),
    ).group_by(by).agg(
        auc_model=_auc_from_ranks("_rm"), auc_baseline=_auc_from_ranks("_rb"))


def _auc_from_ranks(col: str) -> pl.Expr:
    y = pl.col("needs_support")
    pos, neg = y.sum().cast(pl.Float64), (~y).sum().cast(pl.Float64)
    value = (pl.col(col).filter(y).sum() - pos * (pos + 1) / 2) / (pos * neg)
    return pl.when((pos > 0) & (neg > 0)).then(value).otherwise(None)


def quality_report(scores: pl.DataFrame | pa.Table, truth: pl.DataFrame | pa.Table,
                   households: pl.DataFrame | pa.Table, capacity_by_dong: int | float | dict[str, int], *,
                   seed: int = 0, national_support_rate: float = 0.584) -> dict[str, Any]:
    """AUC, precision and recall at capacity, support rate and calibration, overall and by group."""
    hh = _frame(households)
    df = (
        _frame(scores).select("household_id", "probability", "indicator_count", "model_version")
        .join(_frame(truth).select("household_id", pl.col("needs_support").cast(pl.Boolean)), on="household_id")
        .join(hh.select("household_id", "dong", "head_age", "head_sex", "household_type"), on="household_id")
    )
    if df.height == 0:
        raise ValueError("no household has both a score and a truth")
    u = np.random.default_rng(seed).random(df.height) * 0.5  # below 1: only orders ties of the count
    df = df.with_columns(_baseline=pl.col("indicator_count").cast(pl.Float64) + pl.Series(u))
    cap = capacity_table(hh, capacity_by_dong)
    df = df.join(cap, on="dong", how="left").with_columns(pl.col("capacity").fill_null(0))
    df = df.with_columns(
        listed_model=pl.col("probability").rank("ordinal", descending=True).over("dong") <= pl.col("capacity"),
        listed_baseline=pl.col("_baseline").rank("ordinal", descending=True).over("dong") <= pl.col("capacity"),
        age_group=pl.coalesce([pl.when((pl.col("head_age") >= lo) & (pl.col("head_age") < hi)).then(pl.lit(name))
                               for lo, hi, name in AGE_GROUPS]),
        sex=pl.col("head_sex"),
    )
    y = df["needs_support"].to_numpy()
    overall = _rates(df, None).row(0, named=True)
    overall["auc_model"] = auc(y, df["probability"].to_numpy())
    overall["auc_baseline"] = auc(y, df["_baseline"].to_numpy())
    overall["support_rate_model"] = overall["precision_model"]
    overall["support_rate_baseline"] = overall["precision_baseline"]
    edges = np.array(CALIBRATION_EDGES)
    which = np.clip(np.searchsorted(edges, df["probability"].to_numpy(), side="right") - 1, 0, len(edges) - 2)
    labels = [f"[{lo:g}, {hi:g})" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    bins = (
        df.with_columns(_bin=pl.Series(which))
        .group_by("_bin").agg(pl.len().alias("households"), pl.col("probability").mean().alias("mean_probability"),
                              pl.col("needs_support").mean().alias("observed_rate"))
        .sort("_bin").with_columns(bin=pl.col("_bin").map_elements(labels.__getitem__, return_dtype=pl.Utf8))
        .select("bin", "households", "mean_probability", "observed_rate")
    )
    groups = {}
    for by in ("dong", "age_group", "sex", "household_type"):
        table = _rates(df, by).join(_aucs(df, by), on=by).sort(by)
        groups[by] = table.rename({by: "group"}).to_dicts()
    versions = df["model_version"].unique().to_list()
    return {
        "model_version": versions[0] if len(versions) == 1 else versions,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "baseline_rule": "count of indicator kinds present (ties in seeded random order)",
        "national_support_rate_2024": national_support_rate,
        "overall": overall,
        "calibration": bins.to_dicts(),
        "groups": groups,
    }


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
