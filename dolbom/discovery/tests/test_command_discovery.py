"""`dolbom discovery …` end to end on a small city: cycle, sources, import (twice), retrain, score."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from dolbom.discovery.models import Cycle, ModelVersion, SourceImport, VisitListEntry
from dolbom.discovery.tests.conftest import AS_OF, build_city


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("discovery", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_runs_a_cycle_from_files_to_visit_lists(city, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    build_city()
    _run("cycle", "--name", "2026-6차", "--starts-on", AS_OF.isoformat())
    _run("sources", "--cycle", "2026-6차", "--out", str(tmp_path / "src"), "--seed", "3")
    files = sorted(str(p) for p in (tmp_path / "src" / "sources").iterdir())
    first = _run("import", "--cycle", "2026-6차", *files)
    assert first.count("가져옴") == len(files)
    again = _run("import", "--cycle", "2026-6차", *files)
    assert again.count("변경 없음") == len(files)
    assert SourceImport.objects.count() == len(files)

    trained = _run("retrain", "--truth", str(tmp_path / "src" / "truth.parquet"), "--cycle", "2026-6차")
    assert "AUC" in trained and ModelVersion.objects.count() == 1
    scored = _run("score", "--cycle", "2026-6차")
    cycle = Cycle.objects.get(name="2026-6차")
    assert cycle.model_version is not None and f"명단 {VisitListEntry.objects.count():,}가구" in scored


def test_a_bad_file_fails_the_command_with_its_lines(city, tmp_path, settings, resident):
    settings.DATA_DIR = tmp_path / "data"
    _run("cycle", "--name", "2026-6차", "--starts-on", AS_OF.isoformat())
    bad = tmp_path / "kepco.parquet"
    import polars as pl

    pl.DataFrame({"household_id": ["12x"], "indicator_code": ["E02"], "reference_date": ["2026-09-30"],
                  "months": ["4"], "amount": [None]}, schema={k: pl.Utf8 for k in (
                      "household_id", "indicator_code", "reference_date", "months", "amount")}).write_parquet(bad)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("discovery", "import", "--cycle", "2026-6차", str(bad), stdout=io.StringIO(), stderr=err)
    assert "1행 household_id [bad_household_id]" in err.getvalue()
    assert not SourceImport.objects.exists()
