"""Synthetic indicator files for every source agency, with a hidden ground truth.

The latent model (stated so the quality numbers can be read against it):

1. Each household has a latent hardship ``z = a_type + 0.015 * (head_age - 50)_+ + d_dong + u`` with
   ``u ~ N(0, 1)``, ``a_type`` from ``TYPE_EFFECT`` (older people and single parents living alone carry
   more risk) and a dong effect ``d_dong ~ N(0, 0.25²)`` drawn from the dong's name, so a neighbourhood
   keeps its character from one synthetic city (or cycle) to the next.
2. It needs support when ``z + e > TAU`` with ``e ~ N(0, 0.8²)``: the part a visit reveals and no agency
   sees. With ``TAU = 2.8`` about 3.5 % of households need support.
3. Each indicator kind ``k`` is present with probability ``sigmoid(logit(r_k) + b_k (z - 0.3))``, where the
   base rate ``r_k`` (0.08 %–0.8 %) and the signal strength ``b_k`` (0.3–1.4) are drawn once per kind from
   a generator seeded by the kind's code (a new kind in the catalogue gets its own, stably). School kinds
   only occur in households with children, pension loans only where the head is 60 or older, job and
   business kinds only where the head is under 70.
4. Values grow with ``z``: months in arrears ``1 + Poisson(exp(0.55 + 0.35 z))`` (so many records are
   below the 3-month threshold), amounts log-normal around the middle of the kind's band, and the
   record's age in days exponential with mean ``0.6 within_days exp(-0.3 z)`` (some fall outside the
   window and must be ignored).

Households are drawn in chunks and every chunk is appended to one Parquet (or CSV) writer per agency,
so memory stays flat whatever the size: the nation (23 million households) runs in a few GiB.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from dolbom.discovery.catalogue import Catalogue, Indicator, load_catalogue
from dolbom.discovery.engine.schema import HOUSEHOLD_SCHEMA, HOUSEHOLD_TYPES, SOURCE_SCHEMA

TAU = 2.8
TYPE_EFFECT = {"older_alone": 0.7, "adult_alone": 0.45, "older_couple": 0.2, "older_with_child": 0.3,
               "couple": -0.15, "single_parent": 0.55, "family": 0.0, "family_grand": 0.15}
TYPE_SHARE = {"older_alone": 0.12, "adult_alone": 0.21, "older_couple": 0.10, "older_with_child": 0.06,
              "couple": 0.15, "single_parent": 0.05, "family": 0.27, "family_grand": 0.04}
WITH_CHILDREN = ("single_parent", "family", "family_grand")
SCHOOL_CATEGORIES = ("school", "young_carer")
WORKING_AGE_CATEGORIES = ("job_loss", "business_closure", "industrial_accident", "tax_arrears")
HOUSEHOLDS_PER_DONG = 7_000  # a Korean dong serves roughly this many households


@dataclass
class SourceManifest:
    out_dir: Path
    households_path: Path
    truth_path: Path
    source_paths: dict[str, Path]  # agency code -> file
    households: int
    records: dict[str, int] = field(default_factory=dict)
    needs_support: int = 0
    as_of: dt.date = dt.date(2026, 1, 1)
    seed: int = 0

    @property
    def prevalence(self) -> float:
        return self.needs_support / max(self.households, 1)


def _dong_names(n: int) -> list[str]:
    from dolbom.registry.synthetic.tables import DONG_PROFILE

    jeonju = list(dict.fromkeys("금암동" if d.startswith("금암") else d for d in DONG_PROFILE))
    if n <= len(jeonju):
        return jeonju[:n]
    return [f"행정동{i:05d}" for i in range(1, n + 1)]


def synthetic_households(n: int, *, seed: int, start_id: int = 1, dongs: int | None = None) -> pa.Table:
    """``n`` households in the engine's household layout (no names: the engine needs none)."""
    rng = np.random.default_rng([seed, start_id])
    n_dongs = dongs or max(34, -(-n // HOUSEHOLDS_PER_DONG))
    names = _dong_names(n_dongs)
    weights = np.random.default_rng(seed).gamma(4.0, 1.0, n_dongs)
    dong = rng.choice(n_dongs, size=n, p=weights / weights.sum())
    kinds = np.array(HOUSEHOLD_TYPES)
    share = np.array([TYPE_SHARE[k] for k in HOUSEHOLD_TYPES])
    t = rng.choice(len(kinds), size=n, p=share / share.sum())
    older = np.isin(t, [0, 2, 3])
    age = np.where(older, 65 + np.minimum(rng.exponential(9.0, n), 39), 0)
    age = np.where(t == 1, rng.integers(20, 65, n), age)
    age = np.where(np.isin(t, [4, 5, 6, 7]), rng.integers(25, 65, n), age)
    size = np.select([t <= 1, t <= 3, t == 4, t == 5], [1, 2, 2, 1 + rng.integers(1, 4, n)],
                     default=3 + rng.integers(0, 3, n))
    female_p = np.select([t == 0, t == 5, t == 1], [0.7, 0.8, 0.45], default=0.25)
    sex = np.where(rng.random(n) < female_p, "F", "M")
    return pa.Table.from_arrays([
        pa.array(np.arange(start_id, start_id + n, dtype=np.int64)),
        pa.DictionaryArray.from_arrays(pa.array(dong.astype(np.int32)), pa.array(names)).cast(pa.string()),
        pa.array(age.astype(np.int16)), pa.array(sex), pa.array(kinds[t]), pa.array(size.astype(np.int8)),
    ], schema=HOUSEHOLD_SCHEMA)


def _kind_parameters(ind: Indicator) -> tuple[float, float]:
    g = np.random.default_rng(zlib.crc32(ind.code.encode()))
    rate = float(np.exp(g.uniform(np.log(0.0008), np.log(0.008))))
    return rate, float(g.uniform(0.3, 1.4))


def _dong_effect(name: str) -> float:
    return float(np.random.default_rng(zlib.crc32(name.encode())).normal(0, 0.25))


def _latent(hh: pa.Table, rng: np.random.Generator, dong_effect: dict[str, float]) -> np.ndarray:
    kinds = np.asarray(hh.column("household_type").to_numpy(zero_copy_only=False))
    a = np.zeros(len(kinds))
    for kind, eff in TYPE_EFFECT.items():
        a[kinds == kind] = eff
    age = hh.column("head_age").to_numpy().astype(np.float64)
    dong = hh.column("dong").dictionary_encode().combine_chunks() if hh.num_rows else None
    d = np.zeros(len(kinds))
    if dong is not None:
        for v in dong.dictionary.to_pylist():
            if v not in dong_effect:
                dong_effect[v] = _dong_effect(v)
        values = np.array([dong_effect[v] for v in dong.dictionary.to_pylist()])
        d = values[dong.indices.to_numpy()]
    return a + 0.015 * np.maximum(age - 50, 0) + d + rng.normal(0, 1, len(kinds))


def _records(ind: Indicator, z: np.ndarray, hh: pa.Table, as_of: dt.date, rng: np.random.Generator) -> pa.Table:
    rate, signal = _kind_parameters(ind)
    logit = np.log(rate / (1 - rate)) + signal * (z - 0.3)
    eligible = np.ones(len(z), dtype=bool)
    kinds = np.asarray(hh.column("household_type").to_numpy(zero_copy_only=False))
    age = hh.column("head_age").to_numpy()
    if ind.category in SCHOOL_CATEGORIES:
        eligible = np.isin(kinds, WITH_CHILDREN)
    elif ind.category == "pension_loan":
        eligible = age >= 60
    elif ind.category in WORKING_AGE_CATEGORIES:
        eligible = age < 70
    rows = np.nonzero(eligible & (rng.random(len(z)) < 1 / (1 + np.exp(-logit))))[0]
    zr = z[rows]
    n = len(rows)
    days = np.floor(rng.exponential(0.6 * ind.within_days * np.exp(-0.3 * zr))).astype(np.int64)
    ref = np.datetime64(as_of, "D") - days.astype("m8[D]")
    months = amount = None
    if ind.measure == "months":
        months = pa.array((1 + rng.poisson(np.exp(0.55 + 0.35 * zr))).astype(np.int32))
    if ind.measure == "amount":
        lo = ind.amount_min or 300_000
        hi = ind.amount_max or lo * 6
        centre = np.log(np.sqrt(lo * hi)) + 0.35 * zr
        amount = pa.array((np.round(np.exp(rng.normal(centre, 0.7)) / 1000) * 1000).astype(np.int64))
    return pa.Table.from_arrays([
        pa.array(hh.column("household_id").to_numpy()[rows]),
        pa.array(np.full(n, ind.code)),
        pa.array(ref, type=pa.date32()),
        months if months is not None else pa.nulls(n, pa.int32()),
        amount if amount is not None else pa.nulls(n, pa.int64()),
    ], schema=SOURCE_SCHEMA)


class _Writer:
    def __init__(self, path: Path, schema: pa.Schema, fmt: str) -> None:
        self.fmt = fmt
        self.writer: pq.ParquetWriter | pacsv.CSVWriter = (
            pq.ParquetWriter(path, schema) if fmt == "parquet" else pacsv.CSVWriter(path, schema))

    def write(self, table: pa.Table) -> None:
        self.writer.write_table(table)

    def close(self) -> None:
        self.writer.close()


def generate_sources(households: pa.Table | int, *, seed: int, out_dir: Path | str, as_of: dt.date,
                     chunk_rows: int = 1_000_000, catalogue: Catalogue | None = None,
                     fmt: Literal["parquet", "csv"] = "parquet") -> SourceManifest:
    """Write households, one indicator file per agency and the hidden truth under ``out_dir``."""
    catalogue = catalogue or load_catalogue()
    out = Path(out_dir)
    (out / "sources").mkdir(parents=True, exist_ok=True)
    active = catalogue.active(as_of)
    agencies = sorted({i.agency for i in active})
    total = households if isinstance(households, int) else households.num_rows
    n_dongs = max(34, -(-total // HOUSEHOLDS_PER_DONG)) if isinstance(households, int) else None
    paths = {a: out / "sources" / f"{catalogue.agencies[a].file_stem}.{fmt}" for a in agencies}
    writers = {a: _Writer(p, SOURCE_SCHEMA, fmt) for a, p in paths.items()}
    hh_writer = pq.ParquetWriter(out / "households.parquet", HOUSEHOLD_SCHEMA)
    truth_schema = pa.schema([("household_id", pa.int64()), ("needs_support", pa.bool_())])
    truth_writer = pq.ParquetWriter(out / "truth.parquet", truth_schema)
    rng = np.random.default_rng(seed)
    dong_effect: dict[str, float] = {}
    manifest = SourceManifest(out_dir=out, households_path=out / "households.parquet",
                              truth_path=out / "truth.parquet", source_paths=paths, households=total,
                              records=dict.fromkeys(agencies, 0), as_of=as_of, seed=seed)
    try:
        for start in range(0, total, chunk_rows):
            n = min(chunk_rows, total - start)
            if isinstance(households, int):
                hh = synthetic_households(n, seed=seed, start_id=start + 1, dongs=n_dongs)
            else:
                hh = households.slice(start, n).select(HOUSEHOLD_SCHEMA.names).cast(HOUSEHOLD_SCHEMA)
            z = _latent(hh, rng, dong_effect)
            need = (z + rng.normal(0, 0.8, n)) > TAU
            manifest.needs_support += int(need.sum())
            hh_writer.write_table(hh)
            truth_writer.write_table(pa.table({"household_id": hh.column("household_id"),
                                               "needs_support": pa.array(need)}, schema=truth_schema))
            by_agency: dict[str, list[pa.Table]] = {a: [] for a in agencies}
            for ind in active:
                by_agency[ind.agency].append(_records(ind, z, hh, as_of, rng))
            for agency, tables in by_agency.items():
                table = pa.concat_tables(tables).sort_by("household_id")
                manifest.records[agency] += table.num_rows
                writers[agency].write(table)
    finally:
        for w in writers.values():
            w.close()
        hh_writer.close()
        truth_writer.close()
    return manifest
