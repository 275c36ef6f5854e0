import datetime as dt
import shutil

import polars as pl
import pytest

from dolbom.discovery.catalogue import HERE, CatalogueError, load_catalogue, versions
from dolbom.discovery.engine import build_features, generate_sources


def test_the_latest_catalogue_has_the_47_kinds_of_2025_in_force():
    catalogue = load_catalogue()
    assert catalogue.version == versions()[-1]
    active = catalogue.active(dt.date(2025, 6, 1))
    assert len(active) == 47
    assert {i.agency for i in active} <= set(catalogue.agencies)
    electricity = catalogue.by_code()["E02"]
    assert (electricity.measure, electricity.threshold_months, electricity.reason) == ("months", 3, "전기요금 {months}개월 체납")


def test_a_retired_kind_counts_only_while_it_was_in_force():
    retired = load_catalogue().by_code()["Q01"]
    assert retired.valid_on(dt.date(2021, 1, 1))
    assert not retired.valid_on(dt.date(2025, 1, 1))


def _copy(tmp_path):
    for name in ("agencies.csv", "context.csv", "indicators_2025.1.csv"):
        shutil.copy(HERE / name, tmp_path / name)


def test_a_new_kind_is_one_more_row_and_no_code(tmp_path):
    _copy(tmp_path)
    with (tmp_path / "indicators_2025.1.csv").open() as f:
        rows = f.read()
    (tmp_path / "indicators_2026.1.csv").write_text(
        rows + "K01,KEPCO,power,전기 사용량 급감,months,2,,,365,present;months;recency,전기 사용량 {months}개월 급감,2026-01-01,\n",
        encoding="utf-8")
    catalogue = load_catalogue(directory=tmp_path)
    assert catalogue.version == "2026.1"
    as_of = dt.date(2026, 11, 1)
    assert len(catalogue.active(as_of)) == 48

    records = pl.DataFrame({"household_id": [1, 1], "indicator_code": ["K01", "E02"],
                            "reference_date": [dt.date(2026, 10, 1)] * 2, "months": [2, 1], "amount": [None, None]})
    features = build_features(records, catalogue, as_of)
    assert features.select("K01_present", "K01_months", "E02_present").row(0) == (1.0, 2.0, 0.0)

    manifest = generate_sources(3000, seed=1, out_dir=tmp_path / "out", as_of=as_of, catalogue=catalogue)
    kepco = pl.read_parquet(manifest.source_paths["KEPCO"])
    assert "K01" in kepco["indicator_code"].unique().to_list()


def test_it_refuses_a_row_naming_an_unknown_agency(tmp_path):
    _copy(tmp_path)
    (tmp_path / "indicators_2025.1.csv").write_text(
        (HERE / "indicators_2025.1.csv").read_text(encoding="utf-8")
        + "Z01,NOBODY,x,없는 기관,event,,,,365,present,없음,2026-01-01,\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="unknown agency"):
        load_catalogue(directory=tmp_path)


def test_an_unknown_version_is_refused():
    with pytest.raises(CatalogueError):
        load_catalogue("1999.1")
