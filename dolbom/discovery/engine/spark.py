"""The Spark driver: the same ``score_batch`` kernel under ``DataFrame.mapInArrow``.

For a province or the nation on a cluster. PySpark and a Java runtime are an optional extra
(``pip install 'dolbom[spark]'``); ``spark_unavailable()`` says why Spark cannot run here, if it cannot.
Without a configured master the session runs in local mode on this machine's cores.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from dolbom.discovery.engine import config
from dolbom.discovery.engine.model import Model
from dolbom.discovery.engine.schema import SCORE_SCHEMA

_SPARK_SCHEMA = ("household_id long, score double, probability double, indicator_count int, "
                 "reason_codes array<string>, reasons array<string>, model_version string")


def spark_unavailable() -> str | None:
    """None when PySpark and Java are both present, else the reason in one line."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'dolbom[spark]')"
    # JAVA_HOME is the JVM's own variable, read by PySpark's launcher as well: looked at here only to say
    # whether Spark can start. It is not dolbom's configuration, so it stays in the environment.
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and Path(java_home, "bin", "java").exists()) and shutil.which("java") is None:
        return "no Java runtime (install default-jre-headless or set JAVA_HOME)"
    return None


def submitted() -> bool:
    """Whether this driver was started by ``spark-submit`` (the JVM came first and handed its gateway over):
    then the master, the memory and the workers' Python are the submitter's, and are not set here."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def spark_session(master: str | None = None) -> Any:
    reason = spark_unavailable()
    if reason:
        raise RuntimeError(reason)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("dolbom-discovery")
    if submitted():
        return builder.getOrCreate()
    # The Python workers must import this very package with the same interpreter. PySpark takes the
    # interpreter from these variables of its own (they are passed on to the workers' environment), so they
    # are set here rather than read from settings; a value the operator set is kept.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    engine = config.current()
    return (
        builder.master(master or engine.spark_master)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", engine.spark_driver_memory)
        .getOrCreate()
    )


def score_spark(features: pl.DataFrame | pa.Table | str | Path | Iterable[str | Path], model: Model, *,
                reasons: bool = True, out: str | Path | None = None, batch_rows: int = 262_144,
                explain_with: str = "shap") -> pl.DataFrame | Path:
    """Score feature rows with Spark. Frames are handed over as a temporary Parquet file; with ``out``
    the scores are written there as a Parquet directory, else collected into a Polars frame."""
    from dolbom.discovery.engine.model import load_model
    from dolbom.discovery.engine.scoring import score_batch

    spark = spark_session()
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch_rows))
    model_bytes, compiled = model.data, model.compiled
    # A worker is a fresh Python process without Django: it gets the driver's configuration (the
    # compiled-trees cache) with the kernel.
    driver_config = config.current()

    def kernel(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        config.use(driver_config)
        local = load_model(model_bytes, compiled=compiled)  # once per task, on the worker
        for batch in batches:
            yield score_batch(batch, local, reasons=reasons, threads=1, explain_with=explain_with)  # type: ignore[arg-type]

    with tempfile.TemporaryDirectory(prefix="dolbom-spark-") as tmp:
        if isinstance(features, pl.DataFrame | pa.Table):
            frame = features if isinstance(features, pl.DataFrame) else pl.from_arrow(features)
            assert isinstance(frame, pl.DataFrame)
            src = Path(tmp) / "features.parquet"
            frame.write_parquet(src)
            paths = [str(src)]
        else:
            paths = [str(features)] if isinstance(features, str | Path) else [str(p) for p in features]
        result = spark.read.parquet(*paths).mapInArrow(kernel, _SPARK_SCHEMA)
        if out is not None:
            result.write.mode("overwrite").parquet(str(out))
            return Path(out)
        table = result.toArrow() if hasattr(result, "toArrow") else pa.Table.from_pandas(result.toPandas())
        return pl.from_arrow(table.cast(SCORE_SCHEMA))  # type: ignore[return-value]

