"""Import: line-by-line Korean errors, all-or-nothing per file, the same file twice changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from dolbom.discovery import services
from dolbom.discovery.engine.schema import SOURCE_POLARS
from dolbom.discovery.models import CycleKind, SourceImport
from dolbom.lib.errors import Forbidden

HEADER = "household_id,indicator_code,reference_date,months,amount"


FORMATS = ["csv", "parquet"]


@pytest.fixture
def cycle(city, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    return services.cycle_create(actor=city, name="2026-6차", kind=CycleKind.NATIONAL, starts_on=dt.date(2026, 11, 1))


def _file(tmp_path: Path, stem: str, lines: list[str], header: str = HEADER, fmt: str = "csv") -> Path:
    """The same rows as a CSV file or as a Parquet file of text columns (as an agency might send it)."""
    path = tmp_path / "in" / f"{stem}.{fmt}"
    path.parent.mkdir(exist_ok=True)
    if fmt == "csv":
        path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    else:
        cols = header.split(",")
        rows = [(line.split(",") + [""] * len(cols))[: len(cols)] for line in lines]
        frame = pl.DataFrame({c: [r[i] or None for r in rows] for i, c in enumerate(cols)},
                             schema={c: pl.Utf8 for c in cols})
        if header == HEADER:  # typed columns where the text allows, text columns where it does not
            try:
                frame = frame.with_columns(pl.col("reference_date").str.to_date("%Y-%m-%d")).cast(SOURCE_POLARS)
            except pl.exceptions.PolarsError:
                pass
        frame.write_parquet(path)
    return path


def _first_line(fmt: str) -> int:
    return 2 if fmt == "csv" else 1  # a CSV's line 1 is its header


def _run(city, cycle, *paths: Path):
    return services.cycle_import(actor=city, cycle=cycle, files=[(p.name, p) for p in paths])


def _stored(settings) -> list[Path]:
    root = Path(settings.DATA_DIR) / "discovery" / "imports"
    return list(root.glob("*.parquet")) if root.exists() else []


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_valid_file_is_imported_once_and_stored_as_parquet(city, cycle, resident, tmp_path, settings, fmt):
    hh = resident.household_id
    path = _file(tmp_path, "kepco", [f"{hh},E02,2026-09-30,4,", f"{hh},E01,2026-10-02,,"], fmt=fmt)
    [result] = _run(city, cycle, path)
    assert result.status == "imported", result.errors
    row = SourceImport.objects.get(cycle=cycle)
    assert (row.source, row.rows, row.households) == ("KEPCO", 2, 1)
    stored = pl.read_parquet(Path(settings.DATA_DIR) / row.stored_path)
    assert stored.get_column("household_id").to_list() == [hh, hh]


def test_importing_the_same_file_twice_changes_nothing(city, cycle, resident, tmp_path, settings):
    path = _file(tmp_path, "kepco", [f"{resident.household_id},E02,2026-09-30,4,"], fmt="parquet")
    _run(city, cycle, path)
    [again] = _run(city, cycle, path)
    assert again.status == "duplicate"
    assert SourceImport.objects.filter(cycle=cycle).count() == 1
    assert len(_stored(settings)) == 1


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("line", "column", "code"), [
    ("{hh},Z99,2026-09-30,4,", "indicator_code", "unknown_code"),
    ("{hh},E02,2026/09/30,4,", "reference_date", "bad_date"),
    ("{hh},E02,30-09-2026,4,", "reference_date", "bad_date"),
    ("987654321,E02,2026-09-30,4,", "household_id", "unknown_household"),
    ("{hh},E02,2026-09-30,,", "months", "missing_value"),
])
def test_a_bad_line_is_reported_by_line_in_korean_and_nothing_is_imported(
        city, cycle, resident, tmp_path, settings, line, column, code, fmt):
    hh = resident.household_id
    good = f"{hh},E01,2026-10-02,,"
    path = _file(tmp_path, "kepco", [good, good.replace("10-02", "10-03"), line.format(hh=hh)], fmt=fmt)
    [result] = _run(city, cycle, path)
    assert result.status == "invalid"
    assert [(e.line, e.column, e.code) for e in result.errors] == [(_first_line(fmt) + 2, column, code)]
    assert any("\uac00" <= ch <= "\ud7a3" for ch in result.errors[0].message)
    assert not SourceImport.objects.exists()
    assert _stored(settings) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_wrong_header_is_one_error_for_the_file(city, cycle, resident, tmp_path, fmt):
    path = _file(tmp_path, "kepco", [f"{resident.household_id},E02,2026-09-30,4"],
                 header="household,indicator_code,reference_date,months", fmt=fmt)
    [result] = _run(city, cycle, path)
    assert result.status == "invalid"
    assert [e.code for e in result.errors] == ["bad_header"]
    assert not SourceImport.objects.exists()


def test_a_file_of_another_format_is_refused(city, cycle, tmp_path):
    path = tmp_path / "kepco.xlsx"
    path.write_bytes(b"PK\x03\x04 not a csv")
    [result] = _run(city, cycle, path)
    assert result.status == "invalid"
    assert [e.code for e in result.errors] == ["file_format"]


def test_one_bad_file_does_not_stop_the_good_ones(city, cycle, resident, tmp_path):
    hh = resident.household_id
    good = _file(tmp_path, "kepco", [f"{hh},E02,2026-09-30,4,"], fmt="parquet")
    bad = _file(tmp_path, "nhis", [f"{hh},E02,2026-09-30,4,"], fmt="parquet")  # a power code from the health insurer
    results = {r.file_name: r for r in _run(city, cycle, good, bad)}
    assert results["kepco.parquet"].status == "imported"
    assert results["nhis.parquet"].status == "invalid"
    assert [e.code for e in results["nhis.parquet"].errors] == ["wrong_agency_code"]
    assert list(SourceImport.objects.values_list("file_name", flat=True)) == ["kepco.parquet"]


def test_only_the_city_team_imports(officer, cycle, resident, tmp_path):
    path = _file(tmp_path, "kepco", [f"{resident.household_id},E02,2026-09-30,4,"], fmt="parquet")
    with pytest.raises(Forbidden):
        services.cycle_import(actor=officer, cycle=cycle, files=[(path.name, path)])


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_keyed_by_rrn_is_matched_to_households_and_keeps_no_rrn(city, cycle, resident, tmp_path, settings, fmt):
    from dolbom.testing.personas import make_resident

    rrn = resident.rrn_plain()
    other = make_resident(city, name="박순자")
    lines = [f"{rrn},H01,2026-09-30,6,", f"{other.rrn_plain()},H01,2026-09-30,3,"]
    path = _file(tmp_path, "nhis", lines, header="rrn,indicator_code,reference_date,months,amount", fmt=fmt)
    [result] = _run(city, cycle, path)
    assert result.status == "imported", result.errors
    stored = pl.read_parquet(Path(settings.DATA_DIR) / SourceImport.objects.get().stored_path)
    assert sorted(stored.get_column("household_id").to_list()) == sorted([resident.household_id, other.household_id])
    assert "rrn" not in stored.columns


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_rrn_is_reported_on_its_line_without_the_number(city, cycle, resident, tmp_path, fmt):
    lines = [f"{resident.rrn_plain()},H01,2026-09-30,6,", "900101-1234568,H01,2026-09-30,6,"]
    path = _file(tmp_path, "nhis", lines, header="rrn,indicator_code,reference_date,months,amount", fmt=fmt)
    [result] = _run(city, cycle, path)
    assert [(e.line, e.column, e.code) for e in result.errors] == [(_first_line(fmt) + 1, "rrn", "unknown_resident")]
    assert "900101" not in result.errors[0].message
    assert not SourceImport.objects.exists()
