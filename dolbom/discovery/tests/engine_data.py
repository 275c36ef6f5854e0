"""Shared, module-cached data for the engine tests: two small synthetic cities and a model trained on the
first. The second city is never seen in training, so the quality numbers measured on it are honest."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl
import pytest

from dolbom.discovery.engine import (
    Catalogue,
    Model,
    ModelArtifact,
    SourceManifest,
    build_features,
    generate_sources,
    load_catalogue,
    load_model,
    train_model,
)

AS_OF = dt.date(2026, 11, 1)
HOUSEHOLDS = 40_000


@dataclass(frozen=True)
class EngineData:
    catalogue: Catalogue
    train: SourceManifest
    fresh: SourceManifest
    features: pl.DataFrame
    artifact: ModelArtifact
    model: Model


@lru_cache(maxsize=1)
def engine_data() -> EngineData:
    root = Path(tempfile.mkdtemp(prefix="dolbom-engine-test-"))
    catalogue = load_catalogue()
    train = generate_sources(HOUSEHOLDS, seed=11, out_dir=root / "train", as_of=AS_OF, chunk_rows=15_000)
    fresh = generate_sources(HOUSEHOLDS, seed=12, out_dir=root / "fresh", as_of=AS_OF, chunk_rows=15_000)
    features = build_features(train.out_dir / "sources", catalogue, AS_OF,
                              households=pl.read_parquet(train.households_path))
    artifact = train_model(features, pl.read_parquet(train.truth_path), seed=3, catalogue=catalogue)
    # Plain LightGBM here: compiling the trees takes seconds and has a test of its own.
    return EngineData(catalogue, train, fresh, features, artifact, load_model(artifact.data, compiled=False))


@pytest.fixture
def data() -> EngineData:
    return engine_data()
