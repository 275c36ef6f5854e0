"""The whole discovery cycle as Spark jobs: agency files and households (Parquet, CSV) in, visit lists out.

The same batch kernels as the local engine (``engine.pipeline.run_cycle``) run inside Spark, so the lists
are identical (household ids, scores, ranks, reasons; ``test_engine_spark_cycle.py``):

1. features: the records are grouped by a bucket of households (``groupBy(bucket).applyInArrow``: a
   household's records all reach one call) and turned into feature rows by ``indicator_features``; the
   households get their context by ``context_features`` (``mapInArrow``); one row per household, joined,
   written as ``_work/features.parquet``.
2. score: ``score_batch`` without reasons per Arrow batch (``mapInArrow``). As in the local engine, the
   households without any usable record are scored once per distinct context within each batch (exact: the
   same feature values give the same score). Written as ``_work/scores.parquet``.
3. rank: a window per dong ordered by probability, raw score and household id, cut at each dong's capacity
   (the local engine's ``capacity_table`` rule: an int per dong, a share of its households, or a dict).
4. explain and write: ``score_batch`` with reasons for the listed rows only, joined to the lists, written as
   ``lists.parquet`` (a Parquet directory with one part file, ordered by dong and rank).

Paths may be local, NFS, ``hdfs://`` or ``s3a://``: the stages read and write through Spark only. Run it on a
cluster with ``spark-submit`` (``main`` below; ``docs/SPARK.md``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from dolbom.discovery.catalogue import Catalogue
from dolbom.discovery.engine import config
from dolbom.discovery.engine.features import context_features, feature_names, indicator_features
from dolbom.discovery.engine.model import Model, load_model
from dolbom.discovery.engine.pipeline import CycleResult
from dolbom.discovery.engine.schema import CONTEXT_FEATURES, COUNT_FEATURE
from dolbom.discovery.engine.scoring import Explain, score_batch

SOURCE_DDL = "household_id long, indicator_code string, reference_date date, months int, amount long"
HOUSEHOLD_COLUMNS = ("household_id", "dong", "head_age", "household_type", "household_size")
SCORE_DDL = "household_id long, dong string, score double, probability double, indicator_count int"
REASON_DDL = "household_id long, reason_codes array<string>, reasons array<string>"
LIST_COLUMNS = ("dong", "rank", "household_id", "score", "probability", "indicator_count", "model_version",
                "reason_codes", "reasons")
Capacity = int | float | dict[str, int]


def _scheme(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def _join(base: str | Path, *parts: str) -> str:
    return "/".join([str(base).rstrip("/"), *parts])


def source_paths(indicators: str | Path | Iterable[str | Path]) -> tuple[list[str], list[str]]:
    """(Parquet paths, CSV paths) of the agency files. A local directory stands for its ``.parquet`` and
    ``.csv`` files, as for the local engine; a URI or glob (``hdfs:///cycle/sources/*.parquet``) is handed
    to Spark as it is, read as CSV when it ends in ``.csv``."""
    given = [indicators] if isinstance(indicators, str | Path) else list(indicators)
    parquet: list[str] = []
    csv: list[str] = []
    for item in given:
        text = str(item)
        local = Path(text.removeprefix("file://"))
        found = sorted(q for q in local.iterdir() if q.suffix in (".parquet", ".csv")) \
            if not _scheme(text) and local.is_dir() else None
        for p in [str(q) for q in found] if found is not None else [text]:
            (csv if p.endswith(".csv") else parquet).append(p)
    return parquet, csv


def read_sources(spark: Any, indicators: str | Path | Iterable[str | Path]) -> Any:
    """Every agency file as one DataFrame with the source layout's types (each file cast on its own, as the
    local reader does, so that an agency writing ``months`` as int64 still reads)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import _parse_datatype_string

    schema = _parse_datatype_string(SOURCE_DDL)
    parquet, csv = source_paths(indicators)
    frames = [spark.read.parquet(*group).select([F.col(f.name).cast(f.dataType) for f in schema.fields])
              for group in _same_layout(parquet)]
    if csv:
        frames.append(spark.read.csv(csv, header=True, schema=schema, dateFormat="yyyy-MM-dd"))
    if not frames:
        return spark.createDataFrame([], schema)
    out = frames[0]
    for f in frames[1:]:
        out = out.unionByName(f)
    return out


def _same_layout(paths: list[str]) -> list[list[str]]:
    """Local Parquet files grouped by their column types (read from the footers), so that one Spark read
    serves each group instead of a job per file; a URI or glob is a group of its own."""
    import pyarrow.parquet as pq

    groups: dict[str, list[str]] = {}
    for p in paths:
        local = Path(p.removeprefix("file://"))
        key = p if _scheme(p) or not local.is_file() else str(pq.read_schema(local).remove_metadata())
        groups.setdefault(key, []).append(p)
    return list(groups.values())


def validate_sources(spark: Any, indicators: str | Path | Iterable[str | Path], catalogue: Catalogue,
                     as_of: dt.date) -> list[tuple[str, int, str, str]]:
    """``validate_source_file`` of each file, one Spark task per file (the files must be readable as
    paths by the workers: local or NFS). (file, line, code, message) of the first errors of each."""
    from dolbom.discovery.engine.validate import validate_source_file

    parquet, csv = source_paths(indicators)
    files = parquet + csv

    def check(path: str) -> list[tuple[str, int, str, str]]:
        return [(path, e.line, e.code, e.message) for e in validate_source_file(path, catalogue, as_of=as_of)[:20]]

    if not files:
        return []
    return spark.sparkContext.parallelize(files, len(files)).flatMap(check).collect()


def _feature_names(catalogue: Catalogue, as_of: dt.date) -> list[str]:
    """Indicator features (no context, no count), in the catalogue's order."""
    return [n for n in feature_names(catalogue, as_of) if n not in CONTEXT_FEATURES and n != COUNT_FEATURE]


def _features_kernel(catalogue: Catalogue, as_of: dt.date, names: list[str]) -> Callable[[pa.Table], pa.Table]:
    schema = pa.schema([("household_id", pa.int64()), *[(n, pa.float32()) for n in names],
                        (COUNT_FEATURE, pa.float32())])
    driver_config = config.current()

    def kernel(table: pa.Table) -> pa.Table:
        config.use(driver_config)
        frame = indicator_features(table.select(["household_id", "indicator_code", "reference_date", "months",
                                                 "amount"]), catalogue, as_of)
        return frame.select("household_id", *names, COUNT_FEATURE).to_arrow().cast(schema)

    return kernel


def _context_kernel(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    schema = pa.schema([("household_id", pa.int64()), ("dong", pa.string()),
                        *[(c, pa.float32()) for c in CONTEXT_FEATURES]])
    for batch in batches:
        ctx = context_features(pa.Table.from_batches([batch]))
        dong = batch.column(batch.schema.get_field_index("dong")).cast(pa.string())
        table = ctx.to_arrow().append_column("dong", dong).select(schema.names).cast(schema)
        yield from table.to_batches()


def _split(batch: pa.RecordBatch, names: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(feature rows of the households with records, context rows of those without any)."""
    frame = pl.from_arrow(batch)
    assert isinstance(frame, pl.DataFrame)
    has = frame[COUNT_FEATURE].is_not_null()
    return (frame.filter(has).select("household_id", "dong", *CONTEXT_FEATURES, *names, COUNT_FEATURE),
            frame.filter(~has).select("household_id", "dong", *CONTEXT_FEATURES))


def _by_context(rows: pl.DataFrame, model: Model, reasons: bool, explain_with: Explain) -> pl.DataFrame:
    """``score_batch`` of households without records, once per distinct context (the local engine's rule)."""
    combos = rows.select(CONTEXT_FEATURES).unique(maintain_order=True).with_row_index("household_id").with_columns(
        pl.col("household_id").cast(pl.Int64))
    scored = pl.from_arrow(score_batch(_batch(combos), model, reasons=reasons, threads=1, explain_with=explain_with))
    assert isinstance(scored, pl.DataFrame)
    per = combos.join(scored.rename({"household_id": "_combo"}), left_on="household_id", right_on="_combo")
    return rows.join(per.drop("household_id"), on=list(CONTEXT_FEATURES), how="left", nulls_equal=True,
                     maintain_order="left")


def _batch(frame: pl.DataFrame) -> pa.RecordBatch:
    """A frame of at least one row as one Arrow batch (the kernel's input)."""
    return frame.to_arrow().combine_chunks().to_batches()[0]


def _scores_kernel(model_bytes: bytes, compiled: bool, names: list[str], reasons: bool,
                   explain_with: Explain) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    driver_config = config.current()
    # Polars hands out large lists and strings; Spark takes the plain Arrow types.
    schema = (pa.schema([("household_id", pa.int64()), ("reason_codes", pa.list_(pa.string())),
                         ("reasons", pa.list_(pa.string()))]) if reasons
              else pa.schema([("household_id", pa.int64()), ("dong", pa.string()), ("score", pa.float64()),
                              ("probability", pa.float64()), ("indicator_count", pa.int32())]))
    columns = schema.names

    def kernel(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        config.use(driver_config)
        model = load_model(model_bytes, compiled=compiled)  # once per task, on the worker
        for batch in batches:
            with_records, without = _split(batch, names)
            parts = []
            if with_records.height:
                out = pl.from_arrow(score_batch(_batch(with_records.drop("dong")), model,
                                                reasons=reasons, threads=1, explain_with=explain_with))
                assert isinstance(out, pl.DataFrame)
                parts.append(out.with_columns(dong=with_records["dong"]).select(columns))
            if without.height:
                parts.append(_by_context(without, model, reasons, explain_with).select(columns))
            for part in parts:
                yield from part.to_arrow().cast(schema).to_batches()

    return kernel


def _capacity_frame(spark: Any, scores: Any, capacity: Capacity) -> Any:
    """dong -> capacity, as ``scoring.capacity_table``: a share is of every household of the dong."""
    from pyspark.sql import functions as F

    if isinstance(capacity, dict):
        return spark.createDataFrame([(str(k), int(v)) for k, v in capacity.items()], "dong string, capacity long")
    counts = scores.where(F.col("dong").isNotNull()).groupBy("dong").count()
    if isinstance(capacity, float):
        return counts.select("dong", F.ceil(F.col("count") * F.lit(capacity)).cast("long").alias("capacity"))
    return counts.select("dong", F.lit(int(capacity)).cast("long").alias("capacity"))


def rank_lists(spark: Any, scores: Any, capacity: Capacity, exclude: Iterable[int] | None = None) -> Any:
    """Each dong's top ``capacity`` households by probability (ties: raw score, then household id), ranked
    from 1; households in ``exclude`` are removed before ranking so the next one takes their place."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    caps = _capacity_frame(spark, scores, capacity)
    eligible = scores.where(F.col("dong").isNotNull())
    ids = [int(i) for i in (exclude or [])]
    if ids:
        eligible = eligible.join(F.broadcast(spark.createDataFrame([(i,) for i in ids], "household_id long")),
                                 "household_id", "left_anti")
    order = Window.partitionBy("dong").orderBy(F.col("probability").desc(), F.col("score").desc(),
                                               F.col("household_id").asc())
    ranked = eligible.join(F.broadcast(caps), "dong").withColumn("rank", F.row_number().over(order).cast("int"))
    return ranked.where(F.col("rank") <= F.col("capacity")).drop("capacity")


def _note(timings: dict[str, float], name: str, start: float, cpu: Callable[[], float] | None = None,
          cpu_start: float = 0.0) -> None:
    timings[name] = time.perf_counter() - start
    if cpu is not None:
        timings[f"{name}_cpu"] = cpu() - cpu_start


def run_cycle_spark(*, households: str | Path, indicators: str | Path | Iterable[str | Path], model: Model,
                    catalogue: Catalogue, as_of: dt.date, capacity: Capacity, out_dir: str | Path,
                    exclude: Iterable[int] | None = None, keep_scores: bool = False, explain_with: Explain = "shap",
                    spark: Any = None, buckets: int | None = None, batch_rows: int = 131_072,
                    validate: bool = False, keep_work: bool = False,
                    cpu_clock: Callable[[], float] | None = None) -> CycleResult:
    """``run_cycle`` as Spark jobs: the same lists, written as ``out_dir/lists.parquet`` (a directory).

    ``households``: a Parquet file or directory in the household layout; ``indicators``: the agency files.
    ``buckets``: how many groups of households the records are built into features in (default: Spark's
    shuffle partitions); ``validate``: run ``validate_source_file`` on every file first (one task each) and
    refuse the cycle on any error. The intermediate tables (``out_dir/_work``) are removed at the end unless
    ``keep_work``. ``timings``: wall seconds per stage, and with ``cpu_clock`` (CPU seconds of whatever it
    counts, e.g. the driver, JVM and workers together: Spark works outside this process) ``<stage>_cpu``."""
    from pyspark.sql import functions as F

    from dolbom.discovery.engine.spark import spark_session

    spark = spark or spark_session()
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch_rows))
    timings: dict[str, float] = {}
    clock = cpu_clock or (lambda: 0.0)
    out, work = str(out_dir), _join(out_dir, "_work")
    if not _scheme(out):
        Path(out.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
    names = _feature_names(catalogue, as_of)

    if validate:
        t, c = time.perf_counter(), clock()
        errors = validate_sources(spark, indicators, catalogue, as_of)
        _note(timings, "validate", t, cpu_clock, c)
        if errors:
            shown = "; ".join(f"{Path(p).name}:{line} [{code}] {msg}" for p, line, code, msg in errors[:5])
            raise ValueError(f"{len(errors)} errors in the agency files: {shown}")

    t, c = time.perf_counter(), clock()
    n_buckets = buckets or int(spark.conf.get("spark.sql.shuffle.partitions"))
    records = read_sources(spark, indicators)
    feature_ddl = ", ".join(["household_id long", *[f"{n} float" for n in names], f"{COUNT_FEATURE} float"])
    per_household = (records.groupBy(F.pmod(F.xxhash64("household_id"), F.lit(n_buckets)).alias("_bucket"))
                     .applyInArrow(_features_kernel(catalogue, as_of, names), feature_ddl))
    context_ddl = ", ".join(["household_id long", "dong string", *[f"{c} float" for c in CONTEXT_FEATURES]])
    hh = spark.read.parquet(str(households)).select(*HOUSEHOLD_COLUMNS).mapInArrow(_context_kernel, context_ddl)
    # Records of households not in the register drop out here, as in the local engine.
    features = hh.join(per_household, "household_id", "left")
    features.write.mode("overwrite").parquet(_join(work, "features.parquet"))
    _note(timings, "features", t, cpu_clock, c)

    t, c = time.perf_counter(), clock()
    features = spark.read.parquet(_join(work, "features.parquet"))
    kernel = _scores_kernel(model.data, model.compiled, names, reasons=False, explain_with=explain_with)
    features.mapInArrow(kernel, SCORE_DDL).write.mode("overwrite").parquet(_join(work, "scores.parquet"))
    _note(timings, "score", t, cpu_clock, c)

    t, c = time.perf_counter(), clock()
    scores = spark.read.parquet(_join(work, "scores.parquet"))
    listed = rank_lists(spark, scores, capacity, exclude).localCheckpoint()
    _note(timings, "rank", t, cpu_clock, c)

    t, c = time.perf_counter(), clock()
    rows = features.join(F.broadcast(listed.select("household_id")), "household_id", "left_semi")
    explained = rows.mapInArrow(_scores_kernel(model.data, model.compiled, names, reasons=True,
                                               explain_with=explain_with), REASON_DDL)
    lists = (listed.join(explained, "household_id", "left").withColumn("model_version", F.lit(model.version))
             .select(*LIST_COLUMNS).repartition(1).sortWithinPartitions("dong", "rank"))
    lists_path = _join(out, "lists.parquet")
    lists.write.mode("overwrite").parquet(lists_path)
    _note(timings, "explain_listed", t, cpu_clock, c)

    t, c = time.perf_counter(), clock()
    counts = features.agg(F.count("*").alias("n"), F.count(COUNT_FEATURE).alias("with_records")).first()
    lists_frame = read_lists(spark, lists_path)
    kept = read_scores(spark, _join(work, "scores.parquet"), model.version) if keep_scores else None
    if not keep_work and not _scheme(work):
        shutil.rmtree(work.removeprefix("file://"), ignore_errors=True)
    _note(timings, "collect", t, cpu_clock, c)
    return CycleResult(lists_path=Path(lists_path), lists=lists_frame, scores=kept, households=int(counts["n"]),
                       scored_with_records=int(counts["with_records"]), model_version=model.version, timings=timings)


def _to_polars(df: Any) -> pl.DataFrame:
    frame = pl.from_arrow(df.toArrow())
    assert isinstance(frame, pl.DataFrame)
    return frame


def read_lists(spark: Any, path: str) -> pl.DataFrame:
    """The lists written by ``run_cycle_spark`` with the local engine's column types."""
    frame = _to_polars(spark.read.parquet(path).select(*LIST_COLUMNS))
    return frame.with_columns(pl.col("rank").cast(pl.Int32), pl.col("indicator_count").cast(pl.Int32),
                              pl.col("dong").cast(pl.Utf8)).sort("dong", "rank")


def read_scores(spark: Any, path: str, version: str) -> pl.DataFrame:
    frame = _to_polars(spark.read.parquet(path))
    return frame.with_columns(model_version=pl.lit(version))


# spark-submit entry point ----------------------------------------------------------------------------

def _capacity(text: str) -> Capacity:
    """``0.05`` (a share of each dong's households), ``40`` (households per dong) or a JSON object
    ``{"동명": n, ...}`` / ``@file.json``."""
    if text.startswith("@"):
        text = Path(text[1:]).read_text(encoding="utf-8")
    if text.lstrip().startswith("{"):
        return {str(k): int(v) for k, v in json.loads(text).items()}
    return float(text) if "." in text else int(text)


def _read_bytes(spark: Any, path: str) -> bytes:
    """A small file (the model artefact) from local disk or, through Spark, from shared storage."""
    if not _scheme(path):
        return Path(path.removeprefix("file://")).read_bytes()
    return bytes(spark.sparkContext.binaryFiles(path).first()[1])


def main(argv: list[str] | None = None) -> int:
    from dolbom.discovery.catalogue import load_catalogue
    from dolbom.discovery.engine.spark import spark_session

    p = argparse.ArgumentParser(prog="spark_cycle", description="The whole discovery cycle as Spark jobs.")
    p.add_argument("--households", required=True, help="households Parquet (file or directory)")
    p.add_argument("--indicators", required=True, nargs="+", help="agency files: a directory, files or globs")
    p.add_argument("--model", required=True, help="model artefact (dolbom discovery export-model)")
    p.add_argument("--as-of", required=True, type=dt.date.fromisoformat, help="the cycle's date")
    p.add_argument("--capacity", default="0.01", type=_capacity, help="share, count per dong, or JSON/@file")
    p.add_argument("--out", required=True, help="where lists.parquet is written")
    p.add_argument("--exclude", default=None, help="Parquet with household_id: objections, open cases")
    p.add_argument("--explain-with", choices=["shap", "path"], default="shap")
    p.add_argument("--buckets", type=int, default=None, help="household groups for the features")
    p.add_argument("--validate", action="store_true", help="validate every agency file first")
    p.add_argument("--keep-work", action="store_true", help="keep out/_work (features and scores)")
    p.add_argument("--no-compiled-trees", action="store_true", help="score with LightGBM, not lleaves")
    a = p.parse_args(argv)
    spark = spark_session()
    if a.no_compiled_trees:
        config.configure(compiled_trees=False)
    model = load_model(_read_bytes(spark, a.model))
    catalogue = load_catalogue(model.catalogue_version or None)
    exclude = None
    if a.exclude:
        exclude = [r[0] for r in spark.read.parquet(a.exclude).select("household_id").collect()]
    t = time.perf_counter()
    result = run_cycle_spark(households=a.households, indicators=a.indicators, model=model, catalogue=catalogue,
                             as_of=a.as_of, capacity=a.capacity, out_dir=a.out, exclude=exclude,
                             explain_with=a.explain_with, spark=spark, buckets=a.buckets, validate=a.validate,
                             keep_work=a.keep_work)
    stages = ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items())
    print(f"{result.households:,} households ({result.scored_with_records:,} with records), "
          f"{result.lists.height:,} listed in {result.lists['dong'].n_unique()} dongs, model {result.model_version}, "
          f"{time.perf_counter() - t:.1f} s ({stages}) -> {result.lists_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
