"""The crisis-discovery engine: columnar, no Django. The Django app calls only what is listed here.

Data layouts (``schema.py``)
    Source file (one per agency, CSV with a header or Parquet): ``household_id`` (int), ``indicator_code``,
    ``reference_date`` (``YYYY-MM-DD``), ``months`` (months in arrears, for ``months`` indicators),
    ``amount`` (won, for ``amount`` indicators). The file's name starts with the agency's ``file_stem``
    from ``catalogue/agencies.csv`` (``kepco.csv``, ``nhis_2026-11.parquet``).
    Households: ``household_id, dong, head_age, head_sex, household_type, household_size``
    (``HOUSEHOLD_TYPES``); the Django side builds it from the registry.
    Scores (``SCORE_SCHEMA``): ``household_id, score, probability, indicator_count, reason_codes,
    reasons, model_version``.

Catalogue
    ``load_catalogue(version=None) -> Catalogue`` — ``.version``, ``.indicators`` (``Indicator``: code,
    agency, category, meaning, measure, thresholds, within_days, features, reason, valid_from/to),
    ``.agencies``, ``.active(day)``. Data files in ``dolbom/discovery/catalogue/``.

Import
    ``validate_source_file(path, catalogue, known_household_ids=None, *, as_of=None) -> list[LineError]``
    (``LineError(line, column, code, message)``, Korean message; line 1 is a CSV header, Parquet rows
    count from 1, line 0 is the file as a whole). Import only when the list is empty.
    ``read_source_file(path) -> polars.DataFrame`` (typed, after validation), ``file_sha256(path)``.

Synthetic data
    ``generate_sources(households, *, seed, out_dir, as_of, chunk_rows=1_000_000, catalogue=None,
    fmt="parquet") -> SourceManifest`` writes ``households.parquet``, ``sources/<stem>.<fmt>`` and
    ``truth.parquet`` (household_id, needs_support); the latent model is in ``synthetic.py``.

Features, model, scores
    ``build_features(indicators, catalogue, as_of, households=None) -> polars.DataFrame``
    ``train_model(features, labels, *, seed) -> ModelArtifact`` (``.data`` bytes, ``.version``,
    ``.metrics`` measured on held-out households only, ``.feature_names``); ``load_model(bytes) -> Model``.
    ``score_batch(batch, model, *, reasons=True, explain_with="shap"|"path") -> pyarrow.RecordBatch`` — the
    per-batch kernel (reasons from TreeSHAP, LightGBM's ``pred_contrib`` evaluated once per tree and distinct
    cell of rows, the same numbers several times cheaper; or from the rows' own tree paths, cheaper still but
    naming another first reason for about one listed household in four). Reasons cost far more than scores:
    score everything with ``reasons=False`` and explain only the listed households, as ``run_cycle`` does.
    ``score(features, model, *, engine="local"|"spark", reasons=True, out=None)`` -> DataFrame or Parquet.
    Trees run compiled to machine code by lleaves (a regular dependency; cached by model version under
    ``DOLBOM_CACHE_DIR``), through LightGBM when compiling fails (logged) or ``DOLBOM_COMPILED_TREES=0``;
    ``Model.backend`` names the one in use.
    ``rank_by_dong(scores, households, capacity, *, exclude=None) -> polars.DataFrame``
    (``dong, rank, household_id, score, probability, …``; ``capacity`` an int per dong, a dict
    dong -> int, or a float share of each dong's households).
    ``run_cycle(households=, indicators=, model=, catalogue=, as_of=, capacity=, out_dir=, engine=,
    exclude=, keep_scores=, explain_with=) -> CycleResult`` — the whole path (read → features → score →
    ranked lists written to ``out_dir/lists.parquet``), the one the benchmark uses; features are scattered
    from the records straight into each scoring batch (no feature table) and households without any
    record are scored once per distinct context, exactly.

Quality
    ``quality_report(scores, truth, households, capacity_by_dong) -> dict`` and
    ``write_quality_report(report, path)`` (``.json`` or ``.html``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dolbom.discovery.catalogue import Catalogue, Indicator, load_catalogue
    from dolbom.discovery.engine.features import build_features, read_indicators
    from dolbom.discovery.engine.model import Model, ModelArtifact, load_model, split_households, train_model
    from dolbom.discovery.engine.pipeline import CycleResult, run_cycle
    from dolbom.discovery.engine.quality import quality_report, write_quality_report
    from dolbom.discovery.engine.schema import HOUSEHOLD_SCHEMA, HOUSEHOLD_TYPES, SCORE_SCHEMA, SOURCE_COLUMNS
    from dolbom.discovery.engine.scoring import rank_by_dong, score, score_batch
    from dolbom.discovery.engine.synthetic import SourceManifest, generate_sources, synthetic_households
    from dolbom.discovery.engine.validate import (
        LineError,
        file_sha256,
        read_source_file,
        validate_source_file,
    )

# Loaded on first use (PEP 562): Django's start-up imports this package for its settings (config.py), and
# LightGBM, pandas and Polars behind these names cost ~1.4 s of every process's start, the safety ingest
# worker's restart included, which never scores a household.
_WHERE = {
    "Catalogue": "dolbom.discovery.catalogue",
    "CycleResult": "dolbom.discovery.engine.pipeline",
    "HOUSEHOLD_SCHEMA": "dolbom.discovery.engine.schema",
    "HOUSEHOLD_TYPES": "dolbom.discovery.engine.schema",
    "Indicator": "dolbom.discovery.catalogue",
    "LineError": "dolbom.discovery.engine.validate",
    "Model": "dolbom.discovery.engine.model",
    "ModelArtifact": "dolbom.discovery.engine.model",
    "SCORE_SCHEMA": "dolbom.discovery.engine.schema",
    "SOURCE_COLUMNS": "dolbom.discovery.engine.schema",
    "SourceManifest": "dolbom.discovery.engine.synthetic",
    "build_features": "dolbom.discovery.engine.features",
    "file_sha256": "dolbom.discovery.engine.validate",
    "generate_sources": "dolbom.discovery.engine.synthetic",
    "load_catalogue": "dolbom.discovery.catalogue",
    "load_model": "dolbom.discovery.engine.model",
    "quality_report": "dolbom.discovery.engine.quality",
    "rank_by_dong": "dolbom.discovery.engine.scoring",
    "read_indicators": "dolbom.discovery.engine.features",
    "read_source_file": "dolbom.discovery.engine.validate",
    "run_cycle": "dolbom.discovery.engine.pipeline",
    "score": "dolbom.discovery.engine.scoring",
    "score_batch": "dolbom.discovery.engine.scoring",
    "split_households": "dolbom.discovery.engine.model",
    "synthetic_households": "dolbom.discovery.engine.synthetic",
    "train_model": "dolbom.discovery.engine.model",
    "validate_source_file": "dolbom.discovery.engine.validate",
    "write_quality_report": "dolbom.discovery.engine.quality",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "HOUSEHOLD_SCHEMA", "HOUSEHOLD_TYPES", "SCORE_SCHEMA", "SOURCE_COLUMNS", "Catalogue", "CycleResult",
    "Indicator", "LineError", "Model", "ModelArtifact", "SourceManifest", "build_features", "file_sha256",
    "generate_sources", "load_catalogue", "load_model", "quality_report", "rank_by_dong", "read_indicators",
    "read_source_file", "run_cycle", "score", "score_batch", "split_households", "synthetic_households",
    "train_model", "validate_source_file", "write_quality_report",
]
