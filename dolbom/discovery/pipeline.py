"""Between the database and the engine: the registry as the engine's household table, stored imports as
Parquet paths, engine scores as rows ready for a visit list. Column-wise throughout (Polars); the only
Python loops run over the rows that end up on a list."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
from django.conf import settings

from dolbom.registry.models import Household, Resident

OLDER_AGE = 65
ADULT_AGE = 19


def file_format(name: str) -> str | None:
    suffix = Path(name).suffix.lower()
    return {".csv": "csv", ".parquet": "parquet"}.get(suffix)


def known_household_ids() -> pa.Array:
    ids = np.fromiter(Household.objects.values_list("pk", flat=True).iterator(chunk_size=20_000), dtype=np.int64)
    return pa.array(ids, type=pa.int64())


def _residents_frame() -> pl.DataFrame:
    rows = Resident.objects.filter(deceased_on__isnull=True).values_list(
        "pk", "household_id", "birth_date", "sex", "dong_id", "dong__name")
    cols: list[list[Any]] = [[], [], [], [], [], []]
    for row in rows.iterator(chunk_size=20_000):
        for col, value in zip(cols, row, strict=True):
            col.append(value)
    return pl.DataFrame(dict(zip(("resident_id", "household_id", "birth_date", "sex", "dong_id", "dong"), cols,
                                 strict=True)),
                        schema={"resident_id": pl.Int64, "household_id": pl.Int64, "birth_date": pl.Date,
                                "sex": pl.Utf8, "dong_id": pl.Int64, "dong": pl.Utf8})


def households_frame(*, as_of: dt.date) -> pl.DataFrame:
    """The engine's household table (``engine.schema.HOUSEHOLD_SCHEMA``) derived from who lives where (the
    head is the oldest member; the type follows from ages and size as in the synthetic city), plus two
    registry columns the engine ignores: ``dong_id`` and ``representative_id`` (the head, under whom a
    visit-list entry is filed)."""
    people = _residents_frame()
    age = ((pl.lit(as_of.year) - pl.col("birth_date").dt.year())
           - ((pl.col("birth_date").dt.month() * 100 + pl.col("birth_date").dt.day())
              > (as_of.month * 100 + as_of.day)).cast(pl.Int32))
    people = people.with_columns(age=age.cast(pl.Int32))
    g = (people.sort(["household_id", "age", "resident_id"], descending=[False, True, False])
         .group_by("household_id", maintain_order=True)
         .agg(dong=pl.col("dong").first(), dong_id=pl.col("dong_id").first(),
              representative_id=pl.col("resident_id").first(), head_age=pl.col("age").first(),
              head_sex=pl.col("sex").first(), size=pl.len(), older=(pl.col("age") >= OLDER_AGE).sum(),
              adults=(pl.col("age") >= ADULT_AGE).sum(), children=(pl.col("age") < ADULT_AGE).sum()))
    older, adults, size, children = pl.col("older"), pl.col("adults"), pl.col("size"), pl.col("children")
    kind = (pl.when((size == 1) & (older == 1)).then(pl.lit("older_alone"))
            .when(size == 1).then(pl.lit("adult_alone"))
            .when((size == 2) & (older == 2)).then(pl.lit("older_couple"))
            .when((size == 2) & (older == 1) & (adults == 2)).then(pl.lit("older_with_child"))
            .when((adults == 1) & (children >= 1)).then(pl.lit("single_parent"))
            .when((size >= 3) & (older >= 1)).then(pl.lit("family_grand"))
            .when(size == 2).then(pl.lit("couple"))
            .otherwise(pl.lit("family")))
    return g.select(
        pl.col("household_id").cast(pl.Int64), pl.col("dong").cast(pl.Utf8),
        pl.col("head_age").clip(0, 120).cast(pl.Int16), pl.col("head_sex").cast(pl.Utf8),
        kind.alias("household_type"), pl.col("size").clip(1, 127).cast(pl.Int8).alias("household_size"),
        "dong_id", "representative_id",
    )


# Import ---------------------------------------------------------------------------------------------

@dataclass
class CheckedFile:
    frame: pl.DataFrame | None
    source: str
    catalogue_version: str
    households: int
    errors: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class FormatError:
    line: int
    column: str
    code: str
    message: str


def format_error(name: str) -> FormatError:
    return FormatError(line=0, column="", code="file_format",
                       message=f"'{name}' 파일은 CSV(.csv)나 Parquet(.parquet) 형식이어야 합니다.")


def agency_code(path: Path, catalogue: Any = None) -> str:
    """The agency a file comes from, named by the file itself (``kepco.csv``, ``nhis_2026-11.parquet``)."""
    from dolbom.discovery import engine
    from dolbom.discovery.engine.validate import agency_of

    agency = agency_of(path, catalogue or engine.load_catalogue())
    return agency.code if agency else ""


def check_file(path: Path, *, name: str, known_household_ids: pa.Array, as_of: dt.date | None = None,
               ) -> CheckedFile:
    from dolbom.discovery import engine

    catalogue = engine.load_catalogue()
    with tempfile.TemporaryDirectory(prefix="dolbom-rrn-") as tmp:
        keyed = normalise(path, Path(tmp))
        checked = keyed.path if keyed else path
        errors = list(engine.validate_source_file(checked, catalogue, known_household_ids, as_of=as_of))
        if errors:
            errors = [keyed.translate(e) for e in errors] if keyed else errors
            return CheckedFile(frame=None, source="", catalogue_version=catalogue.version, households=0,
                               errors=errors)
        frame = engine.read_source_file(checked)
    return CheckedFile(frame=frame, source=agency_code(path, catalogue), catalogue_version=catalogue.version,
                       households=frame.get_column("household_id").n_unique())


# Before validation ---------------------------------------------------------------------------------
# Agencies that know a person, not a household (health insurance, the suicide-prevention centre) send
# the resident registration number in an ``rrn`` column. It is matched through the RRN blind index and
# replaced by the household before the engine validates the file, so the stored Parquet never holds an
# RRN (PIPA §24-2).
# Line numbers are given back as the sender sees them (a CSV's first record is on line 2).

RRN_COLUMN = "rrn"
_LOOKUP_BATCH = 5_000


@dataclass(frozen=True)
class Normalised:
    path: Path  # named as the original, so that the agency is still known from it
    line_offset: int

    def translate(self, e: Any) -> Any:
        line = e.line + self.line_offset if e.line > 0 else (self.line_offset if e.code == "bad_header" else 0)
        if e.column == "household_id":
            return type(e)(line, RRN_COLUMN, "unknown_resident",
                           "등록되지 않았거나 형식이 틀린 주민등록번호입니다")
        return type(e)(line, e.column, e.code, e.message)


def _households_for_rrns(values: list[str | None]) -> list[str | None]:
    from dolbom.lib.rrn import blind_index

    digits = [(v or "").replace("-", "").strip() for v in values]
    valid = [d if d.isdigit() and len(d) == 13 else None for d in digits]
    # Under every key of the index ring: while the index key rotates, a resident may carry either index.
    ring = settings.RRN_INDEX_KEYS.keys
    keys = [[blind_index(d, k) for k in ring] if d else [] for d in valid]
    wanted = sorted({k for ks in keys for k in ks})
    household_of: dict[str, int] = {}
    for i in range(0, len(wanted), _LOOKUP_BATCH):
        household_of.update(Resident.objects.filter(rrn_index__in=wanted[i:i + _LOOKUP_BATCH])
                            .values_list("rrn_index", "household_id"))
    found = [next((household_of[k] for k in ks if k in household_of), None) for ks in keys]
    return [str(h) if h is not None else None for h in found]


def _typed_where_possible(frame: pl.DataFrame) -> pl.DataFrame:
    from dolbom.discovery.engine.schema import SOURCE_POLARS

    if set(SOURCE_POLARS) != set(frame.columns):
        return frame
    try:
        return frame.with_columns(pl.col("reference_date").str.to_date("%Y-%m-%d")).cast(SOURCE_POLARS)
    except pl.exceptions.PolarsError:
        return frame  # the validator says, line by line, what is wrong


def _header(path: Path) -> list[str]:
    try:
        if path.suffix.lower() == ".parquet":
            return list(pl.read_parquet_schema(path))
        with path.open(encoding="utf-8-sig") as fh:
            return [c.strip() for c in fh.readline().rstrip("\r\n").split(",")]
    except (OSError, UnicodeDecodeError, pl.exceptions.PolarsError, pa.ArrowException):
        return []


def normalise(path: Path, tmp: Path) -> Normalised | None:
    """A resident-keyed file as household-keyed Parquet; None for any other file (or one that cannot be
    read here: the validator then says why)."""
    from dolbom.discovery.engine.schema import SOURCE_COLUMNS

    header = _header(path)
    if RRN_COLUMN not in header or "household_id" in header:
        return None
    csv = path.suffix.lower() == ".csv"
    try:
        raw = pl.read_csv(path, infer_schema=False) if csv else pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError, pa.ArrowException):
        return None
    text = raw.select(pl.col(c).cast(pl.Utf8).str.strip_chars() for c in raw.columns)
    households = _households_for_rrns(text.get_column(RRN_COLUMN).to_list())
    text = text.drop(RRN_COLUMN).with_columns(household_id=pl.Series(households, dtype=pl.Utf8))
    ordered = [c for c in SOURCE_COLUMNS if c in text.columns] + [c for c in text.columns if c not in SOURCE_COLUMNS]
    target = tmp / (path.name.split(".")[0] + ".parquet")
    _typed_where_possible(text.select(ordered)).write_parquet(target)
    return Normalised(path=target, line_offset=1 if csv else 0)


# Scoring --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScoredRow:
    household_id: int
    dong_id: int
    resident_id: int
    rank: int | None
    score: float
    probability: float
    reasons: list[str]


@dataclass
class Scored:
    frame: pl.DataFrame  # household_id, dong_id, representative_id, score, probability, reasons (, rank)

    @property
    def household_ids(self) -> list[int]:
        return self.frame.get_column("household_id").to_list()

    def only(self, household_ids: set[int]) -> Scored:
        return Scored(frame=self.frame.filter(pl.col("household_id").is_in(
            pl.Series(sorted(household_ids), dtype=pl.Int64).implode())))

    def without(self, household_ids: set[int]) -> Scored:
        return Scored(frame=self.frame.filter(~pl.col("household_id").is_in(
            pl.Series(sorted(household_ids), dtype=pl.Int64).implode())))

    def ranked(self, *, not_listed: set[int]) -> Scored:
        """Ranks within each dong among the households that will be listed (highest score first)."""
        return Scored(frame=self.without(not_listed).frame.with_columns(
            rank=pl.col("score").rank(method="ordinal", descending=True).over("dong_id").cast(pl.Int64),
        ).sort(["dong_id", "rank"]))

    def rows(self) -> Iterator[ScoredRow]:
        for r in self.frame.iter_rows(named=True):
            yield ScoredRow(household_id=r["household_id"], dong_id=r["dong_id"], resident_id=r["representative_id"],
                            rank=r.get("rank"), score=r["score"],
                            probability=r["probability"], reasons=list(r["reasons"] or []))


def stored_paths(imports: list[Any]) -> list[Path]:
    return [Path(settings.DATA_DIR) / i.stored_path for i in imports]


def features_for(*, paths: list[Path], as_of: dt.date, household_ids: pl.Series | None = None,
                 catalogue_version: str | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Features of the households that have at least one record in ``paths`` (or of ``household_ids``),
    with the registry's household table beside them."""
    from dolbom.discovery import engine as eng

    if household_ids is None:
        household_ids = pl.scan_parquet(paths).select("household_id").unique().collect().get_column("household_id")
    households = households_frame(as_of=as_of).filter(pl.col("household_id").is_in(household_ids.implode()))
    catalogue = eng.load_catalogue(catalogue_version or None)
    return eng.build_features(paths, catalogue, as_of, households=households), households


def score_imports(*, imports: list[Any], model: Any, as_of: dt.date, exclude: set[int], engine: str = "local",
                  ) -> Scored:
    """Scores the households that have at least one indicator in the cycle's files; the households of
    residents who objected to automated processing are removed before the engine sees them."""
    from dolbom.discovery import engine as eng

    paths = stored_paths(imports)
    present = pl.scan_parquet(paths).select("household_id").unique().collect().get_column("household_id")
    if exclude:
        present = present.filter(~present.is_in(pl.Series(sorted(exclude), dtype=pl.Int64).implode()))
    loaded = eng.load_model(bytes(model.artefact))
    if engine == "spark":
        return _score_on_spark(paths=paths, household_ids=present, model=loaded, as_of=as_of)
    features, households = features_for(paths=paths, as_of=as_of, household_ids=present,
                                        catalogue_version=loaded.catalogue_version)
    scores = eng.score(features, loaded, engine=engine)
    frame = scores if isinstance(scores, pl.DataFrame) else pl.from_arrow(scores)
    assert isinstance(frame, pl.DataFrame)
    frame = frame.join(households.select("household_id", "dong_id", "representative_id"), on="household_id",
                       how="inner")
    return Scored(frame=frame.select("household_id", "dong_id", "representative_id", "score", "probability",
                                     "reasons"))


def spark_work_dir() -> Path:
    """Where the Spark engine's inputs and lists are written for one run: under DATA_DIR, which a cluster's
    workers reach as shared storage (NFS) like the imported files themselves."""
    return Path(settings.DATA_DIR) / "discovery" / "spark"


def _score_on_spark(*, paths: list[Path], household_ids: pl.Series, model: Any, as_of: dt.date) -> Scored:
    """The whole cycle as Spark jobs (``engine.spark_cycle``): the registry's households that have a record,
    the stored files, every one of them listed (a share of 1.0: the model only orders the list), with
    reasons. The same scores and reasons as the local path."""
    from dolbom.discovery import engine as eng
    from dolbom.discovery.engine.schema import HOUSEHOLD_SCHEMA
    from dolbom.discovery.engine.spark_cycle import run_cycle_spark

    households = households_frame(as_of=as_of).filter(pl.col("household_id").is_in(household_ids.implode()))
    spark_work_dir().mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cycle-", dir=spark_work_dir()) as tmp:
        source = Path(tmp) / "households.parquet"
        households.select(HOUSEHOLD_SCHEMA.names).write_parquet(source)
        result = run_cycle_spark(households=source, indicators=[str(p) for p in paths], model=model,
                                 catalogue=eng.load_catalogue(model.catalogue_version or None), as_of=as_of,
                                 capacity=1.0, out_dir=Path(tmp) / "out")
        lists = result.lists
    frame = lists.join(households.select("household_id", "dong_id", "representative_id"), on="household_id",
                       how="inner")
    return Scored(frame=frame.select("household_id", "dong_id", "representative_id", "score", "probability",
                                     "reasons"))


def cycle_export(*, imports: list[Any], model: Any, as_of: dt.date, exclude: set[int], out_dir: Path,
                 ) -> dict[str, Path]:
    """What ``engine/spark_cycle.py`` takes on a cluster, written under ``out_dir`` (to be copied to shared
    storage): the registry's households, the cycle's stored files, the model artefact and the households to
    leave out (objections, open cases)."""
    from dolbom.discovery.engine.schema import HOUSEHOLD_SCHEMA

    out_dir.mkdir(parents=True, exist_ok=True)
    sources = out_dir / "sources"
    sources.mkdir(exist_ok=True)
    for i, path in zip(imports, stored_paths(imports), strict=True):
        target = sources / f"{i.source or 'source'}_{i.pk}.parquet"
        target.unlink(missing_ok=True)
        try:  # the stored files never change (content-addressed): a link is enough where one can be made
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)
    paths = {"households": out_dir / "households.parquet", "sources": sources, "model": out_dir / "model.json",
             "exclude": out_dir / "exclude.parquet"}
    households_frame(as_of=as_of).select(HOUSEHOLD_SCHEMA.names).write_parquet(paths["households"])
    paths["model"].write_bytes(bytes(model.artefact))
    pl.DataFrame({"household_id": sorted(exclude)}, schema={"household_id": pl.Int64}).write_parquet(paths["exclude"])
    return paths


# Training ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LabelledCycle:
    paths: list[Path]
    as_of: dt.date
    labels: pl.DataFrame  # household_id, needs_support


@dataclass(frozen=True)
class Trained:
    version: str
    artefact: bytes
    feature_names: list[str]
    metrics: dict[str, Any]
    quality: dict[str, Any]
    quality_file: str
    training_rows: int


class TooFewLabels(ValueError):
    pass


def train(*, cycles: list[LabelledCycle], seed: int, capacity_shares: dict[str, float]) -> Trained:
    """Features rebuilt from each cycle's own files and date, labels joined, one model trained. The
    quality report is measured on the held-out test households only (the engine's hash split)."""
    from dolbom.discovery import engine as eng
    from dolbom.discovery.engine.model import TEST

    parts, households, labels = [], [], []
    for c in cycles:
        if c.labels.is_empty():
            continue
        features, hh = features_for(paths=c.paths, as_of=c.as_of, household_ids=c.labels.get_column("household_id"))
        parts.append(features)
        households.append(hh)
        labels.append(c.labels.select(pl.col("household_id").cast(pl.Int64), pl.col("needs_support").cast(pl.Int8)))
    if not parts:
        raise TooFewLabels("no labels")
    # A household labelled in two cycles keeps its latest label and features.
    features = pl.concat(parts, how="diagonal_relaxed").unique("household_id", keep="last", maintain_order=True)
    label_frame = pl.concat(labels).unique("household_id", keep="last", maintain_order=True)
    household_frame = pl.concat(households).unique("household_id", keep="last", maintain_order=True)
    features = features.join(label_frame.select("household_id"), on="household_id", how="semi")
    try:
        artefact = eng.train_model(features, label_frame, seed=seed)
    except ValueError as exc:
        raise TooFewLabels(str(exc)) from exc
    model = eng.load_model(artefact.data)
    test = features.filter(pl.Series(eng.split_households(features.get_column("household_id"), seed) == TEST))
    scores = eng.score(test, model)
    # Each dong's capacity as a share of its households, applied to the held-out households it has.
    tested = household_frame.join(test.select("household_id"), on="household_id", how="semi")
    capacity = {dong: int(math.ceil(n * capacity_shares.get(dong, 1.0)))
                for dong, n in tested.group_by("dong").len().iter_rows()}
    report = eng.quality_report(scores, label_frame, tested, capacity)
    report = json.loads(json.dumps(report, default=str))
    out = Path(settings.DATA_DIR) / "discovery" / "quality" / f"{artefact.version}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    eng.write_quality_report(report, out)
    return Trained(version=artefact.version, artefact=artefact.data, feature_names=list(artefact.feature_names),
                   metrics=json.loads(json.dumps(artefact.metrics, default=str)), quality=report,
                   quality_file=str(out.relative_to(settings.DATA_DIR)), training_rows=features.height)


def synthetic_sources(*, out_dir: Path, seed: int, as_of: dt.date, fmt: str = "parquet") -> Any:
    """Synthetic agency files and hidden truth for the households in the registry (demo and tests)."""
    from dolbom.discovery import engine as eng
    from dolbom.discovery.engine.schema import HOUSEHOLD_SCHEMA

    households = households_frame(as_of=as_of).select(HOUSEHOLD_SCHEMA.names).to_arrow().cast(HOUSEHOLD_SCHEMA)
    return eng.generate_sources(households, seed=seed, out_dir=Path(out_dir), as_of=as_of,
                                fmt=fmt)
